package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/logbuf"

	"github.com/recmock/recmock/server"
)

// syncBuffer is shared by the package's tests.
type syncBuffer = logbuf.Buffer

// dial opens a raw connection, closed when the test ends; reads on it give up after a
// generous watchdog rather than hang the test.
func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	return c, bufio.NewReader(c)
}

// drained reads what is left on c: an answer, perhaps, then EOF or a reset. It fails
// when the connection is still open at the watchdog.
func drained(t *testing.T, r *bufio.Reader) {
	t.Helper()
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the connection is still open after 30s")
	}
}

// stalledPut sends a valid API request whose body stops after 10 of its 1000 bytes.
func stalledPut(c net.Conn, host string) {
	fmt.Fprintf(c, "PUT /rest/recording/notifications HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic ZGVtby1rZXk6ZGVtby1zZWNyZXQ=\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"notify\":", host)
}

// TestAPIStalledBody: a request whose body stalls is cut off after ReadTimeout, and
// logged with the bytes it sent.
func TestAPIStalledBody(t *testing.T) {
	var logs syncBuffer
	srv := start(t, server.Config{HTTP: server.HTTPLimits{ReadTimeout: 100 * time.Millisecond}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c, r := dial(t, srv.Addr())
	stalledPut(c, srv.Addr())
	drained(t, r)
	if log := logs.String(); !strings.Contains(log, "request body stalled past the read timeout") || !strings.Contains(log, "bytes_received=10") {
		t.Errorf("the stalled request is not logged with its 10 bytes:\n%s", log)
	}
}

// TestAPIIdleConnectionsClosed: idle keep-alive connections, silent ones and ones that
// stall in their headers are closed by the server, so that many cannot exhaust its file
// descriptors (the review held 1,100; 300 with short timeouts test the same).
func TestAPIIdleConnectionsClosed(t *testing.T) {
	srv := start(t, server.Config{HTTP: server.HTTPLimits{IdleTimeout: 100 * time.Millisecond, ReadHeaderTimeout: 100 * time.Millisecond}})
	var readers []*bufio.Reader
	for i := range 300 {
		c, r := dial(t, srv.Addr())
		switch i % 3 {
		case 0:
			fmt.Fprintf(c, "GET /_admin/health HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Addr())
			res, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		case 2:
			fmt.Fprintf(c, "GET /_admin/health HTTP/1.1\r\nHost: %s\r\n", srv.Addr())
		}
		readers = append(readers, r)
	}
	for _, r := range readers {
		drained(t, r)
	}
}

// TestAPICloseWithStalledRequest: Close returns within its grace period although a
// request stalls, and logs the request cut short.
func TestAPICloseWithStalledRequest(t *testing.T) {
	var logs syncBuffer
	srv, err := server.Start(server.Config{
		HTTP:   server.HTTPLimits{ReadTimeout: time.Hour, WriteTimeout: time.Hour, ShutdownTimeout: 100 * time.Millisecond},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, srv.Addr())
	stalledPut(c, srv.Addr())
	// A stalled SMTP transfer and a stalled S3 upload too: Close must cut them all.
	sc, sr := dial(t, srv.Sink.Addr())
	fmt.Fprint(sc, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: stalled\r\n")
	for range 4 {
		sr.ReadString('\n')
	}
	s3c, s3r := dial(t, srv.S3.Addr())
	fmt.Fprintf(s3c, "PUT /%s/k HTTP/1.1\r\nHost: s3\r\nContent-Length: 1000\r\n\r\nhalf", server.DefaultBucket)
	time.Sleep(100 * time.Millisecond) // for the three requests to be under way

	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close = %v, want an error wrapping context.DeadlineExceeded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close still waits 30s later")
	}
	for _, r := range []*bufio.Reader{r, sr, s3r} {
		drained(t, r)
	}
	if log := logs.String(); !strings.Contains(log, "request cut short by shutdown") || !strings.Contains(log, "path=/rest/recording/notifications") {
		t.Errorf("the request cut short is not logged:\n%s", log)
	}
}

// TestAPIMaxHeaderBytes: headers past MaxHeaderBytes are refused with 431.
func TestAPIMaxHeaderBytes(t *testing.T) {
	srv := start(t, server.Config{HTTP: server.HTTPLimits{MaxHeaderBytes: 8 << 10}})
	req, _ := http.NewRequest("GET", srv.URL()+"/_admin/health", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 64<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: %d, want 431", res.StatusCode)
	}
}

// TestLongAdminRequestsOutliveTimeouts: the admin requests that wait by design, the
// e-mail long poll and a recording whose webhook is slow, get their whole answer
// although they last longer than the read and write timeouts.
func TestLongAdminRequestsOutliveTimeouts(t *testing.T) {
	const timeouts = 100 * time.Millisecond
	slowHook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(4 * timeouts)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(slowHook.Close)
	srv := start(t, server.Config{HTTP: server.HTTPLimits{ReadTimeout: timeouts, WriteTimeout: timeouts}})

	t.Run("e-mail wait", func(t *testing.T) {
		type result struct {
			status int
			body   string
			err    error
		}
		done := make(chan result, 1)
		go func() {
			res, err := http.Get(srv.URL() + "/_admin/emails/wait?subject=late&timeout=30s")
			if err != nil {
				done <- result{err: err}
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			done <- result{res.StatusCode, string(b), err}
		}()
		time.Sleep(4 * timeouts)
		if err := smtp.SendMail(srv.Sink.Addr(), nil, "a@b.c", []string{"d@e.f"}, []byte("Subject: late\r\n\r\nx\r\n")); err != nil {
			t.Fatal(err)
		}
		r := <-done
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"subject":"late"`) {
			t.Errorf("wait: %d %q %v; want 200 and the message", r.status, r.body, r.err)
		}
	})

	t.Run("recording with a slow webhook", func(t *testing.T) {
		put, _ := http.NewRequest("PUT", srv.URL()+"/_admin/settings/temasys", strings.NewReader(`{"notify":true,"url":"`+slowHook.URL+`"}`))
		put.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(put); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("seeding settings: %v %v", res, err)
		}
		res, err := http.Post(srv.URL()+"/_admin/recordings", "application/json", strings.NewReader(`{"username":"temasys"}`))
		if err != nil {
			t.Fatalf("POST /_admin/recordings: %v", err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"webhook":{"status":"ok"`) {
			t.Errorf("POST /_admin/recordings: %d %s; want 200 with the webhook delivered", res.StatusCode, b)
		}
	})
}
