package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/dashboard"
	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/server"
	"github.com/recmock/recmock/simulator"
)

// serveConfig is every serve flag, bound straight to its field.
type serveConfig struct {
	Addr         string
	SMTPAddr     string
	S3Addr       string
	DataDir      string
	Store        string
	Accounts     []recmock.Account
	S3Strict     bool
	S3Creds      map[string]string
	S3CORS       []string
	S3MaxBytes   int64
	SMTPSessions int
	LogFormat    string
	LogLevel     slog.Level
	JournalSize  int
	MaxBodyBytes int64
	AdminToken   string
	AllowedHosts []string
	// RequireToken is not a flag: tests set it to run serve as it runs on a non-loopback
	// address (a generated admin token), while listening on 127.0.0.1 only.
	RequireToken bool

	// The simulator's.
	RecordingFile  string
	SMTPRelay      string
	S3Endpoint     string
	PresignTTL     time.Duration
	WebhookTimeout time.Duration
	WebhookRetries int
	Seed           int64

	TLS        tlsFlags   // the API's and the fake S3's
	WebhookTLS webhookTLS // the simulator's
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "API, admin API and dashboard `address` (port 0 picks a free port)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", "127.0.0.1:1025", "SMTP sink `address`")
	fs.StringVar(&c.S3Addr, "s3-addr", "127.0.0.1:9000", "fake S3 `address`")
	fs.StringVar(&c.DataDir, "data-dir", "", "keep settings and S3 objects in this `directory` across restarts (empty: in memory)")
	fs.StringVar(&c.Store, "store", "", "keep settings, the request journal and webhook deliveries in the PostgreSQL database at this `URL` (postgres://user:password@host/db), shared by replicas")
	accountsFlag(fs, &c.Accounts, "an account as `user:apiKey:secret` (repeatable; default temasys:demo-key:demo-secret)")
	fs.BoolVar(&c.S3Strict, "s3-strict", false, "fake S3 checks SigV4 signatures and presigned-URL expiry against --s3-credentials")
	repeatable(fs, "s3-credentials", "s3-credentials", "fake S3 credentials as `KEY:SECRET` (repeatable; for --s3-strict)", func(s string) error {
		k, v, ok := strings.Cut(s, ":")
		if !ok || k == "" || v == "" {
			return fmt.Errorf("want KEY:SECRET, got %q", redactCreds(s))
		}
		if c.S3Creds == nil {
			c.S3Creds = map[string]string{}
		}
		c.S3Creds[k] = v
		return nil
	})
	repeatable(fs, "s3-cors-origin", "s3-cors-origins", "let web pages from `ORIGIN` (scheme://host:port, or * for any) call the fake S3 from a browser (repeatable; the dashboard's own origin always may, any other is refused)", func(s string) error {
		c.S3CORS = append(c.S3CORS, s)
		return nil
	})
	fs.Int64Var(&c.S3MaxBytes, "s3-max-bytes", fakes3.DefaultMaxBytes, "bound on what the fake S3 holds and receives, in `bytes` (each object counts 4 KiB more; in memory unless --data-dir); past it uploads get 507 XMinioStorageFull")
	fs.IntVar(&c.SMTPSessions, "smtp-max-sessions", smtpsink.DefaultMaxSessions, "bound on the SMTP sink's `connections` at once; more get 421 4.7.0")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.TextVar(&c.LogLevel, "log-level", slog.LevelInfo, "log `level`: debug (one line per request), info, warn or error")
	fs.StringVar(&c.RecordingFile, "recording-file", "", "upload this MP4 `file` for simulated recordings (default: a 2-second sample)")
	fs.StringVar(&c.SMTPRelay, "smtp-relay", "", "send notification e-mail through this SMTP `host:port` instead of the sink")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", "", "upload recordings to this S3-compatible `URL` (path-style) instead of the fake S3")
	fs.DurationVar(&c.PresignTTL, "presign-ttl", time.Hour, "how long a webhook's retrievalUrl stays valid (at most 168h)")
	fs.DurationVar(&c.WebhookTimeout, "webhook-timeout", 10*time.Second, "timeout of one webhook attempt, S3 upload or SMTP session")
	fs.IntVar(&c.WebhookRetries, "webhook-retries", 3, "webhook retries after the first attempt, on network errors, 5xx and 429 (0: none)")
	fs.Int64Var(&c.Seed, "seed", 0, "seed simulated events for reproducible values (0: random)")
	fs.IntVar(&c.JournalSize, "journal-size", 1000, "request journal bound, in `entries`")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "request body limit in `bytes`")
	fs.StringVar(&c.AdminToken, "admin-token", "", "`token` the admin API and dashboard require, also on loopback (default: none on loopback, generated and printed on other addresses)")
	repeatable(fs, "allowed-host", "allowed-hosts", "a Host `name` requests may use besides IP addresses and localhost: recmock.test, recmock.test:8080 or .team.example (repeatable)", func(s string) error {
		c.AllowedHosts = append(c.AllowedHosts, s)
		return nil
	})
	c.TLS.flags(fs, "the API and the fake S3")
	c.WebhookTLS.flags(fs)
}

func redactCreds(s string) string {
	k, _, _ := strings.Cut(s, ":")
	return k + ":***"
}

func serveCommand() *Command {
	return &Command{
		Name:      "serve",
		UsageLine: "serve [flags]",
		Short:     "run the mock API, SMTP sink, fake S3 and dashboard",
		Long: `Runs the mock API, the admin API and dashboard, the SMTP sink and the fake S3 until
interrupted (SIGINT or SIGTERM shut down gracefully).`,
		Env: envPrefix,
		Flags: func(fs *flag.FlagSet) runFunc {
			var cfg serveConfig
			cfg.flags(fs)
			return cfg.serve
		},
	}
}

// serve runs serve with its flags parsed, until ctx is done.
func (cfg *serveConfig) serve(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	logger, err := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "recmock serve: %v\n", err)
		return 2
	}
	tuneGC(cfg.memoryBound())
	m := &Main{Config: *cfg, Logger: logger, Out: stdout}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "recmock serve: %v\n", err)
		m.Close()
		return 1
	}
	// Starting parses openapi.yaml and more into garbage that, at GOGC=400, no collection
	// would reclaim before thousands of requests: give it back now, while serving.
	debug.FreeOSMemory()
	<-ctx.Done()
	logger.Info("shutting down")
	if err := m.Close(); err != nil {
		fmt.Fprintf(stderr, "recmock serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// tuneGC trades memory for throughput unless the user chose with GOGC or GOMEMLIMIT: the live
// heaps of serve and proxy are a few MiB, so collecting at 5x instead of 2x costs little RSS
// and, measured with wrk (BENCHMARKS.md), buys a fifth more requests per second for serve and
// a tenth for the proxy. The soft limit, what the process's stores may hold (at least 512
// MiB), keeps a full mailbox or bucket from letting the heap grow to five times its size:
// RSS stays near the bounds the flags give.
func tuneGC(bound int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(max(bound, 512<<20))
	}
}

// memoryBound is what serve may hold in memory with these flags: the SMTP sink's store, the
// fake S3's objects unless they live in --data-dir, and 128 MiB for everything else (journal,
// deliveries, buffers).
func (c *serveConfig) memoryBound() int64 {
	bound := int64(128<<20) + smtpsink.DefaultMaxStoreBytes
	if c.DataDir == "" {
		bound += c.S3MaxBytes
	}
	return bound
}

func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// Main is serve without its flags: end-to-end tests build one and call Run and Close.
type Main struct {
	Config serveConfig
	Logger *slog.Logger
	Out    io.Writer // startup lines

	*server.Server // the running parts, once Run has returned
}

// Run starts every part and prints where they listen; it returns once all accept connections.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if m.Out == nil {
		m.Out = io.Discard
	}
	cfg := m.Config
	sc := server.Config{
		Addr:            cfg.Addr,
		SMTPAddr:        cfg.SMTPAddr,
		S3Addr:          cfg.S3Addr,
		DataDir:         cfg.DataDir,
		Store:           cfg.Store,
		Accounts:        cfg.Accounts,
		S3Strict:        cfg.S3Strict,
		S3Credentials:   cfg.S3Creds,
		S3CORSOrigins:   cfg.S3CORS,
		S3MaxBytes:      cfg.S3MaxBytes,
		SMTPMaxSessions: cfg.SMTPSessions,
		JournalSize:     cfg.JournalSize,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		AdminToken:      cfg.AdminToken,
		RequireToken:    cfg.RequireToken,
		AllowedHosts:    cfg.AllowedHosts,
		UI:              dashboard.Handler(),
		SMTPRelay:       cfg.SMTPRelay,
		S3Endpoint:      cfg.S3Endpoint,
		PresignTTL:      cfg.PresignTTL,
		WebhookTimeout:  cfg.WebhookTimeout,
		WebhookRetries:  cfg.WebhookRetries,
		Logger:          m.Logger,

		TLSCertFile:     cfg.TLS.Cert,
		TLSKeyFile:      cfg.TLS.Key,
		TLSSelfSigned:   cfg.TLS.SelfSigned,
		TLSHosts:        cfg.TLS.Hosts,
		WebhookCAFile:   cfg.WebhookTLS.CA,
		WebhookInsecure: cfg.WebhookTLS.Insecure,
	}
	if cfg.WebhookRetries == 0 {
		sc.WebhookRetries = -1 // the flag's 0 means none; the library's zero means its default
	}
	if cfg.RecordingFile != "" {
		rec, err := simulator.ReadRecording(cfg.RecordingFile)
		if err != nil {
			return fmt.Errorf("--recording-file: %w", err)
		}
		sc.Recording = rec
	}
	if cfg.Seed != 0 {
		sc.Rand = rand.New(rand.NewPCG(uint64(cfg.Seed), 0))
	}
	srv, err := server.Start(sc)
	if err != nil {
		return err
	}
	m.Server = srv
	m.printStartup()
	m.Logger.Info("serving", "addr", srv.Addr())
	return nil
}

func (m *Main) printStartup() {
	cfg, base := m.Config, m.URL()
	dataDesc := "in memory (state is lost on exit; --data-dir keeps it)"
	if cfg.DataDir != "" {
		dataDesc = cfg.DataDir
	}
	if m.DB != nil {
		dataDesc = m.DB.String() + " (settings, journal, deliveries; shared with every replica on it)"
		if cfg.DataDir != "" {
			dataDesc += "; S3 objects in " + cfg.DataDir
		}
	}
	fmt.Fprintf(m.Out, "recmock %s\n", recmock.Version())
	fmt.Fprintf(m.Out, "  API        %s/rest/recording/notifications\n", base)
	// With a token, the one-time dashboard URL is the way in for a person, as Jupyter prints
	// it; a token the user chose is not echoed into logs that others may read.
	switch tok := m.AdminToken(); {
	case tok == "":
		fmt.Fprintf(m.Out, "  admin API  %s/_admin/\n", base)
		fmt.Fprintf(m.Out, "  dashboard  %s/\n", base)
	case cfg.AdminToken != "":
		fmt.Fprintf(m.Out, "  admin API  %s/_admin/   (needs Authorization: Bearer TOKEN, your --admin-token)\n", base)
		fmt.Fprintf(m.Out, "  dashboard  %s/?token=TOKEN   (open it once with your --admin-token: it sets a cookie and drops the token from the address)\n", base)
	default:
		fmt.Fprintf(m.Out, "  admin API  %s/_admin/   (needs Authorization: Bearer %s)\n", base, tok)
		fmt.Fprintf(m.Out, "  dashboard  %s/?token=%s   (open it once: it sets a cookie and drops the token from the address)\n", base, tok)
		fmt.Fprintf(m.Out, "  token      generated for this run, as serve listens beyond loopback (--admin-token sets one)\n")
	}
	fmt.Fprintf(m.Out, "  SMTP sink  %s   (captured mail: %s/_admin/emails)\n", m.Sink.Addr(), base)
	s3mode := "any credentials; buckets are created on first write"
	if cfg.S3Strict {
		s3mode = fmt.Sprintf("strict: SigV4 from %s:%s (bucket %s only) or the %d --s3-credentials key(s); presigned links expire", simulator.DefaultAccessKey, simulator.DefaultSecretKey, server.DefaultBucket, len(cfg.S3Creds))
	}
	fmt.Fprintf(m.Out, "  fake S3    %s   (%s)\n", m.S3.URL(), s3mode)
	fmt.Fprintf(m.Out, "  recordings POST %s/_admin/recordings {\"username\":\"...\"}   (webhook, S3 upload, e-mail; log: /_admin/deliveries)\n", base)
	fmt.Fprintf(m.Out, "  data       %s\n", dataDesc)
	m.printTLS()
	accounts := m.Mock.Accounts()
	for _, a := range accounts {
		secret := "***"
		if a == recmock.DefaultAccount() {
			secret = a.Secret
		}
		fmt.Fprintf(m.Out, "  account    %s  apiKey %s  secret %s\n", a.Username, a.APIKey, secret)
	}
	if a := accounts[0]; a == recmock.DefaultAccount() {
		cacert := ""
		if f := m.CAFile(); f != "" {
			cacert = "--cacert " + f + " "
		}
		fmt.Fprintf(m.Out, "Try: curl %s-u %s:%s %s/rest/recording/notifications   (Authorization: Basic %s)\n",
			cacert, a.APIKey, a.Secret, base, base64.StdEncoding.EncodeToString([]byte(a.APIKey+":"+a.Secret)))
	}
	fmt.Fprintln(m.Out, "Ready; Ctrl-C stops.")
}

// Close shuts everything down, letting in-flight requests finish for up to 10 seconds.
func (m *Main) Close() error {
	if m.Server == nil {
		return nil
	}
	return m.Server.Close()
}
