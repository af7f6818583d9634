// Package server assembles a whole recmock — the mock API, the SMTP sink, the fake S3 and the
// event simulator, wired to each other — as `recmock serve` runs it. recmocktest runs the
// same assembly inside a Go test.
package server

import (
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/recmock/recmock"
	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
	"github.com/recmock/recmock/simulator"
)

// DefaultBucket receives recordings of accounts without S3 settings.
const DefaultBucket = "recmock-recordings"

// Config configures a Server. The zero value runs everything in memory on free loopback ports.
type Config struct {
	// Addr serves the API, the admin API and the UI. Default "127.0.0.1:0".
	Addr string
	// SMTPAddr is the SMTP sink's address. Default "127.0.0.1:0".
	SMTPAddr string
	// S3Addr is the fake S3's address. Default "127.0.0.1:0".
	S3Addr string
	// DataDir keeps settings (settings.db) and S3 objects (s3.db) across restarts. Default
	// "": in memory.
	DataDir string
	// Store is a postgres:// URL: the settings, the request journal and the webhook
	// deliveries live in that database (pgstore), shared by every replica started with it.
	// Default "": settings in DataDir or memory, journal and deliveries in memory.
	Store string
	// Accounts may authenticate. Default recmock.DefaultAccount().
	Accounts []recmock.Account
	// S3Strict makes the fake S3 check SigV4 signatures against S3Credentials, plus the
	// simulator's own key (simulator.DefaultAccessKey), which may use DefaultBucket only.
	S3Strict bool
	// S3Credentials maps access key IDs to secrets, for strict mode; they may use every
	// bucket. simulator.DefaultAccessKey is taken.
	S3Credentials map[string]string
	// S3CORSOrigins are origins whose pages may call the fake S3 from a browser, beside
	// the dashboard's own (the API's URL), which always may. Default none.
	S3CORSOrigins []string
	// S3MaxBytes bounds what the fake S3 holds and receives together. Default
	// fakes3.DefaultMaxBytes (1 GiB).
	S3MaxBytes int64
	// SMTPMaxSessions bounds the SMTP sink's connections. Default
	// smtpsink.DefaultMaxSessions (100).
	SMTPMaxSessions int
	// JournalSize bounds the request journal. Default 1000.
	JournalSize int
	// MaxBodyBytes bounds request bodies. Default 1 MiB.
	MaxBodyBytes int64
	// UI serves the dashboard at "/". Default: none.
	UI http.Handler

	// AdminToken protects the admin API and the dashboard (mock.Config.AdminToken). Default
	// "": none while Addr is a loopback address; a random one (see Server.AdminToken) when it
	// is not, or when RequireToken is set. Given, it is required on loopback too: a shared
	// machine's other users reach its loopback.
	AdminToken string
	// RequireToken generates an AdminToken, when none is given, even on loopback: what a
	// non-loopback Addr does, for tests, which listen on 127.0.0.1 only.
	RequireToken bool
	// AllowedHosts are names besides IP literals and localhost that requests may send as Host
	// (mock.Config.AllowedHosts). Default: none, and on a non-loopback Addr any Host passes;
	// given, they are checked on any address.
	AllowedHosts []string

	// HTTP bounds the API server's connections; see HTTPLimits for the defaults. The
	// fakes have their own, with the same defaults.
	HTTP HTTPLimits

	// Recording is the MP4 uploaded for simulated recordings. Default: the sample.
	Recording []byte
	// SMTPRelay sends notification e-mail through this host:port instead of the sink.
	SMTPRelay string
	// S3Endpoint uploads recordings to this S3-compatible URL instead of the fake S3.
	S3Endpoint string
	// PresignTTL is how long a retrievalUrl stays valid. Default 1h.
	PresignTTL time.Duration
	// WebhookTimeout bounds one webhook attempt, upload or SMTP session. Default 10s.
	WebhookTimeout time.Duration
	// WebhookRetries after the first attempt. Zero means the simulator's default (3);
	// negative means none.
	WebhookRetries int
	// Rand seeds simulated events. Default: random.
	Rand *rand.Rand

	// TLSCertFile and TLSKeyFile serve the API and the fake S3 over HTTPS with this
	// certificate and key (PEM; the certificate file may hold its chain). Default "": HTTP.
	TLSCertFile, TLSKeyFile string
	// TLSSelfSigned serves HTTPS with a certificate for localhost, 127.0.0.1, ::1, the
	// listen hosts, the machine's host name and TLSHosts, signed by an authority recmock
	// makes: kept in DataDir/tls/ (ca.pem, ca-key.pem) and reused on restart, or written to
	// a temporary directory for this run. CAFile names its certificate. Default false.
	TLSSelfSigned bool
	// TLSHosts are more names the self-signed certificate covers, such as a compose service
	// name. Default none.
	TLSHosts []string
	// WebhookCAFile holds PEM certificates the simulator trusts besides the system's roots,
	// for receivers (and an S3Endpoint) signed by a private authority. Default "".
	WebhookCAFile string
	// WebhookInsecure makes the simulator trust any certificate. Default false.
	WebhookInsecure bool

	// Logger receives every part's logs, each tagged with its part. Default: discard.
	Logger *slog.Logger
}

// Server is a running recmock. Its parts are exported for tests and for serve's startup lines.
type Server struct {
	Mock      *mock.Server
	Sink      *smtpsink.Sink
	S3        *fakes3.Server
	Simulator *simulator.Simulator
	DB        *pgstore.DB // the shared database, when Config.Store names one

	http    *http.Server
	addr    string
	tls     serverTLS
	token   string
	limits  HTTPLimits
	active  activeRequests
	closers []func(context.Context) error
}

// Start starts every part and returns once all of them accept connections. On error,
// whatever had started is closed again.
func Start(cfg Config) (_ *Server, err error) {
	s := &Server{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	for _, a := range []*string{&cfg.Addr, &cfg.SMTPAddr, &cfg.S3Addr} {
		if *a == "" {
			*a = "127.0.0.1:0"
		}
	}
	s.limits = cfg.HTTP.withDefaults()
	if _, taken := cfg.S3Credentials[simulator.DefaultAccessKey]; taken {
		return nil, fmt.Errorf("S3 credentials: access key %q is recmock's own, limited to bucket %s; choose another", simulator.DefaultAccessKey, DefaultBucket)
	}
	if s.tls, err = setupTLS(cfg); err != nil {
		return nil, err
	}
	if dir := s.tls.TempDir; dir != "" {
		s.closers = append(s.closers, func(context.Context) error { return os.RemoveAll(dir) })
	}
	store, err := s.openStore(cfg)
	if err != nil {
		return nil, err
	}

	// Listen first: where the API listens decides what the mock guards, and its URL is
	// the dashboard's origin, which the fake S3 must allow.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("API address: %w", err)
	}
	s.closers = append(s.closers, func(context.Context) error {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	s.addr = ln.Addr().String()
	loopback := isLoopback(ln.Addr())
	s.token = cfg.AdminToken
	if s.token == "" && (!loopback || cfg.RequireToken) {
		s.token = newToken()
	}

	if s.Sink, err = smtpsink.New(smtpsink.Config{Addr: cfg.SMTPAddr, MaxSessions: cfg.SMTPMaxSessions, Logger: cfg.Logger.With("part", "smtp")}); err != nil {
		return nil, err
	}
	if err := s.Sink.Start(); err != nil {
		return nil, fmt.Errorf("SMTP address: %w", err)
	}
	s.closers = append(s.closers, s.Sink.Shutdown)

	if s.S3, err = fakes3.New(s3Config(cfg, dashboardOrigins(s.scheme(), cfg.Addr, s.addr), s.tls.Config)); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.S3.Shutdown)
	if err := s.S3.Start(); err != nil {
		return nil, fmt.Errorf("S3 address: %w", err)
	}

	sc := s.simulatorConfig(cfg)
	if s.Simulator, err = simulator.New(sc); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func(context.Context) error { s.Simulator.Close(); return nil })

	var journal mock.Journal
	if s.DB != nil {
		journal = s.DB.Journal()
	}
	if s.Mock, err = mock.New(mock.Config{
		AdminToken:   s.token,
		AllowedHosts: cfg.AllowedHosts,
		AnyHost:      !loopback && len(cfg.AllowedHosts) == 0,
		Accounts:     cfg.Accounts,
		Store:        store,
		Journal:      journal,
		JournalSize:  cfg.JournalSize,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Logger:       cfg.Logger,
		UI:           cfg.UI,
		Notifier:     s.Simulator,
		Mounts: map[string]http.Handler{
			"/_admin/emails":     s.Sink.Handler(),
			"/_admin/objects":    s.S3.ObjectsHandler(),
			"/_admin/deliveries": s.Simulator.Handler(),
		},
		OnReset: []func(context.Context) error{
			func(context.Context) error { s.Sink.Reset(); return nil },
			s.S3.Reset,
			s.Simulator.Reset,
		},
	}); err != nil {
		return nil, err
	}

	s.serveHTTP(ln, cfg.Logger, recordingTime(sc))
	return s, nil
}

// dashboardOrigins are the origins a browser may show the dashboard under: the API's
// URL, the address as configured when it names a host, and localhost for a loopback
// address.
func dashboardOrigins(scheme, configured, bound string) []string {
	origins := []string{scheme + bound}
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return origins
	}
	if h, _, err := net.SplitHostPort(configured); err == nil && h != "" && net.ParseIP(h) == nil {
		origins = append(origins, scheme+net.JoinHostPort(h, port))
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		origins = append(origins, scheme+net.JoinHostPort("localhost", port))
	}
	return slices.Compact(origins)
}

// s3Config is the fake S3's configuration. The simulator uploads recordings of accounts
// without S3 settings with its default credentials; strict mode must know them, as AWS
// would know recmock's own account.
func s3Config(cfg Config, dashboard []string, tlsConfig *tls.Config) fakes3.Config {
	creds := maps.Clone(cfg.S3Credentials)
	var scopes map[string][]string
	if cfg.S3Strict {
		if creds == nil {
			creds = map[string]string{}
		}
		// The key is printed on start and known to all: it may use the default bucket
		// only, as an IAM policy would limit recmock's own account.
		creds[simulator.DefaultAccessKey] = simulator.DefaultSecretKey
		scopes = map[string][]string{simulator.DefaultAccessKey: {DefaultBucket}}
	}
	c := fakes3.Config{
		Addr:              cfg.S3Addr,
		Strict:            cfg.S3Strict,
		Credentials:       creds,
		CredentialBuckets: scopes,
		CORSOrigins:       append(dashboard, cfg.S3CORSOrigins...),
		MaxBytes:          cfg.S3MaxBytes,
		Buckets:           []string{DefaultBucket},
		Logger:            cfg.Logger.With("part", "s3"),
		TLSConfig:         tlsConfig,
	}
	if cfg.DataDir != "" {
		c.DataPath = filepath.Join(cfg.DataDir, "s3.db")
	}
	return c
}

// simulatorConfig aims the simulator at the sink and the fake S3, or at the relay and the
// endpoint the configuration names.
func (s *Server) simulatorConfig(cfg Config) simulator.Config {
	sc := simulator.Config{
		S3Endpoint:    s.S3.URL(),
		DefaultBucket: DefaultBucket,
		SMTPAddr:      s.Sink.Addr(),
		PresignTTL:    cfg.PresignTTL,
		Timeout:       cfg.WebhookTimeout,
		Retries:       cfg.WebhookRetries,
		Recording:     cfg.Recording,
		Rand:          cfg.Rand,
		TLS:           s.tls.simulatorTLS(cfg),
		Logger:        cfg.Logger.With("part", "simulator"),
	}
	if cfg.S3Endpoint != "" {
		sc.S3Endpoint = cfg.S3Endpoint
	}
	if cfg.SMTPRelay != "" {
		sc.SMTPAddr = cfg.SMTPRelay
	}
	if s.DB != nil {
		sc.Deliveries = s.DB.Deliveries()
	}
	return sc
}

// isLoopback reports whether a listener's address is reachable from this machine only.
func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// newToken returns 32 random bytes, base64url-encoded: as many bits as an AES-256 key, and
// safe in a header, a URL and a cookie.
func newToken() string {
	var b [32]byte
	crand.Read(b[:]) // never fails: it crashes the program rather than return less
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// AdminToken is the token the admin API and the dashboard require: Config.AdminToken, or the
// one Start generated; "" when none is required.
func (s *Server) AdminToken() string { return s.token }

// URL is the API's base URL, "http://127.0.0.1:port" ("https://" when serving TLS), without
// a trailing slash.
func (s *Server) URL() string { return s.scheme() + s.addr }

func (s *Server) scheme() string {
	if s.tls.Config != nil {
		return "https://"
	}
	return "http://"
}

// CAFile is the file holding the self-signed authority's certificate, which clients trust
// (curl --cacert, AWS_CA_BUNDLE), or "" without Config.TLSSelfSigned.
func (s *Server) CAFile() string { return s.tls.CAFile }

// Addr is the API's listening address.
func (s *Server) Addr() string { return s.addr }

// Close shuts everything down, last started first, letting requests in progress finish
// for up to HTTPLimits.ShutdownTimeout in all; what is still open then is closed and
// logged. It is safe to call more than once.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.limits.withDefaults().ShutdownTimeout)
	defer cancel()
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i](ctx))
	}
	s.closers = nil
	return errors.Join(errs...)
}
