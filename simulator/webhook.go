package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// ExcerptBytes bounds the response excerpt kept with each attempt.
const ExcerptBytes = 1024

// drainBytes is how much of an answer beyond the excerpt is read and discarded so the
// connection can be reused; a longer answer costs a new connection instead of more reading.
const drainBytes = 64 << 10

// Webhook is one event to POST to a receiver.
type Webhook struct {
	// URL is the receiver, an absolute http or https URL.
	URL string
	// Username is the account the event belongs to; it is only recorded in the Delivery.
	Username string
	// Event is the event; the Delivery records it, and it is the body when Body is nil.
	Event recmock.RecordingEvent
	// Body is sent instead of Event's JSON when set: a pre-marshalled event, or one of the
	// Variant bodies. It is sent unchanged on every attempt.
	Body []byte
}

// UserAgent is the User-Agent of every webhook.
func UserAgent() string {
	return "recmock/" + recmock.Version() + " (+https://github.com/recmock/recmock)"
}

// Deliver POSTs the webhook, retrying on network errors, 5xx and 429 with exponential backoff
// and full jitter (or the Retry-After of a 429 or 503, capped), until a definite answer, the
// retries run out or ctx ends. A receiver certificate that fails verification is not retried:
// the next attempt would get the same certificate. Every attempt sends the same body and is recorded, in the
// returned Delivery and in the delivery log. Any 2xx is success; 3xx and other 4xx end the
// delivery as failed at once.
func (s *Simulator) Deliver(ctx context.Context, w Webhook) recmock.Delivery {
	// The log records how a delivery ended, also when ctx is what ended it.
	lctx := context.WithoutCancel(ctx)
	d := recmock.Delivery{URL: w.URL, Username: w.Username, Event: w.Event, Status: recmock.DeliveryPending, Attempts: []recmock.Attempt{}}
	id, err := s.deliveries.Start(lctx, d)
	if err != nil {
		// Without an ID the receiver could not tell this delivery's retries from another's.
		s.log.LogAttrs(ctx, slog.LevelError, "delivery log", slog.String("url", d.URL), slog.String("err", err.Error()))
		return s.fail(d, "the delivery log failed, so nothing was sent: "+err.Error())
	}
	d.ID = id
	body := w.Body
	if body == nil {
		if body, err = MarshalEvent(w.Event); err != nil {
			// Only events with times past year 9999 fail to marshal; NewEvent never makes one.
			d = s.fail(d, "event cannot be encoded: "+err.Error())
			s.record(lctx, d)
			return d
		}
	}
	ua := UserAgent()
	status := recmock.DeliveryFailed
	for n := 1; ; n++ {
		a, retry, wait := s.attempt(ctx, w.URL, body, d.ID, ua, n)
		d.Attempts = append(d.Attempts, a)
		if a.Status >= 200 && a.Status < 300 {
			status = recmock.DeliveryOK
			break
		}
		s.record(lctx, d)
		if !retry || n > s.cfg.Retries || ctx.Err() != nil {
			break
		}
		if wait < 0 {
			wait = s.backoff(n)
		}
		if s.sleep(ctx, wait) != nil {
			break
		}
	}
	d.Status = status
	s.record(lctx, d)
	// Successes are routine, and Fire makes thousands a second: they log at debug level.
	level := slog.LevelDebug
	if status != recmock.DeliveryOK {
		level = slog.LevelWarn
	}
	if s.log.Enabled(ctx, level) {
		last := d.Attempts[len(d.Attempts)-1]
		s.log.LogAttrs(ctx, level, "webhook delivery",
			slog.String("id", d.ID), slog.String("url", d.URL), slog.String("meetingId", d.Event.MeetingID),
			slog.String("status", d.Status), slog.Int("attempts", len(d.Attempts)),
			slog.Int("httpStatus", last.Status), slog.String("error", last.Error))
	}
	return d
}

// fail ends d as failed, with one attempt that says why.
func (s *Simulator) fail(d recmock.Delivery, why string) recmock.Delivery {
	d.Status = recmock.DeliveryFailed
	d.Attempts = append(d.Attempts, recmock.Attempt{N: 1, Time: s.now().UTC(), Error: why})
	return d
}

// record writes d's progress to the delivery log. A log that fails costs the listing, not
// the delivery: the caller still gets the whole Delivery back.
func (s *Simulator) record(ctx context.Context, d recmock.Delivery) {
	if err := s.deliveries.Update(ctx, d); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "delivery log", slog.String("id", d.ID), slog.String("err", err.Error()))
	}
}

// MarshalEvent is the event's JSON as webhooks send it: without encoding/json's HTML
// escaping, so retrievalUrl reads "&" rather than "\u0026", as other senders write it.
func MarshalEvent(ev recmock.RecordingEvent) ([]byte, error) {
	return marshal(ev)
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// attempt makes one POST. retry says whether the outcome is worth another attempt; wait is
// the Retry-After to honour, or -1 for the backoff.
func (s *Simulator) attempt(ctx context.Context, target string, body []byte, id, ua string, n int) (a recmock.Attempt, retry bool, wait time.Duration) {
	start := s.now()
	a = recmock.Attempt{N: n, Time: start.UTC()}
	wait = -1
	defer func() { a.LatencyMs = ms(s.now().Sub(start)) }()

	actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		a.Error = "invalid url: " + unwrapURLError(err).Error()
		return a, false, wait
	}
	h := req.Header
	h["Content-Type"] = []string{"application/json"}
	h["User-Agent"] = []string{ua}
	h["X-Recmock-Delivery"] = []string{id}
	h["X-Recmock-Attempt"] = []string{strconv.Itoa(n)}
	resp, err := s.client.Do(req)
	if err != nil {
		a.Error = s.networkError(ctx, actx, err)
		return a, ctx.Err() == nil && !certificateFailure(err), wait
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode

	buf := s.excerpts.Get().(*[]byte)
	k, rerr := io.ReadFull(resp.Body, *buf)
	a.ResponseExcerpt = excerpt((*buf)[:k])
	s.excerpts.Put(buf)
	if rerr == nil {
		_, rerr = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	}
	if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
		a.Error = "reading the answer: " + s.networkError(ctx, actx, rerr)
	}

	retry = a.Status >= 500 || a.Status == http.StatusTooManyRequests
	if a.Status == http.StatusTooManyRequests || a.Status == http.StatusServiceUnavailable {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), s.now()); ok {
			wait = min(d, s.cfg.MaxRetryAfter)
		}
	}
	return a, retry, wait
}

// networkError words a failed attempt: the per-attempt timeout and the caller's
// cancellation apart from the network's own errors.
func (s *Simulator) networkError(ctx, actx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "canceled: " + ctx.Err().Error()
	case errors.Is(actx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %v (timeout)", s.cfg.Timeout)
	}
	return describeTLS(unwrapURLError(err))
}

// unwrapURLError drops net/http's `Post "URL": ` prefix, as the URL is recorded already.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// excerpt keeps the answer as text. A character cut at the limit is dropped rather than
// shown as U+FFFD.
func excerpt(b []byte) string {
	if len(b) == ExcerptBytes {
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// backoff is the wait before retry n (1 for the first retry): uniform over
// [0, min(BackoffMax, BackoffBase·2^(n-1))], so many senders retrying at once spread out.
func (s *Simulator) backoff(n int) time.Duration {
	ceil := s.cfg.BackoffMax
	if n-1 < 62 {
		if d := s.cfg.BackoffBase << (n - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	if ceil <= 0 {
		return 0
	}
	s.mu.Lock()
	d := time.Duration(s.jitter.Int64N(int64(ceil) + 1))
	s.mu.Unlock()
	return d
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(math.MaxInt64/time.Second) {
			secs = int64(math.MaxInt64 / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
