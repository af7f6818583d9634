package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	bolt "go.etcd.io/bbolt"
)

// Server is a fake S3 endpoint. Use it in-process through Handler (with
// httptest) or Start it on Config.Addr.
type Server struct {
	cfg      Config
	backend  gofakes3.Backend
	db       *bolt.DB // nil in memory
	verifier *verifier
	quota    *quota
	reqID    atomic.Uint64

	// state excludes Reset from requests: requests hold it for reading
	// while they run, Reset for writing, so Reset waits for in-flight
	// requests and no request sees a half-reset store.
	state sync.RWMutex
	faker http.Handler // gofakes3, rebuilt by Reset

	mu     sync.Mutex // guards the fields below
	ln     net.Listener
	srv    *http.Server
	closed bool
	active map[*inflight]struct{} // requests being served, for Shutdown's log
}

// inflight is a request being served.
type inflight struct {
	method, path string
	body         *countingBody
}

var _ http.Handler = (*Server)(nil)

// New builds a Server from cfg (see Config for defaults) and creates
// cfg.Buckets. It does not listen; call Start, or serve Handler yourself.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	store, db, err := openBackend(cfg)
	if err != nil {
		return nil, err
	}
	q := newQuota(cfg.MaxObjectBytes, cfg.MaxBytes)
	backend := quotaBackend{store, q}
	s := &Server{
		cfg:      cfg,
		backend:  backend,
		db:       db,
		verifier: newVerifier(cfg.Credentials, cfg.Now),
		quota:    q,
		faker:    newFaker(backend, cfg).Server(),
		active:   map[*inflight]struct{}{},
	}
	if err := backend.scan(); err != nil {
		s.closeDB()
		return nil, err
	}
	for _, b := range cfg.Buckets {
		if err := ensureBucket(backend, b); err != nil {
			s.closeDB()
			return nil, err
		}
	}
	return s, nil
}

// NewServer is New followed by Start, like httptest.NewServer.
func NewServer(cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		s.closeDB()
		return nil, err
	}
	return s, nil
}

// Start listens on Config.Addr and serves in the background until Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrServerClosed
	case s.ln != nil:
		return ErrServerStarted
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("s3: listening on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	// ReadTimeout and WriteTimeout hold for requests without a body; ServeHTTP
	// extends them by MinRate for bodies (see deadlines).
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	srv, serve := s.srv, s.srv.Serve
	if s.cfg.TLSConfig != nil {
		srv.TLSConfig = s.cfg.TLSConfig.Clone()
		serve = func(ln net.Listener) error { return srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("s3: serve stopped", "err", err)
		}
	}()
	s.cfg.Logger.Info("s3: listening", "url", s.scheme()+ln.Addr().String(), "config", s.cfg)
	return nil
}

// URL is "http://ipaddr:port" ("https://" with Config.TLSConfig) with no
// trailing slash, or "" before Start.
func (s *Server) URL() string {
	if a := s.Addr(); a != "" {
		return s.scheme() + a
	}
	return ""
}

func (s *Server) scheme() string {
	if s.cfg.TLSConfig != nil {
		return "https://"
	}
	return "http://"
}

// Addr is the address Start listens on ("127.0.0.1:port"), or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Handler serves the S3 API; the Server itself is the handler.
func (s *Server) Handler() http.Handler { return s }

// Close stops listening, lets requests in progress finish for up to
// Config.ShutdownTimeout, closes what is still open, and closes the data file.
// Closing twice is harmless.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown is Close with ctx for the deadline: when ctx ends before the requests in
// progress do, whatever the clients are doing, their connections are closed, each
// request is logged with the bytes it had sent, and the error wraps ctx's (when only
// connections without a request were left, they are closed without an error). Either
// way the server is closed when Shutdown returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	srv := s.srv
	s.mu.Unlock()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			// Connections still open with no request in progress (net/http reading
			// past a refused upload's body, say) lose nothing when closed: only
			// requests cut short are an error.
			n := s.logCutShort()
			srv.Close()
			if n > 0 {
				errs = append(errs, fmt.Errorf("s3: shutting down: %d requests cut short: %w", n, err))
			}
		}
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	// Requests served through Handler by someone else's listener may
	// still run; wait for them before closing the file under them.
	s.state.Lock()
	defer s.state.Unlock()
	return errors.Join(append(errs, s.closeDB())...)
}

// logCutShort logs the requests in progress, and returns how many there are.
func (s *Server) logCutShort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for r := range s.active {
		s.cfg.Logger.Warn("s3: request cut short by shutdown", "method", r.method, "path", r.path, "bytes_received", r.body.n.Load())
	}
	return len(s.active)
}

// track records a request in progress until done is called.
func (s *Server) track(r *http.Request, body *countingBody) (done func()) {
	in := &inflight{method: r.Method, path: r.URL.EscapedPath(), body: body}
	s.mu.Lock()
	s.active[in] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.active, in)
		s.mu.Unlock()
	}
}

// Usage returns the bytes that count against Config.MaxBytes (objects, uploads in
// progress and being received, each with ObjectOverhead) and the bound itself.
func (s *Server) Usage() (used, max int64) { return s.quota.usage(), s.cfg.MaxBytes }

func (s *Server) closeDB() error {
	if s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("s3: closing %s: %w", s.cfg.DataPath, err)
	}
	return nil
}

// CreateBucket creates a bucket unless it exists already.
func (s *Server) CreateBucket(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.state.RLock()
	defer s.state.RUnlock()
	if err := s.usable(); err != nil {
		return err
	}
	return ensureBucket(s.backend, name)
}

// Reset deletes every object and bucket and forgets multipart uploads in
// progress, then creates Config.Buckets again. It waits for in-flight
// requests.
func (s *Server) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.state.Lock()
	defer s.state.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if err := deleteAll(s.backend); err != nil {
		return err
	}
	s.faker = newFaker(s.backend, s.cfg).Server()
	s.quota.resetUploads()
	for _, b := range s.cfg.Buckets {
		if err := ensureBucket(s.backend, b); err != nil {
			return err
		}
	}
	return nil
}

// Objects lists every object in every bucket, by bucket then key, at most
// MaxListedObjects of them.
func (s *Server) Objects(ctx context.Context) ([]Object, error) {
	s.state.RLock()
	defer s.state.RUnlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	return listObjects(ctx, s.backend, MaxListedObjects)
}

// usable reports ErrServerClosed once the data file is closed. The caller
// holds s.state.
func (s *Server) usable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	return nil
}

// Client returns an aws-sdk-go-v2 S3 client for this server (URL, path-style
// addressing, Config.Region, static credentials). Call it after Start; for a
// Handler served elsewhere use ClientFor.
func (s *Server) Client(accessKey, secret string) *s3.Client {
	return s.ClientFor(s.URL(), accessKey, secret)
}

// ClientFor is Client for a server reached at baseURL, such as an
// httptest.Server running Handler.
func (s *Server) ClientFor(baseURL, accessKey, secret string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(baseURL),
		UsePathStyle: true,
		Region:       s.cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		// What config.LoadDefaultConfig resolves to; s3.New alone leaves
		// them unset, which would skip the CRC32 checksums real
		// applications send.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}
