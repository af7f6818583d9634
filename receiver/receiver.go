// Package receiver is a webhook receiver for trying recmock out: it takes each POSTed
// RecordingCompletedEvent, checks it against openapi.yaml, keeps the newest ones in a bounded
// log and answers the status it is told to, failing the first ones on request so a sender's
// retries show. recmock receive runs it; tests use it in-process, httptest style.
package receiver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/recmock/recmock/internal/wire"
)

// Defaults of Config's zero values.
const (
	DefaultAddr          = "127.0.0.1:0"
	DefaultStatus        = http.StatusOK
	DefaultFailStatus    = http.StatusServiceUnavailable
	DefaultMaxEvents     = 1000
	DefaultMaxBodyBytes  = 1 << 20
	DefaultKeepBodyBytes = 16 << 10
	DefaultTimeout       = 30 * time.Second
)

// Config configures a Receiver. The zero value answers 200 to every event on a free loopback
// port.
type Config struct {
	// Addr is where Start listens. Default "127.0.0.1:0", a free loopback port.
	Addr string
	// Status answers every event after the first FailFirst. Any status from 200 to 599.
	// Default 200.
	Status int
	// FailFirst is how many events, from the first, are answered FailStatus instead. Default 0.
	FailFirst int
	// FailStatus answers the first FailFirst events; a 5xx or 429 makes senders retry.
	// Default 503.
	FailStatus int
	// MaxEvents bounds the events kept; the oldest are dropped and counted. Default 1000.
	MaxEvents int
	// MaxBodyBytes bounds a request body; a larger one is answered 413 unread. Default 1 MiB.
	MaxBodyBytes int64
	// KeepBodyBytes bounds the body kept with each event (the rest is dropped and the event
	// marked truncated), so MaxEvents events hold at most MaxEvents×KeepBodyBytes. Default
	// 16 KiB.
	KeepBodyBytes int
	// Timeout bounds reading a request (headers and body) and writing its answer; an idle
	// keep-alive connection is closed after twice as long. Default 30s.
	Timeout time.Duration
	// TLSConfig, when not nil, makes Start serve HTTPS with its certificates. Default nil.
	TLSConfig *tls.Config
	// OnEvent, when not nil, is called with every event once it is kept, before the answer
	// is written; calls for concurrent requests are concurrent. Default nil.
	OnEvent func(Event)
	// Now is the clock of Event.Time. Default time.Now.
	Now func() time.Time
	// Logger receives a line per event at debug level, and the server's errors. Default:
	// discard.
	Logger *slog.Logger
}

// ErrConfig is wrapped by the errors of New.
var ErrConfig = errors.New("receiver: invalid config")

// ErrStarted is returned by Start on a Receiver started before, or closed.
var ErrStarted = errors.New("receiver: started already, or closed")

// Receiver is a webhook receiver. It is an http.Handler, and Start serves it on Config.Addr.
type Receiver struct {
	cfg    Config
	spec   *wire.Validator
	events *eventLog

	mu      sync.Mutex // guards the fields below
	ln      net.Listener
	srv     *http.Server
	started bool
}

var _ http.Handler = (*Receiver)(nil)

// New returns a Receiver for cfg with its defaults filled in. It does not listen.
func New(cfg Config) (*Receiver, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Status == 0 {
		cfg.Status = DefaultStatus
	}
	if cfg.FailStatus == 0 {
		cfg.FailStatus = DefaultFailStatus
	}
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.KeepBodyBytes == 0 {
		cfg.KeepBodyBytes = DefaultKeepBodyBytes
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	for name, status := range map[string]int{"Status": cfg.Status, "FailStatus": cfg.FailStatus} {
		if status < 200 || status > 599 {
			errs = append(errs, fmt.Errorf("%s %d: want an HTTP status from 200 to 599", name, status))
		}
	}
	if cfg.FailFirst < 0 || cfg.MaxEvents < 0 || cfg.MaxBodyBytes < 0 || cfg.KeepBodyBytes < 0 || cfg.Timeout < 0 {
		errs = append(errs, errors.New("FailFirst, MaxEvents, MaxBodyBytes, KeepBodyBytes and Timeout must not be negative"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	spec, err := wire.Spec()
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	return &Receiver{cfg: cfg, spec: spec, events: newEventLog(cfg.MaxEvents)}, nil
}

// NewServer is New followed by Start, like httptest.NewServer.
func NewServer(cfg Config) (*Receiver, error) {
	r, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := r.Start(); err != nil {
		return nil, err
	}
	return r, nil
}

// Start listens on Config.Addr and serves in the background until Close.
func (r *Receiver) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return ErrStarted
	}
	ln, err := net.Listen("tcp", r.cfg.Addr)
	if err != nil {
		return fmt.Errorf("receiver: %w", err)
	}
	r.started, r.ln = true, ln
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: r.cfg.Timeout,
		ReadTimeout:       r.cfg.Timeout,
		WriteTimeout:      r.cfg.Timeout,
		IdleTimeout:       2 * r.cfg.Timeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(r.cfg.Logger.Handler(), slog.LevelWarn),
	}
	r.srv = srv
	serve := srv.Serve
	if r.cfg.TLSConfig != nil {
		srv.TLSConfig = r.cfg.TLSConfig.Clone()
		serve = func(ln net.Listener) error { return srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.cfg.Logger.Error("receiver: serve stopped", "err", err)
		}
	}()
	return nil
}

// URL is "http://ipaddr:port" ("https://" with Config.TLSConfig), without a trailing slash,
// or "" before Start.
func (r *Receiver) URL() string {
	a := r.Addr()
	switch {
	case a == "":
		return ""
	case r.cfg.TLSConfig != nil:
		return "https://" + a
	}
	return "http://" + a
}

// Addr is the address Start listens on, or "" before Start.
func (r *Receiver) Addr() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil {
		return ""
	}
	return r.ln.Addr().String()
}

// Close stops listening and waits up to 10 seconds for requests in flight. Closing twice,
// or a Receiver never started, is harmless.
func (r *Receiver) Close() error {
	r.mu.Lock()
	srv := r.srv
	r.srv, r.started = nil, true
	r.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("receiver: %w", err)
	}
	return nil
}

// Events returns the events kept, newest first, with how many were dropped.
func (r *Receiver) Events() (events []Event, dropped int64) { return r.events.list() }

// Reset forgets every event, the dropped count and the meetingIds seen, and starts counting
// FailFirst again.
func (r *Receiver) Reset() { r.events.reset() }
