package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

// simulateOpts are simulate's flags, bound straight to the simulator's Config and Batch.
type simulateOpts struct {
	cfg           simulator.Config
	batch         simulator.Batch
	server        string
	adminToken    string // for a serve that asks for one (--server)
	username      string
	seed          *uint64
	retries       int // the flag's 0 is "no retries", Config's is "the default"
	json, verbose bool
	tls           webhookTLS // also trusted for --server
}

func simulateCommand() *Command {
	return &Command{
		Name:      "simulate",
		UsageLine: "simulate (--url URL | --server URL) [flags]",
		Short:     "fire recording-completed events at a webhook receiver or a running serve",
		Long:      simulateLong(),
		Flags: func(fs *flag.FlagSet) runFunc {
			var o simulateOpts
			o.flags(fs, time.Now())
			return o.run
		},
	}
}

func simulateLong() string {
	var w strings.Builder
	w.WriteString(`Two ways to run it:
  recmock simulate --url URL [flags]                    fire events straight at a webhook receiver
  recmock simulate --server URL [--username U] [flags]  run the full flow on a running recmock serve

With --url, events go straight to the receiver: no S3 upload, no e-mail. Each event's
retrievalUrl is presigned for the default bucket at --s3-endpoint: well formed, but it does
not download anything in this mode. Retries follow --retries, --timeout and the backoff flags.

With --server, each event is POSTed to URL/_admin/recordings as {"username":U, overrides...};
serve builds the event, uploads the recording, sends the webhook and the e-mail with its own
settings, and each result is printed. --seed, --retries, --timeout, --variant and the S3 flags
do not apply there.

Times (--start, --end) are RFC 3339 (2026-11-30T09:00:00Z), Unix seconds, or a duration from
now (-90m). Fields not given are generated: realistic and, with --seed, reproducible.

Variants (--variant), and what a careful receiver does with each:
`)
	for _, v := range simulator.Variants() {
		fmt.Fprintf(&w, "  %s\n      sends:   %s\n      careful: %s\n", v.Variant, v.Sends, v.Careful)
	}
	w.WriteString(`
A delivery succeeds on a 2xx, or for missing-fields, wrong-types and large-values on a 4xx
other than 429 too.

A progress bar is drawn on standard error when it is a terminal. The summary (sent,
succeeded, failed, statuses, latency percentiles, duration, events/s) goes to standard
output, as JSON with --json; with --server --json, each result is a JSON line before it.

Exit status: 0 when every delivery succeeded, 1 when any finally failed (or serve could not be
reached), 2 for bad flags.
`)
	return w.String()
}

// flags binds simulate's flags to o; now anchors relative --start and --end.
func (o *simulateOpts) flags(fs *flag.FlagSet, now time.Time) {
	c, b := &o.cfg, &o.batch
	fs.StringVar(&b.URL, "url", "", "webhook receiver `URL` to fire events at (no server needed)")
	fs.StringVar(&o.server, "server", "", "base `URL` of a running recmock serve, e.g. http://127.0.0.1:8080")
	fs.StringVar(&o.username, "username", recmock.DefaultAccount().Username, "account whose settings serve uses (with --server)")
	fs.StringVar(&o.adminToken, "admin-token", "", "serve's admin `token`, when it asks for one (with --server; serve prints it at startup)")
	fs.IntVar(&b.Count, "count", 1, "events to send")
	fs.IntVar(&b.Concurrency, "concurrency", 1, "deliveries in flight at once")
	fs.Float64Var(&b.Rate, "rate", 0, "events started per second; 0 means as fast as answers come")
	fs.Func("seed", "seed `N` for the generated values (default: random)", func(s string) error {
		n, err := strconv.ParseUint(s, 10, 64)
		o.seed = &n
		return err
	})
	fs.StringVar(&b.APIKey, "api-key", recmock.DefaultAccount().APIKey, "apiKey in the events (with --url)")
	fs.Func("meeting-id", "meetingId `ID` of every event", func(s string) error { b.Overrides.MeetingID = &s; return nil })
	fs.Func("room", "roomId `NAME` of every event", func(s string) error { b.Overrides.RoomID = &s; return nil })
	fs.Func("participants", "`N` participants in every event (1-10000)", func(s string) error {
		n, err := strconv.Atoi(s)
		b.Overrides.Participants = &n
		return err
	})
	fs.Func("start", "startTime `TIME` of every event: RFC 3339, Unix seconds, or a duration from now", func(s string) error {
		t, err := parseTimeFlag(s, now)
		b.Overrides.StartTime = &t
		return err
	})
	fs.Func("end", "endTime `TIME` of every event: RFC 3339, Unix seconds, or a duration from now", func(s string) error {
		t, err := parseTimeFlag(s, now)
		b.Overrides.EndTime = &t
		return err
	})
	fs.Func("unix-time", "unixTime `SECONDS` of every event, when mixing completed", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		b.Overrides.UnixTime = &n
		return err
	})
	fs.Func("variant", "receiver-robustness variant `NAME`: duplicate, missing-fields, wrong-types, extra-fields or large-values (with --url)", func(s string) error {
		v, err := simulator.ParseVariant(s)
		b.Variant = v
		if err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), "simulator: "))
		}
		return nil
	})
	fs.IntVar(&o.retries, "retries", simulator.DefaultRetries, "retries after the first attempt, on network errors, 5xx and 429")
	fs.DurationVar(&c.Timeout, "timeout", simulator.DefaultTimeout, "timeout of one attempt")
	fs.DurationVar(&c.BackoffBase, "backoff-base", simulator.DefaultBackoffBase, "backoff before the first retry, doubling after (full jitter)")
	fs.DurationVar(&c.BackoffMax, "backoff-max", simulator.DefaultBackoffMax, "longest backoff")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", simulator.DefaultS3Endpoint, "S3 endpoint the retrievalUrl is presigned for (with --url)")
	fs.DurationVar(&c.PresignTTL, "presign-ttl", simulator.DefaultPresignTTL, "validity of the retrievalUrl (with --url)")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.verbose, "verbose", false, "print a line per delivery on standard error")
	o.tls.flags(fs)
}

// parseTimeFlag reads RFC 3339, Unix seconds, or a duration relative to now ("-90m").
func parseTimeFlag(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 253402300799 {
			return time.Time{}, fmt.Errorf("%q: Unix seconds must be between 0 and 253402300799", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not RFC 3339 (2026-11-30T09:00:00Z), Unix seconds or a duration (-90m)", s)
}

// run fires the batch (or runs it on serve) and prints the summary.
func (o *simulateOpts) run(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "recmock simulate: "+format+"\n", a...)
		return 2
	}
	b := &o.batch
	switch {
	case (b.URL == "") == (o.server == ""):
		return bad("give exactly one of --url (fire at a receiver) and --server (run the flow on serve); see 'recmock simulate --help'")
	case b.Count < 1 || b.Concurrency < 1:
		return bad("--count and --concurrency must be at least 1")
	case b.Rate < 0 || o.retries < 0 || o.cfg.Timeout <= 0 || o.cfg.BackoffBase < 0 || o.cfg.BackoffMax < 0:
		return bad("--rate, --retries and the backoffs must not be negative, and --timeout must be positive")
	case o.server != "" && b.Variant != simulator.VariantNone:
		return bad("--variant works with --url only: serve always sends valid events")
	}
	o.cfg.Retries = o.retries
	if o.retries == 0 {
		o.cfg.Retries = -1
	}
	o.cfg.IdleConnsPerHost = max(b.Concurrency, simulator.DefaultIdleConnsPerHost)
	var err error
	if o.cfg.TLS, err = o.tls.config(); err != nil {
		return bad("%v", err)
	}
	o.tls.warnInsecure(stderr, "recmock simulate")
	// Overrides are checked up front, on a throwaway simulator so the seed's first event is
	// still the first sent, and a bad combination is a usage error in both modes.
	check, err := simulator.New(o.cfg)
	if err != nil {
		return bad("%v", err)
	}
	_, err = check.NewEvent(recmock.Account{APIKey: b.APIKey}, recmock.Settings{}, b.Overrides)
	check.Close()
	if err != nil {
		return bad("%v", err)
	}
	if o.seed != nil {
		o.cfg.Rand = rand.New(rand.NewPCG(*o.seed, 0))
	}
	sim, err := simulator.New(o.cfg)
	if err != nil {
		return bad("%v", err)
	}
	defer sim.Close()

	var bar *progress // results and --verbose lines are progress enough
	if b.URL != "" && !o.verbose {
		bar = startProgress(stderr, b.Count)
	}
	var out sync.Mutex // --verbose lines and JSON lines come from many goroutines
	var sum simulator.Summary
	var runErr error
	if b.URL != "" {
		b.OnDelivery = func(d recmock.Delivery, ok bool) {
			bar.add(ok)
			if o.verbose {
				out.Lock()
				writeDelivery(stderr, d, ok)
				out.Unlock()
			}
		}
		sum, runErr = sim.Fire(ctx, *b)
	} else {
		sum, runErr = runServer(ctx, o, func(res recmock.RecordingResult, ok bool) {
			bar.add(ok)
			out.Lock()
			defer out.Unlock()
			if o.json {
				b, _ := json.Marshal(res)
				fmt.Fprintf(stdout, "%s\n", b)
			} else {
				writeResult(stdout, res)
			}
		})
	}
	bar.finish()
	if runErr != nil {
		var e *recmock.Error
		if errors.Is(runErr, simulator.ErrBatch) || errors.As(runErr, &e) && e.Code == recmock.CodeInvalid {
			return bad("%v", runErr)
		}
		fmt.Fprintf(stderr, "recmock simulate: %v\n", runErr)
		return 1
	}
	if o.json {
		b, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		sum.WriteText(stdout)
		tlsHint(stdout, sum.Errors)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "recmock simulate: interrupted")
		return 1
	}
	if sum.Failed > 0 || sum.Sent < b.Count {
		return 1
	}
	return 0
}

// tlsHint says what fixes the certificate failures among a summary's errors.
func tlsHint(w io.Writer, errs map[string]int) {
	for msg := range errs {
		switch {
		case strings.HasPrefix(msg, simulator.TLSUnknownAuthority):
			fmt.Fprintln(w, "hint        --webhook-ca FILE trusts the receiver's CA; --webhook-insecure skips the check")
			return
		case strings.HasPrefix(msg, simulator.TLSHostnameMismatch):
			fmt.Fprintln(w, "hint        the URL's host must be one of the names the receiver's certificate is valid for")
			return
		}
	}
}

func writeDelivery(w io.Writer, d recmock.Delivery, ok bool) {
	last := d.Attempts[len(d.Attempts)-1]
	verdict := "ok"
	if !ok {
		verdict = "FAILED"
	}
	answer := strconv.Itoa(last.Status)
	if last.Status == 0 {
		answer = last.Error
	}
	fmt.Fprintf(w, "%s %s %s: %s after %d attempt(s), %.3fms\n", d.ID, verdict, d.Event.MeetingID, answer, len(d.Attempts), last.LatencyMs)
}

func writeResult(w io.Writer, r recmock.RecordingResult) {
	hook := r.Webhook.Status
	if n := len(r.Webhook.Attempts); n > 0 {
		hook += fmt.Sprintf(" (%d after %d attempt(s))", r.Webhook.Attempts[n-1].Status, n)
	}
	fmt.Fprintf(w, "%s room %q: s3 %s, webhook %s, email %s\n", r.Event.MeetingID, r.Event.RoomID, r.S3.Status, hook, r.Email.Status)
	for _, c := range []struct{ name, status, msg string }{
		{"s3", r.S3.Status, r.S3.Message}, {"webhook", r.Webhook.Status, r.Webhook.Message}, {"email", r.Email.Status, r.Email.Message},
	} {
		if c.status == recmock.OutcomeFailed {
			fmt.Fprintf(w, "  %s: %s\n", c.name, c.msg)
		}
	}
}

// runServer POSTs count recordings to serve's admin API, concurrency at a time, and tallies
// the results: a result succeeds when no channel failed.
func runServer(ctx context.Context, o *simulateOpts, each func(recmock.RecordingResult, bool)) (simulator.Summary, error) {
	endpoint := strings.TrimRight(o.server, "/") + "/_admin/recordings"
	b := o.batch
	body, err := json.Marshal(recmock.RecordingRequest{Username: o.username, RecordingOverrides: b.Overrides})
	if err != nil {
		return simulator.Summary{}, err
	}
	// serve waits for the webhook's retries before answering, so allow for them.
	client := &http.Client{Timeout: 5 * time.Minute}
	if o.cfg.TLS != nil {
		client.Transport = &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: o.cfg.TLS}
	}
	var tally simulator.Tally
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range min(b.Concurrency, b.Count) {
		wg.Go(func() {
			for range jobs {
				res, err := postRecording(ctx, client, endpoint, o.adminToken, body)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				ok := res.S3.Status != recmock.OutcomeFailed && res.Webhook.Status != recmock.OutcomeFailed && res.Email.Status != recmock.OutcomeFailed
				tally.Add(res.Webhook.Attempts, ok)
				each(res, ok)
			}
		})
	}
	var ticker *time.Ticker
	if b.Rate > 0 {
		ticker = time.NewTicker(time.Duration(float64(time.Second) / b.Rate))
		defer ticker.Stop()
	}
feed:
	for i := range b.Count {
		if ticker != nil && i > 0 {
			select {
			case <-ticker.C:
			case <-ctx.Done():
				break feed
			}
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	sum := tally.Summary(time.Since(start))
	sum.URL = endpoint
	return sum, firstErr
}

func postRecording(ctx context.Context, client *http.Client, endpoint, token string, body []byte) (recmock.RecordingResult, error) {
	var res recmock.RecordingResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", simulator.UserAgent())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return res, fmt.Errorf("POST %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var env recmock.Envelope
		if json.Unmarshal(raw, &env) == nil && env.Content.Message != "" {
			return res, fmt.Errorf("POST %s: %s: %s", endpoint, resp.Status, env.Content.Message)
		}
		return res, fmt.Errorf("POST %s: %s", endpoint, resp.Status)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return res, fmt.Errorf("POST %s: the answer is not a RecordingResult: %w", endpoint, err)
	}
	return res, nil
}

// progress draws a bar on a terminal; a nil *progress draws nothing.
type progress struct {
	w           io.Writer
	total       int
	done, fails atomic.Int64
	start       time.Time
	stop        chan struct{}
	wg          sync.WaitGroup
}

func startProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	if !ok || total < 2 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	p := &progress{w: w, total: total, start: time.Now(), stop: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprint(p.w, renderProgress(int(p.done.Load()), int(p.fails.Load()), p.total, time.Since(p.start)))
			case <-p.stop:
				fmt.Fprint(p.w, "\r\x1b[K") // leave the line clean for the summary
				return
			}
		}
	})
	return p
}

func (p *progress) add(ok bool) {
	if p == nil {
		return
	}
	p.done.Add(1)
	if !ok {
		p.fails.Add(1)
	}
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

// renderProgress is one frame: carriage return, the bar and the counts.
func renderProgress(done, failed, total int, elapsed time.Duration) string {
	const width = 30
	filled := min(width, width*done/max(total, 1))
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	return fmt.Sprintf("\r\x1b[K[%s%s] %d/%d %3d%%  %d failed  %.0f events/s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, 100*done/max(total, 1), failed, rate)
}
