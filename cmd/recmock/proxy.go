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
	"strings"
	"time"

	"github.com/recmock/recmock/proxy"
)

// proxyConfig is every proxy flag, bound straight to its field.
type proxyConfig struct {
	proxy.Config
	Addr        string
	LogFormat   string
	LogLevel    slog.Level
	MaxAccounts int // --max-accounts; 0 turns the state checks off
}

func (c *proxyConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Upstream, "upstream", "", "the deployment's base `URL` (required), e.g. https://api.example.com")
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8081", "listen `address` (port 0 picks a free port)")
	fs.BoolVar(&c.Annotate, "annotate", false, "add an X-Recmock-Violations header to responses of exchanges with violations")
	fs.BoolVar(&c.FailOnViolation, "fail-on-violation", false, "answer 502 with the envelope instead of a response that comes with violations, and exit 1 if any occurred")
	fs.DurationVar(&c.Timeout, "timeout", 30*time.Second, "how long to wait for the upstream's response headers before answering 504")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "bodies larger than this many `bytes` stream through unvalidated")
	fs.IntVar(&c.JournalSize, "journal-size", 1000, "journal bound, in `entries` (GET "+proxy.JournalPath+")")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.TextVar(&c.LogLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error")
	accountsFlag(fs, &c.Accounts, "a deployment's account as `user:apiKey:secret` (repeatable): answers must name its username, its credentials pass, others' fail")
	fs.IntVar(&c.MaxAccounts, "max-accounts", 1000, "remember the last answer of this many `accounts` (least recently seen forgotten first) to flag contradictions (0: none)")
}

func proxyCommand() *Command {
	return &Command{
		Name:      "proxy",
		UsageLine: "proxy --upstream URL [flags]",
		Short:     "validate live traffic between an application and a deployment",
		Long: `Sits between an application and a real deployment, forwards every request and response
unchanged, and checks both against openapi.yaml and the API's rules. Violations name the side
that broke the contract (client or server), the field, the rule and the value (secrets
masked); they go to the log, to the journal at ` + proxy.JournalPath + `, optionally to an
X-Recmock-Violations header, and to a summary printed on exit.

Beyond each exchange on its own, the proxy remembers, per account, what the last answer
showed, and flags an answer that contradicts it: a GET that does not show the last
acknowledged write, a POST accepted where settings exist, a PUT accepted where none do,
data changed by a refused write. It assumes it sees every write of the accounts it
tracks. With --account it also knows each account's username and credentials.

Exit status: 0, or 1 with --fail-on-violation when any exchange had a violation; 2 on bad
flags.`,
		// Its own prefix: serve and proxy both have --addr and --max-body-bytes, meaning
		// different things, and one shell may well run both.
		Env: envPrefix + "PROXY_",
		Flags: func(fs *flag.FlagSet) runFunc {
			var c proxyConfig
			c.flags(fs)
			return c.run
		},
	}
}

// run proxies until ctx is done, then prints the summary.
func (c *proxyConfig) run(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	cfg, addr := c.Config, c.Addr
	if cfg.Upstream == "" {
		fmt.Fprintln(stderr, "recmock proxy: --upstream URL is required; see 'recmock proxy --help'")
		return 2
	}
	switch {
	case c.MaxAccounts < 0:
		fmt.Fprintln(stderr, "recmock proxy: --max-accounts: want 0 or more; see 'recmock proxy --help'")
		return 2
	case c.MaxAccounts == 0:
		cfg.MaxAccounts = -1 // proxy.Config's "none"
	default:
		cfg.MaxAccounts = c.MaxAccounts
	}
	logger, err := newLogger(stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "recmock proxy: %v\n", err)
		return 2
	}
	cfg.Logger = logger
	tuneGC(0) // as serve does: the proxy's live heap is small, and it allocates per exchange
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
	accounts := "told apart by apiKey (--account checks usernames and credentials)"
	if len(cfg.Accounts) > 0 {
		names := make([]string, len(cfg.Accounts))
		for i, a := range cfg.Accounts {
			names[i] = a.String()
		}
		accounts = strings.Join(names, ", ")
	}
	fmt.Fprintf(stdout, "recmock proxy %s\n  listening  http://%s\n  upstream   %s\n  journal    http://%s%s\n  accounts   %s\nReady; Ctrl-C stops and prints a summary.\n",
		version(), ln.Addr(), cfg.Upstream, ln.Addr(), proxy.JournalPath, accounts)
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
