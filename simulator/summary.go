package simulator

import (
	"fmt"
	"io"
	"maps"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recmock/recmock"
)

// Summary is what a batch of deliveries came to.
type Summary struct {
	URL     string `json:"url,omitempty"`
	Variant string `json:"variant,omitempty"`
	// Sent counts deliveries: one per event, two for the duplicate variant.
	Sent int `json:"sent"`
	// Succeeded counts deliveries the receiver handled as expected (see Variant.Handles);
	// Failed the others.
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	// Attempts counts every POST, retries included.
	Attempts int `json:"attempts"`
	// Statuses counts each delivery's final HTTP status ("200"); "error" is no answer and
	// "none" a delivery without attempts.
	Statuses map[string]int `json:"statuses"`
	// Errors counts the error of each delivery that ended without an answer (a TLS failure
	// names its cause first), at most MaxSummaryErrors distinct ones; the rest count under
	// OtherErrors. Omitted when none.
	Errors map[string]int `json:"errors,omitempty"`
	// Latency is over every attempt, from sending to having read the answer's excerpt.
	Latency Latency `json:"latencyMs"`
	// DurationMs is from the first event to the last answer; EventsPerSec is Sent over it.
	DurationMs   float64 `json:"durationMs"`
	EventsPerSec float64 `json:"eventsPerSec"`
}

// MaxSummaryErrors bounds the distinct errors a Summary counts: an error text can hold a
// client port, which differs for every connection.
const MaxSummaryErrors = 5

// OtherErrors is the Summary.Errors key of the errors past MaxSummaryErrors.
const OtherErrors = "(other errors)"

// WriteText writes the summary for people, one figure a line.
func (s Summary) WriteText(w io.Writer) error {
	codes := make([]string, 0, len(s.Statuses))
	for c := range s.Statuses {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	hist := make([]string, len(codes))
	for i, c := range codes {
		hist[i] = fmt.Sprintf("%s: %d", c, s.Statuses[c])
	}
	if len(hist) == 0 {
		hist = []string{"-"}
	}
	variant := s.Variant
	if variant == "" {
		variant = "none"
	}
	_, err := fmt.Fprintf(w, `url         %s
variant     %s
sent        %d
succeeded   %d
failed      %d
attempts    %d
statuses    %s
latency     p50 %.3fms  p90 %.3fms  p99 %.3fms  max %.3fms
duration    %.3fs
rate        %.1f events/s
`, s.URL, variant, s.Sent, s.Succeeded, s.Failed, s.Attempts, strings.Join(hist, ", "),
		s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.Max, s.DurationMs/1000, s.EventsPerSec)
	if err != nil {
		return err
	}
	msgs := make([]string, 0, len(s.Errors))
	for m := range s.Errors {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		if _, err := fmt.Fprintf(w, "error       %s (%d)\n", m, s.Errors[m]); err != nil {
			return err
		}
	}
	return nil
}

// Latency holds percentiles in milliseconds. They come from a histogram whose buckets are
// about 3% wide, so they are that precise; Max is exact.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Tally adds deliveries up into a Summary in constant memory. The zero value is ready to use,
// and it is safe for concurrent use.
type Tally struct {
	mu        sync.Mutex
	sent      int
	succeeded int
	attempts  int
	statuses  map[int]int // 0: no answer; -1: no attempts
	errors    map[string]int
	hist      histogram
}

// Add counts one delivery: its attempts, and whether it succeeded.
func (t *Tally) Add(attempts []recmock.Attempt, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.statuses == nil {
		t.statuses = map[int]int{}
	}
	t.sent++
	if ok {
		t.succeeded++
	}
	t.attempts += len(attempts)
	status := -1
	for _, a := range attempts {
		t.hist.add(time.Duration(a.LatencyMs * float64(time.Millisecond)))
		status = a.Status
	}
	t.statuses[status]++
	if status == 0 && !ok {
		t.addError(attempts[len(attempts)-1].Error)
	}
}

func (t *Tally) addError(msg string) {
	if t.errors == nil {
		t.errors = map[string]int{}
	}
	if _, known := t.errors[msg]; !known && len(t.errors) >= MaxSummaryErrors {
		msg = OtherErrors
	}
	t.errors[msg]++
}

// Summary is the tally so far, over the elapsed time.
func (t *Tally) Summary(elapsed time.Duration) Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Summary{
		Sent:      t.sent,
		Succeeded: t.succeeded,
		Failed:    t.sent - t.succeeded,
		Attempts:  t.attempts,
		Statuses:  make(map[string]int, len(t.statuses)),
		Latency: Latency{
			P50: ms(t.hist.quantile(0.50)),
			P90: ms(t.hist.quantile(0.90)),
			P99: ms(t.hist.quantile(0.99)),
			Max: ms(t.hist.max),
		},
		DurationMs: ms(elapsed),
	}
	if len(t.errors) > 0 {
		s.Errors = maps.Clone(t.errors)
	}
	for code, n := range t.statuses {
		key := strconv.Itoa(code)
		switch code {
		case 0:
			key = "error"
		case -1:
			key = "none"
		}
		s.Statuses[key] = n
	}
	if elapsed > 0 {
		s.EventsPerSec = math.Round(float64(t.sent)/elapsed.Seconds()*10) / 10
	}
	return s
}

// The histogram counts microseconds: exactly below 2^subBits, then in 2^subBits buckets per
// power of two, so a bucket is at most 1/2^subBits (about 3%) wide relative to its values.
const (
	subBits    = 5
	subBuckets = 1 << subBits
	nBuckets   = subBuckets + (64-subBits)*subBuckets
)

type histogram struct {
	counts [nBuckets]uint64
	n      uint64
	max    time.Duration
}

func bucketOf(us uint64) int {
	if us < subBuckets {
		return int(us)
	}
	e := bits.Len64(us) - 1 // us is in [2^e, 2^(e+1))
	sub := int(us>>(e-subBits)) - subBuckets
	return subBuckets + (e-subBits)*subBuckets + sub
}

// lowerBound is the smallest microsecond count of bucket i.
func lowerBound(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	e := (i-subBuckets)/subBuckets + subBits
	sub := uint64((i - subBuckets) % subBuckets)
	return (subBuckets + sub) << (e - subBits)
}

func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d/time.Microsecond))]++
	h.n++
	h.max = max(h.max, d)
}

// quantile is the midpoint of the bucket holding the q-th value, never above the maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo := lowerBound(i)
			mid := lo
			if i+1 < nBuckets {
				mid = lo + (lowerBound(i+1)-lo)/2
			}
			return min(time.Duration(mid)*time.Microsecond, h.max)
		}
	}
	return h.max
}
