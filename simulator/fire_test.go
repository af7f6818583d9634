package simulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/simulator"
)

// carefulReceiver does what the package documentation asks of a receiver: 400 for bodies
// that are not a valid event, 200 otherwise, acting once per meetingId. It records every
// body, and how many distinct events it acted on.
type carefulReceiver struct {
	t      *testing.T
	v      *wire.Validator
	mu     sync.Mutex
	bodies [][]byte
	acted  map[string]int
	// careless answers 500 instead of 400, as a receiver that crashes on bad input.
	careless bool
}

func (c *carefulReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, body)
	if err := c.v.ValidateSchema("RecordingCompletedEvent", body); err != nil {
		if c.careless {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, err.Error())
		return
	}
	var ev struct{ MeetingID string }
	json.Unmarshal(body, &ev)
	c.acted[ev.MeetingID]++
	w.WriteHeader(http.StatusOK)
}

func newCareful(t *testing.T, careless bool) (*carefulReceiver, string) {
	t.Helper()
	c := &carefulReceiver{t: t, v: validator(t), acted: map[string]int{}, careless: careless}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL
}

// summaryView drops what depends on timing.
func summaryView(s simulator.Summary) simulator.Summary {
	s.Latency, s.DurationMs, s.EventsPerSec, s.URL = simulator.Latency{}, 0, 0, ""
	return s
}

func TestFire(t *testing.T) {
	c, url := newCareful(t, false)
	sim, _ := newSimulator(t, simulator.Config{Rand: rand.New(rand.NewPCG(9, 9)), Now: fixedClock})
	var calls atomic.Int64
	sum, err := sim.Fire(t.Context(), simulator.Batch{
		URL: url, Count: 40, Concurrency: 8,
		OnDelivery: func(recmock.Delivery, bool) { calls.Add(1) },
	})
	if err != nil {
		t.Fatalf("Fire: %v", err)
	}
	want := simulator.Summary{Sent: 40, Succeeded: 40, Attempts: 40, Statuses: map[string]int{"200": 40}}
	if diff := cmp.Diff(want, summaryView(sum)); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	if calls.Load() != 40 {
		t.Errorf("OnDelivery called %d times, want 40", calls.Load())
	}
	// The events are the seed's first 40, whatever the concurrency.
	var wantIDs, gotIDs []string
	same, _ := newSimulator(t, simulator.Config{Rand: rand.New(rand.NewPCG(9, 9)), Now: fixedClock})
	for _, ev := range events(t, same, 40) {
		wantIDs = append(wantIDs, ev.MeetingID)
	}
	for id, n := range c.acted {
		gotIDs = append(gotIDs, id)
		if n != 1 {
			t.Errorf("meetingId %s delivered %d times", id, n)
		}
	}
	slices.Sort(wantIDs)
	slices.Sort(gotIDs)
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		t.Errorf("meetingIds mismatch (-want +got):\n%s", diff)
	}
}

func TestFire_Failures(t *testing.T) {
	recv, _ := receiver(t, http.StatusInternalServerError)
	sim, _ := newSimulator(t, simulator.Config{Retries: 1, MaxDeliveries: 10})
	sum, err := sim.Fire(t.Context(), simulator.Batch{URL: recv.URL, Count: 25, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := simulator.Summary{Sent: 25, Failed: 25, Attempts: 50, Statuses: map[string]int{"500": 25}}
	if diff := cmp.Diff(want, summaryView(sum)); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	// The log stays bounded.
	if l := deliveries(t, sim); l.Total != 10 || l.Dropped != 15 || len(l.Items) != 10 {
		t.Errorf("log: total %d, dropped %d, %d items; want 10, 15, 10", l.Total, l.Dropped, len(l.Items))
	}
}

// TestFire_Variants sends each variant to a careful receiver, which handles every delivery,
// and to a careless one, which 500s on what it cannot read.
func TestFire_Variants(t *testing.T) {
	tests := []struct {
		variant simulator.Variant
		// perEvent is how many bodies each event makes.
		perEvent int
		// valid says whether the bodies are valid events.
		valid bool
		check func(body []byte) string
	}{
		{variant: simulator.VariantDuplicate, perEvent: 2, valid: true},
		{variant: simulator.VariantMissingFields, perEvent: 1, check: func(b []byte) string {
			var m map[string]any
			json.Unmarshal(b, &m)
			if n := 8 - len(m); n < 1 || n > 3 {
				return "has " + string(rune('0'+n)) + " fields missing, want 1 to 3"
			}
			return ""
		}},
		{variant: simulator.VariantWrongTypes, perEvent: 1},
		{variant: simulator.VariantExtraFields, perEvent: 1, valid: true, check: func(b []byte) string {
			var m map[string]any
			json.Unmarshal(b, &m)
			if _, ok := m["mixer"]; !ok {
				return "has no extra field"
			}
			return ""
		}},
		{variant: simulator.VariantLargeValues, perEvent: 1, valid: true, check: func(b []byte) string {
			if len(b) < 256<<10 {
				return "is not large"
			}
			var m map[string]any
			json.Unmarshal(b, &m)
			if m["participants"] != float64(1<<31) {
				return "participants is not 2^31"
			}
			return ""
		}},
	}
	const count = 6
	for _, tt := range tests {
		t.Run(string(tt.variant), func(t *testing.T) {
			c, url := newCareful(t, false)
			sim, _ := newSimulator(t, simulator.Config{})
			sum, err := sim.Fire(t.Context(), simulator.Batch{URL: url, Count: count, Concurrency: 3, Variant: tt.variant})
			if err != nil {
				t.Fatal(err)
			}
			n := count * tt.perEvent
			status := "400"
			if tt.valid {
				status = "200"
			}
			want := simulator.Summary{Variant: string(tt.variant), Sent: n, Succeeded: n, Attempts: n, Statuses: map[string]int{status: n}}
			if diff := cmp.Diff(want, summaryView(sum)); diff != "" {
				t.Errorf("summary mismatch (-want +got):\n%s", diff)
			}
			for _, b := range c.bodies {
				err := c.v.ValidateSchema("RecordingCompletedEvent", b)
				if tt.valid != (err == nil) {
					t.Errorf("body valid = %v, want %v (%v): %.200s", err == nil, tt.valid, err, b)
				}
				if tt.check != nil {
					if msg := tt.check(b); msg != "" {
						t.Errorf("body %s: %.200s", msg, b)
					}
				}
			}
			if tt.variant == simulator.VariantDuplicate {
				for id, n := range c.acted {
					if n != 2 {
						t.Errorf("meetingId %s came %d times, want 2", id, n)
					}
				}
			}
		})
	}

	t.Run("careless receiver", func(t *testing.T) {
		_, url := newCareful(t, true)
		sim, _ := newSimulator(t, simulator.Config{Retries: -1})
		sum, err := sim.Fire(t.Context(), simulator.Batch{URL: url, Count: count, Variant: simulator.VariantWrongTypes})
		if err != nil {
			t.Fatal(err)
		}
		want := simulator.Summary{Variant: "wrong-types", Sent: count, Failed: count, Attempts: count, Statuses: map[string]int{"500": count}}
		if diff := cmp.Diff(want, summaryView(sum)); diff != "" {
			t.Errorf("summary mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestFire_Rate checks the pacing asked of the clock: event i starts i/rate after the first.
func TestFire_Rate(t *testing.T) {
	recv, _ := receiver(t, http.StatusOK)
	sim, sl := newSimulator(t, simulator.Config{Now: fixedClock})
	if _, err := sim.Fire(t.Context(), simulator.Batch{URL: recv.URL, Count: 5, Rate: 10}); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond}
	if diff := cmp.Diff(want, sl.all()); diff != "" {
		t.Errorf("pacing mismatch (-want +got):\n%s", diff)
	}
}

func TestFire_Errors(t *testing.T) {
	recv, got := receiver(t, http.StatusOK)
	tests := []struct {
		name    string
		batch   simulator.Batch
		wantErr error
		field   string
	}{
		{"no URL", simulator.Batch{}, simulator.ErrBatch, ""},
		{"not http", simulator.Batch{URL: "ftp://example.com"}, simulator.ErrBatch, ""},
		{"negative count", simulator.Batch{URL: recv.URL, Count: -1}, simulator.ErrBatch, ""},
		{"unknown variant", simulator.Batch{URL: recv.URL, Variant: "typo"}, simulator.ErrBatch, ""},
		{"invalid overrides", simulator.Batch{URL: recv.URL, Count: 3, Overrides: recmock.RecordingOverrides{Participants: ptr(-2)}}, nil, "participants"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, _ := newSimulator(t, simulator.Config{})
			_, err := sim.Fire(t.Context(), tt.batch)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.field != "" {
				var e *recmock.Error
				if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
					t.Errorf("err = %v, want an invalid %s", err, tt.field)
				}
			}
		})
	}
	if n := len(received(got)); n != 0 {
		t.Errorf("receiver got %d requests, want none", n)
	}
}

func TestParseVariant(t *testing.T) {
	for _, v := range simulator.Variants() {
		got, err := simulator.ParseVariant(string(v.Variant))
		if err != nil || got != v.Variant {
			t.Errorf("ParseVariant(%q) = %q, %v", v.Variant, got, err)
		}
	}
	if _, err := simulator.ParseVariant("duplicates"); err == nil || !strings.Contains(err.Error(), "duplicate, missing-fields") {
		t.Errorf("ParseVariant(duplicates) = %v, want an error listing the variants", err)
	}
}

func TestTally(t *testing.T) {
	var tally simulator.Tally
	for i := 1; i <= 1000; i++ {
		status := 200
		if i%100 == 0 {
			status = 503
		}
		tally.Add([]recmock.Attempt{{N: 1, Status: status, LatencyMs: float64(i)}}, status == 200)
	}
	tally.Add([]recmock.Attempt{{N: 1, Error: "connection refused"}}, false)
	tally.Add(nil, false)
	sum := tally.Summary(2 * time.Second)

	want := simulator.Summary{
		Sent: 1002, Succeeded: 990, Failed: 12, Attempts: 1001,
		Statuses:   map[string]int{"200": 990, "503": 10, "error": 1, "none": 1},
		Errors:     map[string]int{"connection refused": 1},
		Latency:    simulator.Latency{P50: 500, P90: 900, P99: 990, Max: 1000},
		DurationMs: 2000, EventsPerSec: 501,
	}
	// Percentiles come from buckets about 3% wide.
	approx := cmp.Comparer(func(a, b float64) bool { return a == b || (a > 0 && b/a > 0.97 && b/a < 1.03) })
	if diff := cmp.Diff(want, sum, approx); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
}
