package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/recmock/recmock"
)

// WebhookChecks returns the checks of a webhook receiver at Config.WebhookURL: it must accept
// valid RecordingCompletedEvents with a 2xx within Config.Timeout, tolerate duplicates, and
// answer what it cannot use with a 4xx rather than a 5xx (which senders, recmock included,
// retry). They send events a receiver will take as real: point them at a test receiver.
func WebhookChecks() []Check {
	return []Check{
		{
			ID:       "webhook.accepts-event",
			Question: "Is a valid RecordingCompletedEvent answered with a 2xx within the timeout?",
			Run: func(t *T) {
				t.expect2xx(t.postEvent(t.eventJSON(1, nil)))
			},
		},
		{
			ID:       "webhook.tolerates-duplicate",
			Question: "Is the same event delivered twice answered with a 2xx both times?",
			Run: func(t *T) {
				ev := t.eventJSON(2, nil)
				for i := 1; i <= 2; i++ {
					if res := t.postEvent(ev); res.Status/100 != 2 {
						t.Errorf("delivery %d of the same event: HTTP %d, want a 2xx", i, res.Status)
					}
				}
			},
		},
		{
			ID:       "webhook.ignores-unknown-fields",
			Question: "Is an event with a field the receiver does not know answered with a 2xx?",
			Run: func(t *T) {
				t.expect2xx(t.postEvent(t.eventJSON(3, map[string]any{"recmockContractExtra": "ignore me"})))
			},
		},
		{
			ID:       "webhook.malformed-no-5xx",
			Question: "Is a body that is not valid JSON answered with a 4xx, not a 5xx?",
			Run: func(t *T) {
				t.expectNo5xx(t.postEvent(`{"meetingId":"recmock-contract-malformed",`))
			},
		},
		{
			ID:       "webhook.wrong-types-no-5xx",
			Question: "Is an event whose fields have the wrong types answered with a 4xx, not a 5xx?",
			Run: func(t *T) {
				t.expectNo5xx(t.postEvent(t.eventJSON(4, map[string]any{"participants": "four", "unixTime": "yesterday", "startTime": 42})))
			},
		},
		{
			ID:       "webhook.empty-body-no-5xx",
			Question: "Is a POST with an empty body answered with a 4xx, not a 5xx?",
			Run: func(t *T) {
				t.expectNo5xx(t.Do(Request{Method: http.MethodPost, URL: t.webhookURL(), Header: http.Header{"Content-Type": {"application/json"}}}))
			},
		},
		{
			ID:       "webhook.oversized-no-5xx",
			Question: "Is a 2 MiB event answered with a 4xx, not a 5xx?",
			Run: func(t *T) {
				t.expectNo5xx(t.postEvent(t.eventJSON(5, map[string]any{"recmockContractPadding": strings.Repeat("x", 2<<20)})))
			},
		},
		wrongMethod(http.MethodGet),
		wrongMethod(http.MethodPut),
		wrongMethod(http.MethodDelete),
	}
}

func wrongMethod(m string) Check {
	return Check{
		ID:       "webhook." + strings.ToLower(m) + "-no-5xx",
		Question: fmt.Sprintf("Is a %s, which no sender makes, answered without a 5xx?", m),
		Run: func(t *T) {
			req := Request{Method: m, URL: t.webhookURL()}
			if m == http.MethodPut {
				req.Body = t.eventJSON(6, nil)
			}
			res := t.Do(req)
			if res.Status >= 500 {
				t.Errorf("HTTP %d, want anything but a 5xx (405 is usual)", res.Status)
			}
		},
	}
}

func (t *T) webhookURL() string {
	if t.r.cfg.WebhookURL == "" {
		t.Fatalf("no webhook receiver URL (Config.WebhookURL, --url)")
	}
	return t.r.cfg.WebhookURL
}

func (t *T) postEvent(body string) *Response {
	return t.Do(Request{Method: http.MethodPost, URL: t.webhookURL(), Body: body})
}

func (t *T) expect2xx(res *Response) {
	if res.Status/100 != 2 {
		t.Errorf("HTTP %d, want a 2xx", res.Status)
	}
}

// expectNo5xx fails on a 5xx, which a sender retries as the receiver's own failure; a 4xx is
// what is expected, and anything else is only observed.
func (t *T) expectNo5xx(res *Response) {
	switch {
	case res.Status >= 500:
		t.Errorf("HTTP %d, want a 4xx: a 5xx tells the sender to retry what can never succeed", res.Status)
	case res.Status/100 != 4:
		t.Observef("HTTP %d where a 4xx is expected", res.Status)
	}
}

// eventJSON builds a RecordingCompletedEvent from the run's clock, checked against openapi.yaml,
// with extra fields set over it (to break it on purpose). n tells the run's events apart.
func (t *T) eventJSON(n int, extra map[string]any) string {
	now := t.r.now().UTC().Truncate(time.Second)
	id := fmt.Sprintf("recmock-contract-%d-%d", now.Unix(), n)
	apiKey := t.r.cfg.APIKey
	if apiKey == "" {
		apiKey = "recmock-contract"
	}
	ev := recmock.RecordingEvent{
		MeetingID:    id,
		APIKey:       apiKey,
		UnixTime:     now.Unix(),
		RoomID:       "recmock-contract",
		Participants: 2,
		StartTime:    now.Add(-30 * time.Minute),
		EndTime:      now.Add(-time.Minute),
		RetrievalURL: "https://recordings.recmock.invalid/" + id + ".mp4",
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("build event: %v", err)
	}
	if err := t.r.v.ValidateSchema("RecordingCompletedEvent", b); err != nil {
		t.Fatalf("the event built breaks openapi.yaml: %v", err)
	}
	if len(extra) == 0 {
		return string(b)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	for k, v := range extra {
		m[k] = v
	}
	b, _ = json.Marshal(m)
	return string(b)
}
