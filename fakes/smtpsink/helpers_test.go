package smtpsink_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// epoch is the fixed clock of the tests, so that Created is predictable.
var epoch = time.Date(2026, 11, 30, 9, 42, 21, 0, time.UTC)

func fixedNow() time.Time { return epoch }

// startSink starts a sink on a free loopback port and closes it when the test ends.
func startSink(t testing.TB, cfg smtpsink.Config) *smtpsink.Sink {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	s, err := smtpsink.Start(cfg)
	if err != nil {
		t.Fatalf("smtpsink.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// sendMail sends msg with net/smtp, the client most Go code under test uses.
func sendMail(t testing.TB, s *smtpsink.Sink, auth smtp.Auth, from string, to []string, msg string) {
	t.Helper()
	if err := smtp.SendMail(s.Addr(), auth, from, to, []byte(msg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
}

// simpleMail is a minimal RFC 5322 message with this subject and text body.
func simpleMail(subject, body string) string {
	return "From: sender@example.com\r\nTo: rcpt@example.com\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n"
}

// startAPI serves the sink's handler where recmock serve mounts it.
func startAPI(t testing.TB, s *smtpsink.Sink) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/_admin/emails", s.Handler()))
	t.Cleanup(srv.Close)
	return srv
}

// response is an HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, method, url string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// decode unmarshals the body into a fresh T, failing the test when it is not JSON.
func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not the JSON expected: %v\n%s", err, r.body)
	}
	return v
}

// conversation is a raw SMTP client, for what net/smtp cannot say.
type conversation struct {
	t testing.TB
	c *textproto.Conn
}

func dialRaw(t testing.TB, addr string) *conversation {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	cv := &conversation{t: t, c: c}
	cv.expect(220)
	return cv
}

// cmd sends a line and expects a reply with this code; it returns the reply text.
func (cv *conversation) cmd(code int, format string, args ...any) string {
	cv.t.Helper()
	if err := cv.c.PrintfLine(format, args...); err != nil {
		cv.t.Fatalf("sending %q: %v", format, err)
	}
	return cv.expect(code)
}

func (cv *conversation) expect(code int) string {
	cv.t.Helper()
	_, msg, err := cv.c.ReadResponse(code)
	if err != nil {
		cv.t.Fatalf("want reply %d, got: %v", code, err)
	}
	return msg
}

// logRecorder is an slog.Handler that keeps every record as text and can signal when
// a record with a given message is logged.
type logRecorder struct {
	mu      sync.Mutex
	lines   []string
	waiters map[string]chan struct{}
}

func newLogRecorder() *logRecorder { return &logRecorder{waiters: map[string]chan struct{}{}} }

func (l *logRecorder) logger() *slog.Logger { return slog.New(l) }

// on returns a channel closed once a record with this message is logged.
func (l *logRecorder) on(msg string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	l.waiters[msg] = ch
	return ch
}

func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, b.String())
	if ch, ok := l.waiters[r.Message]; ok {
		close(ch)
		delete(l.waiters, r.Message)
	}
	return nil
}

func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// send writes s as it is, for what PrintfLine would normalise.
func (cv *conversation) send(s string) {
	cv.t.Helper()
	if _, err := cv.c.W.WriteString(s); err != nil {
		cv.t.Fatalf("sending %q: %v", s, err)
	}
	if err := cv.c.W.Flush(); err != nil {
		cv.t.Fatalf("sending %q: %v", s, err)
	}
}

// eventually polls cond until it holds, failing the test after a generous while: for
// states reached by another goroutine that the test cannot wait for otherwise.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10s", what)
		}
	}
}
