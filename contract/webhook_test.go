package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
)

// receiver is a webhook receiver done right: events decoded strictly, bodies bounded, other
// methods refused with 405, duplicates acknowledged. Its fields break it on purpose.
type receiver struct {
	fail500OnMalformed bool // answers 500 to what it cannot decode
	refuseDuplicates   bool // answers 409 to a meetingId it has seen
	refuseUnknown      bool // decodes with DisallowUnknownFields
	get500             bool // answers 500 to GET
	hang               bool // never answers

	mu   sync.Mutex
	seen map[string]bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.hang {
		// With the body read, net/http cancels the context once the client hangs up.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	if r.Method != http.MethodPost {
		if r.Method == http.MethodGet && rc.get500 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	// Read it all, up to a bound, before refusing: net/http lingers 500ms on a connection
	// whose body was left unread, which would only slow the tests down.
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil || len(body) > 1<<20 {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if rc.refuseUnknown {
		dec.DisallowUnknownFields()
	}
	var ev recmock.RecordingEvent
	if err := dec.Decode(&ev); err != nil || ev.MeetingID == "" {
		code := http.StatusBadRequest
		if rc.fail500OnMalformed {
			code = http.StatusInternalServerError
		}
		http.Error(w, "bad event", code)
		return
	}
	rc.mu.Lock()
	dup := rc.seen[ev.MeetingID]
	if rc.seen == nil {
		rc.seen = map[string]bool{}
	}
	rc.seen[ev.MeetingID] = true
	rc.mu.Unlock()
	if dup && rc.refuseDuplicates {
		http.Error(w, "seen", http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func TestWebhookChecks(t *testing.T) {
	tests := []struct {
		name     string
		rc       *receiver
		mustFail []string
	}{
		{name: "good", rc: &receiver{}},
		{name: "500-on-malformed", rc: &receiver{fail500OnMalformed: true}, mustFail: []string{"webhook.malformed-no-5xx", "webhook.wrong-types-no-5xx", "webhook.empty-body-no-5xx"}},
		{name: "refuses-duplicates", rc: &receiver{refuseDuplicates: true}, mustFail: []string{"webhook.tolerates-duplicate"}},
		{name: "refuses-unknown-fields", rc: &receiver{refuseUnknown: true}, mustFail: []string{"webhook.ignores-unknown-fields"}},
		{name: "get-500", rc: &receiver{get500: true}, mustFail: []string{"webhook.get-no-5xx"}},
		{name: "never-answers", rc: &receiver{hang: true}, mustFail: []string{"webhook.accepts-event", "webhook.malformed-no-5xx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.rc)
			t.Cleanup(srv.Close)
			cfg := contract.Config{WebhookURL: srv.URL + "/hooks/recording"}
			if tt.rc.hang {
				cfg.Timeout = 50 * time.Millisecond // the receiver never answers; any timeout fails it
			}
			rep, err := contract.Run(context.Background(), cfg, contract.WebhookChecks())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep.Restore != nil || rep.Target != cfg.WebhookURL {
				t.Errorf("Target %q, restore %+v: webhook runs touch no account", rep.Target, rep.Restore)
			}
			got := byStatus(rep)
			if tt.mustFail == nil && !rep.OK() {
				t.Fatalf("fails against a good receiver:%s", failures(rep))
			}
			for _, id := range tt.mustFail {
				if got[id] != contract.StatusFail {
					t.Errorf("%s: %s, want fail", id, got[id])
				}
			}
		})
	}
}

func TestWebhookChecksNeedURL(t *testing.T) {
	rep, _ := contract.Run(context.Background(), contract.Config{}, contract.WebhookChecks())
	if r := rep.Results[0]; r.Status != contract.StatusFail || r.Message != "no webhook receiver URL (Config.WebhookURL, --url)" {
		t.Errorf("%s %q, want a failure naming the missing URL", r.Status, r.Message)
	}
}
