package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// Errors Run returns, matched with errors.Is.
var (
	// ErrConfig is wrapped by the errors of a Config that cannot run (a malformed BaseURL).
	ErrConfig = errors.New("contract: bad configuration")
	// ErrNoChecks means Config.Run and Config.Skip left no check to run.
	ErrNoChecks = errors.New("contract: no check selected")
	// ErrRestore means writes were sent and the account's settings could not be put back as
	// they were; Report.Restore says what was left.
	ErrRestore = errors.New("contract: settings not restored")
	// ErrInterrupted means the context was cancelled before every check had run; it wraps
	// the context's error.
	ErrInterrupted = errors.New("contract: interrupted")
	// ErrPreflight means the deployment could not be tested at all: it did not answer, it
	// refused the credentials, or BaseURL already ends in APIPath. No check ran and nothing
	// was written; the report is empty. `recmock contract` exits 2 on it, not 1, so CI tells
	// "could not test" from "contract broken".
	ErrPreflight = errors.New("contract: could not test")
)

// Config configures a run. The zero value runs nothing useful but is valid: set BaseURL for
// the API checks, WebhookURL for the webhook checks.
type Config struct {
	// BaseURL is the deployment's base URL, "http://host:port" with an optional path prefix;
	// requests go to BaseURL + APIPath. A trailing slash is ignored.
	BaseURL string
	// WebhookURL is the receiver the webhook checks POST events to.
	WebhookURL string
	// APIKey and Secret are sent with HTTP Basic when APIKey is set.
	APIKey, Secret string
	// Header is added to every request that carries credentials: cookies or tokens that a
	// real deployment needs. Its values are masked in reports and traces.
	Header http.Header
	// Username is the username every success answer to these credentials must name; empty
	// accepts any non-empty one, as long as it never changes during the run.
	Username string
	// OtherAPIKey and OtherSecret are a second account's HTTP Basic credentials
	// (--other-basic). With them the accounts.* checks ask whether the two accounts are kept
	// apart, writes reach both, and both are restored at the end. Header is not sent with
	// them. Default: no second account; the accounts.* checks are skipped.
	OtherAPIKey, OtherSecret string
	// OtherUsername is the username every success answer to the second account must name;
	// empty accepts any non-empty one other than the first account's.
	OtherUsername string
	// Fuzz is how many random sequences the fuzz.agrees-with-model check sends (--fuzz);
	// 0 skips it. It needs AllowWrites and NewModel.
	Fuzz int
	// Seed seeds the fuzz check's generator: the same seed sends the same sequences. Every
	// value is a seed, 0 included; the report names the one used.
	Seed uint64
	// NewModel returns a fresh reference implementation of the API — recmock's own mock, in
	// practice — serving accounts (this account first, then the second one, with the same
	// apiKeys, secrets and usernames) and holding no settings. The fuzz check compares the
	// deployment's answers with its answers to the same requests, calling NewModel for every
	// sequence it replays. Default: nil, which skips the fuzz check.
	NewModel func(accounts []recmock.Account) (Model, error)
	// AllowWrites lets checks POST and PUT. Without it only GET reaches the account.
	AllowWrites bool
	// Run selects the checks whose ID it matches; nil selects all. Skip then deselects those
	// it matches; nil deselects none. Deselected checks are not in the report.
	Run, Skip *regexp.Regexp
	// Timeout bounds each request. Default: 10s.
	Timeout time.Duration
	// RestoreTimeout bounds restoring the settings, which runs even after ctx is cancelled.
	// Default: 30s.
	RestoreTimeout time.Duration
	// HTTPClient sends the requests. Default: a client of its own that keeps connections
	// alive and does not follow redirects, so a redirect to a login page is seen as such.
	HTTPClient *http.Client
	// Now is the clock for durations and timestamps. Default: time.Now.
	Now func() time.Time
	// Logger receives the snapshot and restore steps, and warnings. Default: discard.
	Logger *slog.Logger
	// Trace, when set, receives every exchange as it happens, secrets masked (--verbose).
	Trace io.Writer
}

// runner is one run's state. Nothing in it outlives Run.
type runner struct {
	cfg            Config
	base           string // BaseURL without its trailing slash; "" when unset
	hc             *http.Client
	v              *wire.Validator
	now            func() time.Time
	log            *slog.Logger
	timeout        time.Duration
	restoreTimeout time.Duration
	secrets        []string        // scrubbed from every text a report shows
	masked         map[string]bool // canonical names of Config.Header, masked like credentials

	// writes is "" when checks may write, else why they may not.
	writes string
	// dirty is set before the first request that could change an account is sent.
	dirty bool
	// accts are the run's accounts: Config's first, then the second one when configured.
	accts []*account
}

// Run runs the checks that cfg selects, in order, and reports on each. With writes allowed it
// saves the account's settings first and, once anything was written, restores them before
// returning, whatever happened: a check's failure or panic, or ctx's cancellation. The error
// is ErrNoChecks, ErrInterrupted or ErrRestore (wrapped), or a configuration error; the report
// is complete in every case but a configuration error.
func Run(ctx context.Context, cfg Config, checks []Check) (Report, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return Report{}, err
	}
	return r.run(ctx, checks)
}

func newRunner(cfg Config) (*runner, error) {
	r := &runner{cfg: cfg, hc: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger,
		timeout: cfg.Timeout, restoreTimeout: cfg.RestoreTimeout}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: base URL %q: want an absolute http:// or https:// URL without query or fragment", ErrConfig, cfg.BaseURL)
		}
		r.base = strings.TrimRight(cfg.BaseURL, "/")
	}
	v, err := wire.Spec()
	if err != nil {
		return nil, err
	}
	r.v = v
	if r.hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 4
		r.hc = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.timeout <= 0 {
		r.timeout = 10 * time.Second
	}
	if r.restoreTimeout <= 0 {
		r.restoreTimeout = 30 * time.Second
	}
	r.masked = map[string]bool{}
	for k, vs := range cfg.Header {
		r.masked[http.CanonicalHeaderKey(k)] = true
		r.secrets = append(r.secrets, vs...)
	}
	r.secrets = append(r.secrets, cfg.Secret, cfg.OtherSecret)
	r.accts = []*account{{label: "the account", flag: "--basic", auth: AuthConfigured, key: cfg.APIKey, secret: cfg.Secret, username: cfg.Username}}
	if cfg.OtherAPIKey != "" {
		r.accts = append(r.accts, &account{label: "the other account", flag: "--other-basic", auth: AuthOther, key: cfg.OtherAPIKey, secret: cfg.OtherSecret, username: cfg.OtherUsername})
	}
	if !cfg.AllowWrites {
		r.writes = "needs --allow-writes"
	}
	return r, nil
}

// Select returns the checks whose ID run matches (nil matches all) and skip does not (nil
// matches none), in order.
func Select(checks []Check, run, skip *regexp.Regexp) []Check {
	var out []Check
	for _, c := range checks {
		if (run == nil || run.MatchString(c.ID)) && (skip == nil || !skip.MatchString(c.ID)) {
			out = append(out, c)
		}
	}
	return out
}

func (r *runner) run(ctx context.Context, checks []Check) (rep Report, err error) {
	selected := Select(checks, r.cfg.Run, r.cfg.Skip)
	if len(selected) == 0 {
		return Report{}, ErrNoChecks
	}
	rep = Report{Target: r.base, Writes: r.cfg.AllowWrites, Started: r.now()}
	if rep.Target == "" {
		rep.Target = r.cfg.WebhookURL
	}
	if r.base != "" {
		if err := r.preflight(ctx); err != nil {
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrPreflight.Error()), ": ")
			return Report{Target: r.base, Writes: r.cfg.AllowWrites, Started: rep.Started, Duration: r.now().Sub(rep.Started), Preflight: msg}, err
		}
		for _, a := range r.accts {
			r.takeSnapshot(ctx, a)
		}
		if r.cfg.AllowWrites {
			rep.WritesDisabled = r.writes
		}
	}
	// The restore runs after anything that ends the loop, a panic that escaped a check's
	// own recover included; the panic then goes on once the account is safe.
	defer func() {
		p := recover()
		if r.dirty {
			for i, a := range r.accts {
				rs := r.restore(ctx, a)
				if i == 0 {
					rep.Restore = rs
				} else {
					rep.OtherRestore = rs
				}
				if !rs.OK {
					err = errors.Join(err, fmt.Errorf("%w: %s", ErrRestore, firstLine(rs.Message)))
				}
			}
		}
		rep.Duration = r.now().Sub(rep.Started)
		if p != nil {
			panic(p)
		}
	}()
	for _, c := range selected {
		if ctx.Err() != nil {
			rep.Results = append(rep.Results, Result{ID: c.ID, Question: c.Question, Status: StatusSkip,
				Message: fmt.Sprintf("not run: interrupted (%v)", context.Cause(ctx))})
			continue
		}
		if c.Writes && r.writes != "" {
			rep.Results = append(rep.Results, Result{ID: c.ID, Question: c.Question, Status: StatusSkip, Message: r.writes})
			continue
		}
		rep.Results = append(rep.Results, r.runCheck(ctx, c))
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	return rep, err
}

// runCheck runs one check, turning a panic into its failure so the run, and the restore,
// go on.
func (r *runner) runCheck(ctx context.Context, c Check) (res Result) {
	res = Result{ID: c.ID, Question: c.Question, Status: StatusPass}
	start := r.now()
	t := &T{ctx: ctx, r: r, res: &res}
	func() {
		defer func() {
			p := recover()
			if _, ok := p.(stop); ok || p == nil {
				return
			}
			t.Errorf("panic: %v\n%s", p, debug.Stack())
		}()
		if c.Run == nil {
			t.Fatalf("check has no Run function")
		}
		c.Run(t)
	}()
	res.Duration = r.now().Sub(start)
	if res.Status == StatusFail && ctx.Err() != nil {
		res.Message += fmt.Sprintf("\ninterrupted (%v)", context.Cause(ctx))
	}
	return res
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
