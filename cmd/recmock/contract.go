package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/recmock/recmock/contract"
)

// contractConfig is every contract flag, bound straight to its field.
type contractConfig struct {
	contract.Config
	Run, Skip    string
	TotalTimeout time.Duration
	JUnit, JSON  string
	Verbose      bool
	List         bool
}

// commonFlags are the flags of both `contract` and `contract webhook`.
func (c *contractConfig) commonFlags(fs *flag.FlagSet) {
	fs.Func("basic", "HTTP Basic credentials as `key:secret` (the secret may hold colons)", func(s string) error {
		key, secret, ok := strings.Cut(s, ":")
		if !ok || key == "" || secret == "" {
			return fmt.Errorf("want key:secret, got %q", redactCreds(s))
		}
		c.APIKey, c.Secret = key, secret
		return nil
	})
	fs.Func("header", "add `'Name: value'` to every request (repeatable), for cookie or token auth; values are masked in output", func(s string) error {
		name, value, err := contract.ParseHeader(s)
		if err != nil {
			return err
		}
		if c.Header == nil {
			c.Header = http.Header{}
		}
		c.Header.Add(name, value)
		return nil
	})
	fs.StringVar(&c.Run, "run", "", "run only the checks whose ID matches this `regexp`")
	fs.StringVar(&c.Skip, "skip", "", "skip the checks whose ID matches this `regexp`, e.g. '^decision\\.' for recmock's own status-code decisions")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "bound on each request")
	fs.DurationVar(&c.TotalTimeout, "total-timeout", 5*time.Minute, "bound on the whole run, restore excluded (0: none)")
	fs.StringVar(&c.JUnit, "junit", "", "also write the report as JUnit XML to `file`")
	fs.StringVar(&c.JSON, "json", "", "also write the report as JSON to `file`")
	fs.BoolVar(&c.Verbose, "verbose", false, "write every request and response to stderr, secrets masked")
	fs.BoolVar(&c.List, "list", false, "list the checks, their IDs and questions, and exit")
}

func contractCommand() *Command {
	return &Command{
		Name:      "contract",
		UsageLine: "contract --base-url URL [flags]",
		Short:     "check a deployment (or a webhook receiver) against openapi.yaml",
		Long: `Checks a deployment of the Recording Notification API against openapi.yaml and the rules
recmock documents, one named check at a time, and reports each as PASS, FAIL or SKIP.

Only GET requests are sent unless --allow-writes is given. With it, the account's settings
are read first and put back at the end, whatever happens (failures, Ctrl-C), and GET is
checked to answer them byte for byte as before. The API has no DELETE: an account that had
no settings is left with {"notify":false}, and the report says so.

The HTTP status codes of errors are recmock's decisions (the vendor documents none): the
decision.* checks assert them, the others only note what they observed.

Exit status: 0 when no selected check fails (skipped ones say why), 1 when one fails or the
settings could not be restored, 2 on bad flags.`,
		Flags: func(fs *flag.FlagSet) runFunc {
			var cfg contractConfig
			fs.StringVar(&cfg.BaseURL, "base-url", "", "the deployment's base `URL`, with any path prefix; requests go to URL/rest/recording/notifications")
			fs.StringVar(&cfg.Username, "username", "", "the `name` data.username must be (default: any non-empty name)")
			fs.BoolVar(&cfg.AllowWrites, "allow-writes", false, "run the checks that POST and PUT; the account's settings are saved first and restored at the end")
			cfg.commonFlags(fs)
			return func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
				if cfg.List {
					return listChecks(stdout, contract.Checks())
				}
				if cfg.BaseURL == "" {
					fmt.Fprintln(stderr, "recmock contract: --base-url is required; see 'recmock contract --help'")
					return 2
				}
				return cfg.run(ctx, "recmock contract", contract.Checks(), stdout, stderr)
			}
		},
		Commands: []*Command{{
			Name:      "webhook",
			UsageLine: "webhook --url URL [flags]",
			Short:     "check a webhook receiver",
			Long: `Checks a webhook receiver: valid RecordingCompletedEvents answered with a 2xx within
--timeout, the same event twice tolerated, malformed, mistyped, empty and oversized (2 MiB)
bodies and wrong methods answered without a 5xx. The events look real: point it at a test
receiver.

Exit status: 0 when no selected check fails, 1 when one fails, 2 on bad flags.`,
			Flags: func(fs *flag.FlagSet) runFunc {
				var cfg contractConfig
				fs.StringVar(&cfg.WebhookURL, "url", "", "the webhook receiver's `URL`")
				cfg.commonFlags(fs)
				return func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
					if cfg.List {
						return listChecks(stdout, contract.WebhookChecks())
					}
					if !strings.HasPrefix(cfg.WebhookURL, "http://") && !strings.HasPrefix(cfg.WebhookURL, "https://") {
						fmt.Fprintln(stderr, "recmock contract webhook: --url is required, as an http:// or https:// URL; see 'recmock contract webhook --help'")
						return 2
					}
					return cfg.run(ctx, "recmock contract webhook", contract.WebhookChecks(), stdout, stderr)
				}
			},
		}},
	}
}

func listChecks(w io.Writer, checks []contract.Check) int {
	for _, c := range checks {
		writes := ""
		if c.Writes {
			writes = "  (--allow-writes)"
		}
		fmt.Fprintf(w, "%-38s %s%s\n", c.ID, c.Question, writes)
	}
	return 0
}

// run runs the checks, prints the text report on stdout, and writes the report files.
func (c *contractConfig) run(ctx context.Context, name string, checks []contract.Check, stdout, stderr io.Writer) int {
	var err error
	if c.Config.Run, err = compile("--run", c.Run); err == nil {
		c.Config.Skip, err = compile("--skip", c.Skip)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	level := slog.LevelWarn
	if c.Verbose {
		level = slog.LevelInfo
		c.Trace = stderr
	}
	c.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if c.TotalTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.TotalTimeout, fmt.Errorf("--total-timeout %v reached", c.TotalTimeout))
		defer cancel()
	}
	rep, err := contract.Run(ctx, c.Config, checks)
	if errors.Is(err, contract.ErrConfig) || errors.Is(err, contract.ErrNoChecks) {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	code := 0
	if err != nil || !rep.OK() {
		code = 1
	}
	if werr := contract.WriteText(stdout, rep); werr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, werr)
		code = 1
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer, contract.Report) error
	}{{c.JUnit, contract.WriteJUnit}, {c.JSON, contract.WriteJSON}} {
		if out.file == "" {
			continue
		}
		if werr := writeFile(out.file, rep, out.write); werr != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, werr)
			code = 1
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
	return code
}

func compile(flagName, expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	return re, nil
}

func writeFile(name string, rep contract.Report, write func(io.Writer, contract.Report) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}
