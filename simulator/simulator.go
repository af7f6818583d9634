package simulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/recmock/recmock"
)

// Defaults of Config's zero values.
const (
	DefaultS3Endpoint       = "http://127.0.0.1:9000"
	DefaultS3Region         = "us-east-1"
	DefaultBucket           = "recmock-recordings"
	DefaultAccessKey        = "recmock"
	DefaultSecretKey        = "recmock-secret"
	DefaultPresignTTL       = time.Hour
	DefaultSMTPAddr         = "127.0.0.1:1025"
	DefaultSMTPFrom         = "recmock <notifications@recmock.local>"
	DefaultTimeout          = 10 * time.Second
	DefaultRetries          = 3
	DefaultBackoffBase      = 500 * time.Millisecond
	DefaultBackoffMax       = 30 * time.Second
	DefaultMaxRetryAfter    = time.Minute
	DefaultMaxDeliveries    = 1000
	DefaultIdleConnsPerHost = 256
)

// maxPresignTTL is the longest expiry SigV4 allows a presigned URL.
const maxPresignTTL = 7 * 24 * time.Hour

// Config configures a Simulator. The zero value works: it targets the fake S3 and the SMTP
// sink of recmock serve at their default addresses.
type Config struct {
	// S3Endpoint is the S3-compatible service's base URL, addressed path-style
	// (http://host:port/bucket/key). Default DefaultS3Endpoint, serve's fake S3.
	S3Endpoint string
	// S3Region signs S3 requests and presigned URLs. Default "us-east-1".
	S3Region string
	// DefaultBucket receives recordings of accounts without S3 settings, as the vendor's
	// "default S3 settings" do. It is created when missing. Default "recmock-recordings".
	DefaultBucket string
	// DefaultAccessKey and DefaultSecretKey are the credentials for DefaultBucket. Defaults
	// "recmock" and "recmock-secret". The secret is never logged.
	DefaultAccessKey, DefaultSecretKey string
	// PresignTTL is how long a retrievalUrl stays valid, at most 7 days. Default 1h.
	PresignTTL time.Duration
	// Recording is the MP4 uploaded for every event. Default recmock.SampleRecording().
	Recording []byte

	// SMTPAddr is the host:port of the SMTP server that takes the notification e-mail: the
	// sink, or any relay (STARTTLS is used when offered). Default "127.0.0.1:1025".
	SMTPAddr string
	// SMTPFrom is the e-mail's From, a display name and address in RFC 5322 form.
	// Default "recmock <notifications@recmock.local>".
	SMTPFrom string

	// HTTPClient sends webhooks and talks to S3. Default: keep-alive connections
	// (IdleConnsPerHost per host), proxies from the environment, and redirects not
	// followed, as a webhook that redirects has not been delivered.
	HTTPClient *http.Client
	// TLS configures the default HTTPClient's HTTPS, for webhooks and S3 alike: RootCAs to
	// trust receivers signed by a private authority, or InsecureSkipVerify to trust any
	// certificate (New logs a warning). Default nil: the system's roots.
	TLS *tls.Config
	// IdleConnsPerHost is the keep-alive connections kept per receiver by the default
	// HTTPClient; it should be at least the concurrency webhooks are sent with. Default 256.
	IdleConnsPerHost int
	// Timeout bounds one webhook attempt (answer and excerpt included), one S3 upload and
	// one SMTP session. Default 10s.
	Timeout time.Duration
	// Retries is how many times a webhook is retried after the first attempt, on network
	// errors, 5xx and 429. Zero means DefaultRetries (3); negative means never.
	Retries int
	// BackoffBase and BackoffMax shape the wait before retry n: a uniformly random duration
	// ("full jitter") between 0 and min(BackoffMax, BackoffBase·2^(n-1)). Defaults 500ms
	// and 30s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter caps the wait a Retry-After header asks for on 429 and 503, which
	// replaces the backoff when given. Default 1m.
	MaxRetryAfter time.Duration
	// Sleep waits between attempts and paces Run; it returns early with ctx's error when
	// ctx ends. Default: a timer. Tests inject one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxDeliveries bounds the delivery log; older deliveries are dropped and counted.
	// Default 1000. Unused with Deliveries.
	MaxDeliveries int
	// Deliveries keeps the webhook deliveries. Default: NewMemoryLog(MaxDeliveries).
	// Simulators that share one (pgstore's) list each other's deliveries.
	Deliveries DeliveryLog

	// Now is the clock: event times, attempt times and latencies, e-mail Date and the
	// presigned URLs' signing time. Default time.Now.
	Now func() time.Time
	// Rand seeds every random choice: event values, backoff jitter, MIME boundaries and
	// Message-IDs. The Simulator owns it after New. Default: randomly seeded.
	Rand *rand.Rand
	// Logger receives a line per delivery and channel failure; secrets show as "***".
	// Default: discard.
	Logger *slog.Logger
}

// Simulator builds recording-completed events and delivers them: S3 upload, webhook, e-mail.
// It is safe for concurrent use.
type Simulator struct {
	cfg       Config
	client    *http.Client
	ownClient *http.Transport // closed by Close when New made it
	log       *slog.Logger
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	def       *s3Target // the default bucket, with the default credentials

	mu        sync.Mutex // guards the random streams
	eventRand *rand.Rand // only events, so a seed gives the same events whatever else happens
	jitter    *rand.Rand
	mailRand  *rand.Rand

	deliveries DeliveryLog
	excerpts   sync.Pool // of *[ExcerptBytes]byte buffers, so busy runs allocate less
}

var _ recmock.Notifier = (*Simulator)(nil)

// ErrConfig is wrapped by every error New returns.
var ErrConfig = errors.New("simulator: invalid config")

// New returns a Simulator for cfg, with defaults filled in. It does not connect to anything.
func New(cfg Config) (*Simulator, error) {
	cfg.S3Endpoint = strings.TrimRight(cfg.S3Endpoint, "/")
	if cfg.S3Endpoint == "" {
		cfg.S3Endpoint = DefaultS3Endpoint
	}
	if cfg.S3Region == "" {
		cfg.S3Region = DefaultS3Region
	}
	if cfg.DefaultBucket == "" {
		cfg.DefaultBucket = DefaultBucket
	}
	if cfg.DefaultAccessKey == "" {
		cfg.DefaultAccessKey = DefaultAccessKey
	}
	if cfg.DefaultSecretKey == "" {
		cfg.DefaultSecretKey = DefaultSecretKey
	}
	if cfg.PresignTTL == 0 {
		cfg.PresignTTL = DefaultPresignTTL
	}
	if cfg.Recording == nil {
		cfg.Recording = recmock.SampleRecording()
	}
	if cfg.SMTPAddr == "" {
		cfg.SMTPAddr = DefaultSMTPAddr
	}
	if cfg.SMTPFrom == "" {
		cfg.SMTPFrom = DefaultSMTPFrom
	}
	if cfg.IdleConnsPerHost == 0 {
		cfg.IdleConnsPerHost = DefaultIdleConnsPerHost
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.MaxRetryAfter == 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.MaxDeliveries == 0 {
		cfg.MaxDeliveries = DefaultMaxDeliveries
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if cfg.PresignTTL < time.Second || cfg.PresignTTL > maxPresignTTL {
		bad("PresignTTL %v: must be between 1s and 7 days", cfg.PresignTTL)
	}
	if cfg.Timeout < 0 || cfg.BackoffBase < 0 || cfg.BackoffMax < 0 || cfg.MaxRetryAfter < 0 {
		bad("Timeout, BackoffBase, BackoffMax and MaxRetryAfter must not be negative")
	}
	if cfg.MaxDeliveries < 0 || cfg.IdleConnsPerHost < 0 {
		bad("MaxDeliveries and IdleConnsPerHost must not be negative")
	}
	if _, _, err := net.SplitHostPort(cfg.SMTPAddr); err != nil {
		bad("SMTPAddr %q: want host:port", cfg.SMTPAddr)
	}
	if _, err := parseFrom(cfg.SMTPFrom); err != nil {
		bad("SMTPFrom %q: %v", cfg.SMTPFrom, err)
	}
	if err := checkEndpoint(cfg.S3Endpoint); err != nil {
		bad("S3Endpoint: %v", err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}

	s := &Simulator{cfg: cfg, client: cfg.HTTPClient, log: cfg.Logger, now: cfg.Now, sleep: cfg.Sleep}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.ownClient = newTransport(cfg.IdleConnsPerHost)
		if cfg.TLS != nil {
			s.ownClient.TLSClientConfig = cfg.TLS.Clone()
			if cfg.TLS.InsecureSkipVerify {
				s.log.Warn("TLS certificates of webhook receivers and S3 are NOT verified (InsecureSkipVerify)")
			}
		}
		s.client = &http.Client{
			Transport: s.ownClient,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = sleepTimer
	}
	r := cfg.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	s.eventRand = r
	s.jitter = rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))
	s.mailRand = rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))
	if s.deliveries = cfg.Deliveries; s.deliveries == nil {
		s.deliveries = NewMemoryLog(cfg.MaxDeliveries)
	}
	s.excerpts.New = func() any { b := make([]byte, ExcerptBytes); return &b }
	s.def = s.newS3Target(recmock.S3Location{Bucket: cfg.DefaultBucket}, cfg.DefaultAccessKey, cfg.DefaultSecretKey, true)
	return s, nil
}

func newTransport(idlePerHost int) *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no overall limit; per host is what matters
		MaxIdleConnsPerHost:   idlePerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the idle connections of the HTTP client New made. A Simulator given its own
// HTTPClient leaves it alone.
func (s *Simulator) Close() error {
	if s.ownClient != nil {
		s.ownClient.CloseIdleConnections()
	}
	return nil
}

// NewEvent builds the event NotifyRecording would send for the account: realistic generated
// values (a room name, 1 to 12 participants, a call of 2 to 92 minutes that ended shortly
// before now, mixing completed after the end), any overridden field instead, and a
// retrievalUrl presigned for the object the settings' S3 location (or the default bucket)
// would hold. The same seed and clock give the same events.
//
// Overrides are checked: a *recmock.Error of CodeInvalid names each broken rule's field.
func (s *Simulator) NewEvent(acct recmock.Account, settings recmock.Settings, o recmock.RecordingOverrides) (recmock.RecordingEvent, error) {
	ev, err := s.event(acct.APIKey, o)
	if err != nil {
		return ev, err
	}
	t, _ := s.target(settings)
	ev.RetrievalURL, err = t.presign(ev.MeetingID)
	if err != nil {
		return recmock.RecordingEvent{}, fmt.Errorf("simulator: presign retrievalUrl: %w", err)
	}
	return ev, nil
}

// event builds an event without its retrievalUrl.
func (s *Simulator) event(apiKey string, o recmock.RecordingOverrides) (recmock.RecordingEvent, error) {
	s.mu.Lock()
	d := newDraw(s.eventRand)
	s.mu.Unlock()
	return buildEvent(d, s.now(), apiKey, o)
}

// NotifyRecording runs the recording-completed flow for an account: it builds the event (see
// NewEvent) and, when settings.Notify is true, uploads the recording, then sends the webhook
// and the e-mail at the same time. Each channel's outcome is in the result; one failing never
// stops the others. The only error is for overrides that make no valid event.
func (s *Simulator) NotifyRecording(ctx context.Context, acct recmock.Account, settings recmock.Settings, o recmock.RecordingOverrides) (recmock.RecordingResult, error) {
	ev, err := s.event(acct.APIKey, o)
	if err != nil {
		return recmock.RecordingResult{}, err
	}
	t, arnErr := s.target(settings)
	ev.RetrievalURL, err = t.presign(ev.MeetingID)
	if err != nil {
		return recmock.RecordingResult{}, fmt.Errorf("simulator: presign retrievalUrl: %w", err)
	}
	res := recmock.RecordingResult{Event: ev}
	if !settings.Notify {
		skipped := recmock.Outcome{Status: recmock.OutcomeSkipped, Message: "notify is false"}
		res.S3.Outcome, res.Webhook.Outcome, res.Email.Outcome = skipped, skipped, skipped
		return res, nil
	}

	if arnErr != nil {
		res.S3 = recmock.S3Outcome{Outcome: recmock.Outcome{Status: recmock.OutcomeFailed, Message: arnErr.Error()}}
	} else {
		res.S3 = s.upload(ctx, t, ev.MeetingID)
	}
	var note string
	if res.S3.Status != recmock.OutcomeOK {
		note = "sent, but the upload failed, so retrievalUrl points at a missing object"
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		if settings.URL == "" {
			res.Webhook.Outcome = recmock.Outcome{Status: recmock.OutcomeSkipped, Message: "no url is set"}
			return
		}
		d := s.Deliver(ctx, Webhook{URL: settings.URL, Username: settings.Username, Event: ev})
		res.Webhook = webhookOutcome(d, note)
	})
	wg.Go(func() {
		if len(settings.Email) == 0 {
			res.Email.Outcome = recmock.Outcome{Status: recmock.OutcomeSkipped, Message: "no email is set"}
			return
		}
		res.Email = s.sendEmail(ctx, ev, settings.Email)
		if res.Email.Status == recmock.OutcomeOK && note != "" {
			res.Email.Message = note
		}
	})
	wg.Wait()
	s.log.LogAttrs(ctx, slog.LevelInfo, "recording notified",
		slog.String("username", settings.Username), slog.String("meetingId", ev.MeetingID),
		slog.String("s3", res.S3.Status), slog.String("webhook", res.Webhook.Status), slog.String("email", res.Email.Status))
	return res, nil
}

func webhookOutcome(d recmock.Delivery, note string) recmock.WebhookOutcome {
	out := recmock.WebhookOutcome{URL: d.URL, DeliveryID: d.ID, Attempts: d.Attempts}
	switch d.Status {
	case recmock.DeliveryOK:
		out.Outcome = recmock.Outcome{Status: recmock.OutcomeOK, Message: note}
	default:
		out.Outcome = recmock.Outcome{Status: recmock.OutcomeFailed, Message: failureMessage(d)}
	}
	return out
}

// failureMessage says why a delivery failed, from its last attempt.
func failureMessage(d recmock.Delivery) string {
	if len(d.Attempts) == 0 {
		return "not attempted"
	}
	last := d.Attempts[len(d.Attempts)-1]
	n := len(d.Attempts)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	if last.Status != 0 {
		return fmt.Sprintf("the receiver answered %d %s after %d attempt%s", last.Status, http.StatusText(last.Status), n, plural)
	}
	return fmt.Sprintf("no answer after %d attempt%s: %s", n, plural, last.Error)
}
