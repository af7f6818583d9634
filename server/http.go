package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recmock/recmock/simulator"
)

// Defaults of HTTPLimits.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultShutdownTimeout   = 10 * time.Second
)

// HTTPLimits bound the API server's connections (API, admin API, dashboard), so that
// clients that stall or idle cannot hold them, nor its file descriptors, for long. The
// zero value of each field means its default.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers; default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (bodies are at most
	// MaxBodyBytes); default 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from its headers to the end of its answer; default
	// 30s. Requests that wait by design get longer: GET /_admin/emails/wait its timeout
	// and 10s, POST /_admin/recordings what the simulator's upload, webhook retries and
	// e-mail may take at worst.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection without a request for that long;
	// default 60s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers, request line included; default 64 KiB.
	MaxHeaderBytes int
	// ShutdownTimeout is how long Close lets requests in progress finish, in all parts
	// together, before it closes their connections; default 10s.
	ShutdownTimeout time.Duration
}

func (l HTTPLimits) withDefaults() HTTPLimits {
	for _, d := range []struct {
		field *time.Duration
		def   time.Duration
	}{
		{&l.ReadHeaderTimeout, DefaultReadHeaderTimeout}, {&l.ReadTimeout, DefaultReadTimeout},
		{&l.WriteTimeout, DefaultWriteTimeout}, {&l.IdleTimeout, DefaultIdleTimeout},
		{&l.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.field <= 0 {
			*d.field = d.def
		}
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return l
}

// recordingTime is the longest POST /_admin/recordings may take: it runs the simulator
// in the request, the upload first, then the webhook, each attempt bounded by Timeout
// and each retry after a backoff or Retry-After of at most a minute, beside the
// e-mail.
func recordingTime(sc simulator.Config) time.Duration {
	timeout, retries := sc.Timeout, sc.Retries
	if timeout <= 0 {
		timeout = simulator.DefaultTimeout
	}
	switch {
	case retries == 0:
		retries = simulator.DefaultRetries
	case retries < 0:
		retries = 0
	}
	wait := max(simulator.DefaultBackoffMax, simulator.DefaultMaxRetryAfter)
	return timeout + time.Duration(retries+1)*timeout + time.Duration(retries)*wait
}

// serveHTTP serves the mock on ln, with the limits, until Close.
func (s *Server) serveHTTP(ln net.Listener, log *slog.Logger, recording time.Duration) {
	l := s.limits
	s.http = &http.Server{
		Handler:           s.guard(s.Mock, log, recording),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serve := s.http.Serve
	if s.tls.Config != nil {
		s.http.TLSConfig = s.tls.Config.Clone()
		serve = func(ln net.Listener) error { return s.http.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	s.closers = append(s.closers, func(ctx context.Context) error {
		err := s.http.Shutdown(ctx)
		if err == nil {
			return nil
		}
		n := s.active.logAll(log)
		s.http.Close()
		if n == 0 {
			return nil // only connections without a request were left: nothing was lost
		}
		return fmt.Errorf("API server: %d requests cut short: %w", n, err)
	})
}

// guard wraps h: it counts each request's body and keeps it in the active requests,
// logs a body that stalled past ReadTimeout, and gives the long admin request more
// time.
func (s *Server) guard(h http.Handler, log *slog.Logger, recording time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/_admin/recordings" {
			// Both deadlines: net/http cancels the request's context when the read
			// deadline passes, which would cut the simulator short.
			rc := http.NewResponseController(w)
			deadline := time.Now().Add(s.limits.ReadTimeout + recording)
			rc.SetReadDeadline(deadline)
			rc.SetWriteDeadline(deadline.Add(s.limits.WriteTimeout))
		}
		body := &countingBody{ReadCloser: r.Body}
		if r.Body != nil && r.Body != http.NoBody {
			// net/http decides whether to reuse the connection from the request's own
			// body once the handler returns: it gets it back.
			defer func(orig io.ReadCloser) { r.Body = orig }(r.Body)
			r.Body = body
		}
		done := s.active.add(r, body)
		defer done()
		h.ServeHTTP(w, r)
		if body.stalled.Load() {
			log.Warn("request body stalled past the read timeout", "method", r.Method, "path", r.URL.Path, "bytes_received", body.n.Load())
		}
	})
}

// countingBody counts what a request's body delivered, and whether it stalled.
type countingBody struct {
	io.ReadCloser
	n       atomic.Int64
	stalled atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		b.stalled.Store(true)
	}
	return n, err
}

// activeRequests are the requests being served, for the log of those a shutdown cuts
// short.
type activeRequests struct {
	mu   sync.Mutex
	reqs map[*activeRequest]struct{}
}

type activeRequest struct {
	method, path string
	body         *countingBody
}

func (a *activeRequests) add(r *http.Request, body *countingBody) (done func()) {
	req := &activeRequest{method: r.Method, path: r.URL.Path, body: body}
	a.mu.Lock()
	if a.reqs == nil {
		a.reqs = map[*activeRequest]struct{}{}
	}
	a.reqs[req] = struct{}{}
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		delete(a.reqs, req)
		a.mu.Unlock()
	}
}

// logAll logs every request being served, and returns how many there are.
func (a *activeRequests) logAll(log *slog.Logger) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	for r := range a.reqs {
		log.Warn("request cut short by shutdown", "method", r.method, "path", r.path, "bytes_received", r.body.n.Load())
	}
	return len(a.reqs)
}
