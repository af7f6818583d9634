package proxy_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/recmock/recmock/proxy"
)

// TestKeepsUpstreamConnections: sequential exchanges share one upstream connection.
func TestKeepsUpstreamConnections(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL})
	for i := range 20 {
		method, body := "GET", ""
		if i%2 == 1 {
			method, body = "PUT", `{"notify":true}`
		}
		if res := send(t, method, base+path, body, nil); res.Status != 200 || res.Body != "ok" {
			t.Fatalf("exchange %d: %d %q", i, res.Status, res.Body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("%d upstream connections for 20 sequential exchanges, want 1", conns)
	}
}

// TestSurvivesUpstreamIdleClose: an upstream that closes idle connections (a keep-alive
// timeout) costs no exchange, with or without a body.
func TestSurvivesUpstreamIdleClose(t *testing.T) {
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	up.Config.IdleTimeout = 20 * time.Millisecond
	up.Start()
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL})
	for i, m := range []string{"GET", "PUT", "POST", "GET", "PUT"} {
		body := ""
		if m != "GET" {
			body = `{"notify":false}`
		}
		if res := send(t, m, base+path, body, nil); res.Status != 200 || res.Body != "ok" {
			t.Fatalf("exchange %d (%s) after an idle close: %d %s", i, m, res.Status, res.Body)
		}
		time.Sleep(60 * time.Millisecond) // the upstream closes the idle connection
	}
}

// TestClientGone: a client that leaves while the proxy waits for the upstream's
// answer frees the upstream connection, and the proxy goes on serving.
func TestClientGone(t *testing.T) {
	gone := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "12345") // the proxy waits for the rest, to validate it
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			close(gone)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+path+"?slow=1", nil)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("got %d, want the client's own timeout", res.StatusCode)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream connection stayed open after the client left")
	}
	if res := send(t, "GET", base+path, "", nil); res.Status != 200 || res.Body != "ok" {
		t.Errorf("after a client left: %d %q", res.Status, res.Body)
	}
}

// TestAddsNoContentType: an answer without a Content-Type reaches the client without one;
// net/http would otherwise sniff one from the body.
func TestAddsNoContentType(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>plain words</html>")
	}))
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL})
	for range 20 {
		res := send(t, "GET", base+"/page", "", nil)
		if ct, ok := res.Header["Content-Type"]; ok || res.Body != "<html>plain words</html>" {
			t.Fatalf("client got Content-Type %q, body %q", ct, res.Body)
		}
	}
}
