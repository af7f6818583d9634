package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// contractConfig is every contract flag, bound straight to its field.
type contractConfig struct {
	contract.Config
	Run, Skip    string
	TotalTimeout time.Duration
	JUnit, JSON  string
	Verbose      bool
	List         bool
	seedSet      bool // --seed was given; otherwise a random one is drawn and reported
}

// basicFlag defines a flag that takes HTTP Basic credentials as key:secret.
func basicFlag(fs *flag.FlagSet, name, usage string, key, secret *string) {
	fs.Func(name, usage, func(s string) error {
		k, v, ok := strings.Cut(s, ":")
		if !ok || k == "" || v == "" {
			return fmt.Errorf("want key:secret, got %q", redactCreds(s))
		}
		*key, *secret = k, v
		return nil
	})
}

// apiFlags are the flags of `contract` that `contract webhook` does not have.
func (c *contractConfig) apiFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.BaseURL, "base-url", "", "the deployment's base `URL`, with any path prefix; requests go to URL/rest/recording/notifications")
	fs.StringVar(&c.Username, "username", "", "the `name` every answer to --basic's account must carry as data.username (default: any, the same all along)")
	basicFlag(fs, "other-basic", "a second account's HTTP Basic credentials as `key:secret`: the accounts.* checks ask whether the two are kept apart; restored like the first", &c.OtherAPIKey, &c.OtherSecret)
	fs.StringVar(&c.OtherUsername, "other-username", "", "the `name` every answer to --other-basic's account must carry (default: any, not the first account's)")
	fs.BoolVar(&c.AllowWrites, "allow-writes", false, "run the checks that POST and PUT; the accounts' settings are saved first and restored at the end")
	fs.IntVar(&c.Fuzz, "fuzz", 0, "send this many random `sequences` of POST, GET and PUT and compare every answer with recmock's own mock fed the same sequence (needs --allow-writes)")
	fs.Func("seed", "seed the --fuzz sequences with this `number` to send the same ones again (default: random, printed in the report)", func(s string) error {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number from 0 to %d", uint64(math.MaxUint64))
		}
		c.Seed, c.seedSet = n, true
		return nil
	})
}

// newModel is the fuzz check's model: a fresh in-memory mock serving the run's accounts.
func newModel(accounts []recmock.Account) (contract.Model, error) {
	return mock.New(mock.Config{Accounts: accounts})
}

// commonFlags are the flags of both `contract` and `contract webhook`.
func (c *contractConfig) commonFlags(fs *flag.FlagSet) {
	basicFlag(fs, "basic", "HTTP Basic credentials as `key:secret` (the secret may hold colons)", &c.APIKey, &c.Secret)
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

With --other-basic, a second account is checked against the first: neither sees or
changes the other's settings, and each answer names its own username. With --fuzz N,
N random sequences are sent and every answer is compared with recmock's own mock fed
the same sequence from the same settings; the first that differs is shrunk to the
shortest sequence that still shows it and reported with its --seed.

The HTTP status codes of errors are recmock's decisions (the vendor documents none): the
decision.* checks assert them, the others only note what they observed.

Exit status: 0 when no selected check fails (skipped ones say why); 1 when one fails or
the settings could not be restored (the contract is broken); 2 when the deployment could
not be tested at all (unreachable, credentials refused, --base-url ending in the API
path) or the flags are wrong.`,
		Flags: func(fs *flag.FlagSet) runFunc {
			var cfg contractConfig
			cfg.apiFlags(fs)
			cfg.commonFlags(fs)
			return func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
				const name = "recmock contract"
				if cfg.List {
					return listChecks(stdout, contract.Checks())
				}
				var problem string
				switch {
				case cfg.BaseURL == "":
					problem = "--base-url is required"
				case cfg.Fuzz < 0:
					problem = "--fuzz: want a number of sequences, 0 or more"
				case cfg.Fuzz > 0 && !cfg.AllowWrites:
					problem = "--fuzz needs --allow-writes: its sequences POST and PUT (the settings are restored at the end)"
				case cfg.OtherAPIKey != "" && cfg.OtherAPIKey == cfg.APIKey:
					problem = "--other-basic names the same apiKey as --basic: give a second account"
				case cfg.OtherUsername != "" && cfg.OtherAPIKey == "":
					problem = "--other-username needs --other-basic"
				}
				if problem != "" {
					fmt.Fprintf(stderr, "%s: %s; see 'recmock contract --help'\n", name, problem)
					return 2
				}
				if cfg.Fuzz > 0 {
					cfg.NewModel = newModel
					if !cfg.seedSet {
						cfg.Seed = rand.Uint64()
					}
				}
				return cfg.run(ctx, name, contract.Checks(), stdout, stderr)
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

// writeFiles writes the JUnit and JSON reports asked for, and reports whether it could.
func (c *contractConfig) writeFiles(name string, rep contract.Report, stderr io.Writer) bool {
	ok := true
	for _, out := range []struct {
		file  string
		write func(io.Writer, contract.Report) error
	}{{c.JUnit, contract.WriteJUnit}, {c.JSON, contract.WriteJSON}} {
		if out.file == "" {
			continue
		}
		if err := writeFile(out.file, rep, out.write); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			ok = false
		}
	}
	return ok
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
	if errors.Is(err, contract.ErrConfig) || errors.Is(err, contract.ErrNoChecks) || errors.Is(err, contract.ErrPreflight) {
		// Nothing was checked: exit 2, "could not test", never 1, "contract broken". The
		// report files still say why, so a CI job that uploads them shows it.
		fmt.Fprintf(stderr, "%s: %s\n", name, strings.TrimPrefix(err.Error(), "contract: "))
		if rep.Preflight != "" {
			c.writeFiles(name, rep, stderr)
		}
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
	if !c.writeFiles(name, rep, stderr) {
		code = 1
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
