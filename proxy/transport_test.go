package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/proxy"
)

// exchangeSeen is one exchange as both ends saw it.
type exchangeSeen struct {
	UpstreamHeader http.Header // what the upstream received
	Status         int
	Header         http.Header // what the client received, Date aside
	Body           string
	Trailer        http.Header
	Early          []int // 1xx codes the client was shown
}

// TestTransportMatchesHTTPTransport: the proxy's own path to a plain-HTTP upstream
// (upstreamTransport) and http.Transport give the client and the upstream the same
// exchange, whatever the upstream answers.
func TestTransportMatchesHTTPTransport(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		io.WriteString(w, s)
		w.Close()
		return b.Bytes()
	}
	upstreams := map[string]http.HandlerFunc{
		"json": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":1}`)
		},
		"no content": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
		"empty gzip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", "0")
		},
		"gzip when asked": func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gz(strings.Repeat("compressed ", 100)))
				return
			}
			io.WriteString(w, strings.Repeat("compressed ", 100))
		},
		"chunked with trailer": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Sum")
			io.WriteString(w, "part one, ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part two")
			w.Header().Set("X-Sum", "42")
		},
		"connection close": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		},
		"early hints": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			io.WriteString(w, "final")
		},
		"large": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, strings.Repeat("z", 3<<20))
		},
		"echo": func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Method", r.Method)
			w.Write(b)
		},
	}
	requests := []struct {
		method, body string
		header       map[string]string
	}{
		{"GET", "", nil},
		{"HEAD", "", nil},
		{"PUT", `{"notify":true}`, nil},
		{"GET", "", map[string]string{"Accept-Encoding": "identity"}},
		{"GET", "", map[string]string{"Range": "bytes=0-3"}},
		{"POST", strings.Repeat("b", 20<<10), nil}, // over the fast path's body size
	}
	run := func(t *testing.T, h http.HandlerFunc, tr http.RoundTripper, method, body string, hdr map[string]string) exchangeSeen {
		t.Helper()
		var seen exchangeSeen
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.UpstreamHeader = r.Header.Clone()
			h(w, r)
		}))
		defer up.Close()
		p, err := proxy.New(proxy.Config{Upstream: up.URL, Transport: tr})
		if err != nil {
			t.Fatal(err)
		}
		front := httptest.NewServer(p)
		defer front.Close()
		var early []int
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			Got1xxResponse: func(code int, _ textproto.MIMEHeader) error { early = append(early, code); return nil },
		})
		req, _ := http.NewRequestWithContext(ctx, method, front.URL+"/rest/recording/notifications", strings.NewReader(body))
		if body == "" {
			req.Body = nil
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// A bare transport, so the client itself neither asks for gzip nor undoes it.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Header.Del("Date")
		seen.Status, seen.Header, seen.Body, seen.Trailer, seen.Early = res.StatusCode, res.Header, string(b), res.Trailer, early
		return seen
	}
	names := make([]string, 0, len(upstreams))
	for n := range upstreams {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, rq := range requests {
			t.Run(name+"/"+rq.method+"/"+strings.Join(keys(rq.header), ","), func(t *testing.T) {
				want := run(t, upstreams[name], http.DefaultTransport.(*http.Transport).Clone(), rq.method, rq.body, rq.header)
				got := run(t, upstreams[name], nil, rq.method, rq.body, rq.header)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("exchange differs from http.Transport's (-http.Transport +proxy default):\n%s", diff)
				}
			})
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestTransportKeepsConnections: sequential exchanges share one upstream connection.
func TestTransportKeepsConnections(t *testing.T) {
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

// TestTransportSurvivesIdleClose: an upstream that closes idle connections (a keep-alive
// timeout) costs no exchange, with or without a body.
func TestTransportSurvivesIdleClose(t *testing.T) {
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

// TestTransportClientGone: a client that leaves while the proxy waits for the upstream's
// answer frees the upstream connection, and the proxy goes on serving.
func TestTransportClientGone(t *testing.T) {
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
