package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/recmock/recmock/proxy"
)

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		cfg       proxy.Config
		addr      string
		logFormat string
		logLevel  slog.Level
	)
	fs := flag.NewFlagSet("recmock proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Upstream, "upstream", "", "the deployment's base `URL` (required), e.g. https://api.example.com")
	fs.StringVar(&addr, "addr", "127.0.0.1:8081", "listen `address` (port 0 picks a free port)")
	fs.BoolVar(&cfg.Annotate, "annotate", false, "add an X-Recmock-Violations header to responses of exchanges with violations")
	fs.BoolVar(&cfg.FailOnViolation, "fail-on-violation", false, "answer 502 with the envelope instead of a response that comes with violations, and exit 1 if any occurred")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "how long to wait for the upstream's response headers before answering 504")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", 1<<20, "bodies larger than this many `bytes` stream through unvalidated")
	fs.IntVar(&cfg.JournalSize, "journal-size", 1000, "journal bound, in `entries` (GET "+proxy.JournalPath+")")
	fs.StringVar(&logFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.TextVar(&logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: recmock proxy --upstream URL [flags]

Sits between an application and a real deployment, forwards every request and response
unchanged, and checks both against openapi.yaml and the API's rules. Violations name the side
that broke the contract (client or server), the field, the rule and the value (secrets
masked); they go to the log, to the journal at %s, optionally to an
X-Recmock-Violations header, and to a summary printed on exit.

Flags:
`, proxy.JournalPath)
		printFlags(stderr, fs)
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if cfg.Upstream == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "recmock proxy: --upstream URL is required, and nothing else")
		return 2
	}
	logger, err := newLogger(stderr, logFormat, logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "recmock proxy: %v\n", err)
		return 2
	}
	cfg.Logger = logger
	tuneGC() // as serve does: the proxy's live heap is small, and it allocates per exchange
	p, err := proxy.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "recmock proxy: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "recmock proxy: --addr: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("proxy server", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "recmock proxy %s\n  listening  http://%s\n  upstream   %s\n  journal    http://%s%s\nReady; Ctrl-C stops and prints a summary.\n",
		version(), ln.Addr(), cfg.Upstream, ln.Addr(), proxy.JournalPath)
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	s := p.Summary()
	s.WriteSummary(stdout)
	if cfg.FailOnViolation && s.WithViolations > 0 {
		return 1
	}
	return 0
}
