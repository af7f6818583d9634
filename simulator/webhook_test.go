package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

// attemptView is what the tests compare of an attempt: the rest is timing.
type attemptView struct {
	N       int
	Status  int
	Error   string
	Excerpt string
}

func views(as []recmock.Attempt) []attemptView {
	out := make([]attemptView, len(as))
	for i, a := range as {
		out[i] = attemptView{N: a.N, Status: a.Status, Error: a.Error, Excerpt: a.ResponseExcerpt}
	}
	return out
}

func TestDeliver_Retries(t *testing.T) {
	const base = 10 * time.Millisecond
	tests := []struct {
		name       string
		answers    []answer
		closed     bool // no receiver at all
		timeout    time.Duration
		retries    int
		wantStatus string
		want       []attemptView
		// wantSleeps checks the waits asked for: exact values, or nil to check only
		// that each is within its backoff ceiling.
		wantSleeps []time.Duration
		nSleeps    int
	}{
		{
			name:       "500 then 429 then 200",
			answers:    []answer{{status: 500, body: "boom"}, {status: 429, body: "slow down"}, {status: 200, body: "ok"}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 500, "", "boom"}, {2, 429, "", "slow down"}, {3, 200, "", "ok"}},
			nSleeps:    2,
		},
		{
			name:       "400 is not retried",
			answers:    []answer{{status: 400, body: `{"error":"bad"}`}},
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 400, "", `{"error":"bad"}`}},
			wantSleeps: []time.Duration{},
		},
		{
			name:       "302 is not followed nor retried",
			answers:    []answer{{status: 302}},
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 302, "", ""}},
			wantSleeps: []time.Duration{},
		},
		{
			name:       "500 every time, retries run out",
			answers:    []answer{{status: 500}},
			retries:    2,
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 500, "", ""}, {2, 500, "", ""}, {3, 500, "", ""}},
			nSleeps:    2,
		},
		{
			name:       "no retries",
			answers:    []answer{{status: 503}},
			retries:    -1,
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 503, "", ""}},
			wantSleeps: []time.Duration{},
		},
		{
			name:       "Retry-After seconds on 503 replaces the backoff",
			answers:    []answer{{status: 503, retryAfter: "7"}, {status: 204}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 503, "", ""}, {2, 204, "", ""}},
			wantSleeps: []time.Duration{7 * time.Second},
		},
		{
			name:       "Retry-After on 429 is capped",
			answers:    []answer{{status: 429, retryAfter: "3600"}, {status: 200}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 429, "", ""}, {2, 200, "", ""}},
			wantSleeps: []time.Duration{90 * time.Second},
		},
		{
			name:       "Retry-After as an HTTP date",
			answers:    []answer{{status: 429, retryAfter: fixedNow.Add(30 * time.Second).Format(http.TimeFormat)}, {status: 200}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 429, "", ""}, {2, 200, "", ""}},
			wantSleeps: []time.Duration{30 * time.Second},
		},
		{
			name:       "Retry-After on 500 is ignored",
			answers:    []answer{{status: 500, retryAfter: "7"}, {status: 200}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 500, "", ""}, {2, 200, "", ""}},
			nSleeps:    1,
		},
		{
			name:       "closed port is retried, then fails",
			closed:     true,
			retries:    2,
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 0, "connection refused", ""}, {2, 0, "connection refused", ""}, {3, 0, "connection refused", ""}},
			nSleeps:    2,
		},
		{
			name:       "no answer within the timeout",
			answers:    []answer{{hang: true}},
			timeout:    50 * time.Millisecond,
			retries:    -1,
			wantStatus: recmock.DeliveryFailed,
			want:       []attemptView{{1, 0, "no answer within 50ms (timeout)", ""}},
			wantSleeps: []time.Duration{},
		},
		{
			// 1 + 511·2 bytes, then half of an é: the half is dropped, not shown as U+FFFD.
			name:       "the excerpt is the first KiB, cut on a character",
			answers:    []answer{{status: 200, body: "a" + strings.Repeat("é", 2000)}},
			wantStatus: recmock.DeliveryOK,
			want:       []attemptView{{1, 200, "", "a" + strings.Repeat("é", (simulator.ExcerptBytes-1)/2)}},
			wantSleeps: []time.Duration{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			var got <-chan request
			if tt.closed {
				url = "http://" + closedAddr(t) + "/hook"
			} else {
				var srv *httptest.Server
				srv, got = scripted(t, tt.answers...)
				url = srv.URL + "/hook"
			}
			sim, sl := newSimulator(t, simulator.Config{
				Retries: tt.retries, Timeout: tt.timeout, BackoffBase: base, BackoffMax: time.Second,
				MaxRetryAfter: 90 * time.Second, Now: fixedClock,
			})
			ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{})
			if err != nil {
				t.Fatal(err)
			}
			d := sim.Deliver(t.Context(), simulator.Webhook{URL: url, Username: "temasys", Event: ev})

			// Network errors carry the dialer's words; compare their gist.
			gotViews := views(d.Attempts)
			for i := range gotViews {
				if strings.Contains(gotViews[i].Error, "connection refused") {
					gotViews[i].Error = "connection refused"
				}
			}
			if diff := cmp.Diff(tt.want, gotViews); diff != "" {
				t.Errorf("attempts mismatch (-want +got):\n%s", diff)
			}
			if d.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q", d.Status, tt.wantStatus)
			}
			if d.URL != url || d.Username != "temasys" || d.Event != ev {
				t.Errorf("delivery = %+v, want the event, URL and username given", d)
			}
			sleeps := sl.all()
			if tt.wantSleeps != nil {
				if diff := cmp.Diff(tt.wantSleeps, sleeps); diff != "" {
					t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
				}
			} else {
				if len(sleeps) != tt.nSleeps {
					t.Errorf("slept %d times (%v), want %d", len(sleeps), sleeps, tt.nSleeps)
				}
				for i, s := range sleeps {
					// Full jitter: uniform in [0, base·2^i].
					if ceil := base << i; s < 0 || s > ceil {
						t.Errorf("sleep %d = %v, want within [0, %v]", i+1, s, ceil)
					}
				}
			}
			// Every attempt sent the same event, and said which attempt it was.
			if got != nil {
				reqs := received(got)
				if len(reqs) != len(tt.want) {
					t.Fatalf("receiver got %d requests, want %d", len(reqs), len(tt.want))
				}
				for i, r := range reqs {
					var sent recmock.RecordingEvent
					if err := json.Unmarshal(r.body, &sent); err != nil || sent.MeetingID != ev.MeetingID || string(r.body) != string(reqs[0].body) {
						t.Errorf("attempt %d sent %s, want the same event (meetingId %s) each time", i+1, r.body, ev.MeetingID)
					}
					hdr := map[string]string{"delivery": r.header.Get("X-Recmock-Delivery"), "attempt": r.header.Get("X-Recmock-Attempt")}
					if diff := cmp.Diff(map[string]string{"delivery": d.ID, "attempt": string(rune('1' + i))}, hdr); diff != "" {
						t.Errorf("attempt %d headers mismatch (-want +got):\n%s", i+1, diff)
					}
				}
			}
		})
	}
}

// TestDeliver_CanceledDuringBackoff checks that a caller giving up ends the retries.
func TestDeliver_CanceledDuringBackoff(t *testing.T) {
	srv, _ := scripted(t, answer{status: 500})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sim, _ := newSimulator(t, simulator.Config{
		Retries: 5,
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		},
	})
	d := sim.Deliver(ctx, simulator.Webhook{URL: srv.URL, Body: []byte(`{}`)})
	if diff := cmp.Diff([]attemptView{{1, 500, "", ""}}, views(d.Attempts)); diff != "" {
		t.Errorf("attempts mismatch (-want +got):\n%s", diff)
	}
	if d.Status != recmock.DeliveryFailed {
		t.Errorf("status = %q, want failed", d.Status)
	}
}
