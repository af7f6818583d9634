package mock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/recmock/recmock/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, body)
	}
	return v
}

type journalPage struct {
	Total   int                 `json:"total"`
	Dropped int                 `json:"dropped"`
	Items   []mock.JournalEntry `json:"items"`
}

func TestJournal(t *testing.T) {
	c := newClient(t, mock.Config{JournalSize: 3})
	secret := "wJalrXUtnFEMI-K7MDENG"
	c.do(req{Method: "POST", Body: `{"notify":true,"s3Arn":"arn:aws:s3:::bkt","s3AccessKeyId":"AK","s3SecretAccessKey":"` + secret + `"}`})
	c.do(req{})                                                                                          // GET answers the secret: the journal must not
	c.do(req{Method: "PUT", Body: `{"notify":true,"email":"bad","S3SECRETACCESSKEY":"` + secret + `"}`}) // refused, but redacted all the same
	c.do(req{Method: "PUT", Body: `{"notify":true,"s3SecretAccessKey":"` + secret + ``})                 // cut JSON: the pattern still finds it
	page := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests"}).Body)
	raw := string(c.mustDo(req{Path: "/_admin/requests"}).Body)
	if strings.Contains(raw, secret[:8]) {
		t.Errorf("the journal leaks the S3 secret: %s", raw)
	}
	if page.Total != 3 || page.Dropped != 1 || len(page.Items) != 3 {
		t.Fatalf("total %d, dropped %d, %d items; want 3, 1, 3 (the journal is bounded to 3)", page.Total, page.Dropped, len(page.Items))
	}
	type short struct {
		Method, Username string
		Status           int
		Errors           []recmock.FieldError
	}
	var got []short
	for _, e := range page.Items {
		got = append(got, short{e.Method, e.Username, e.Status, e.Errors})
		if !strings.Contains(e.RequestBody+e.ResponseBody, recmock.Redacted) {
			t.Errorf("entry %d shows no %q where the secret was: %q / %q", e.ID, recmock.Redacted, e.RequestBody, e.ResponseBody)
		}
	}
	want := []short{ // newest first
		{"PUT", "temasys", 400, []recmock.FieldError{{Field: "body", Message: "invalid JSON: unexpected EOF"}}},
		{"PUT", "temasys", 400, []recmock.FieldError{{Field: "S3SECRETACCESSKEY", Message: "is not a known field"}, {Field: "email", Message: `"bad" is not a valid e-mail address`}}},
		{"GET", "temasys", 200, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal mismatch (-want +got):\n%s", diff)
	}
	if page.Items[0].ID <= page.Items[1].ID {
		t.Errorf("IDs %d, %d: want newest first", page.Items[0].ID, page.Items[1].ID)
	}

	limited := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests?limit=1"}).Body)
	if len(limited.Items) != 1 || limited.Items[0].ID != page.Items[0].ID {
		t.Errorf("limit=1 gave %+v, want only the newest entry", limited.Items)
	}
	if res := c.do(req{Path: "/_admin/requests?limit=0"}); res.Status != 400 {
		t.Errorf("limit=0: status %d, want 400", res.Status)
	}
	c.mustDo(req{Method: "DELETE", Path: "/_admin/requests"})
	if p := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests"}).Body); p.Total != 0 {
		t.Errorf("after DELETE the journal holds %d entries", p.Total)
	}
}

func TestFaults(t *testing.T) {
	c := newClient(t, mock.Config{})
	c.mustDo(req{Method: "POST", Body: `{"notify":true}`})

	added := decode[mock.Fault](t, c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"method":"GET","path":"/rest/*","status":503,"times":2}`}).Body)
	if diff := cmp.Diff(mock.Fault{ID: added.ID, Method: "GET", Path: "/rest/*", Status: 503, Times: 2, Remaining: 2}, added); diff != "" {
		t.Errorf("added fault (-want +got):\n%s", diff)
	}
	if res := c.do(req{Method: "PUT", Body: `{"notify":true}`}); res.Status != 200 {
		t.Errorf("PUT matched a GET-only fault: %d", res.Status)
	}
	for i := range 2 {
		res := c.do(req{})
		if res.Status != 503 {
			t.Fatalf("GET %d: status %d, want the injected 503", i+1, res.Status)
		}
		golden.Check(t, "envelopes/fault-status.json", res.Body)
	}
	if res := c.do(req{}); res.Status != 200 {
		t.Errorf("third GET: status %d, want 200 once the fault's times are used up", res.Status)
	}
	if got := decode[struct{ Items []mock.Fault }](t, c.mustDo(req{Path: "/_admin/faults"}).Body).Items; len(got) != 0 {
		t.Errorf("used-up fault still listed: %+v", got)
	}

	// Latency then status: the journal names the fault. No timing is asserted.
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"latencyMs":5,"status":500}`})
	if res := c.do(req{}); res.Status != 500 {
		t.Errorf("latency+status fault: %d, want 500", res.Status)
	}
	page := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests?limit=1"}).Body)
	if f := page.Items[0].Fault; !strings.Contains(f, "latency 5ms, status 500") {
		t.Errorf("journal fault %q, want it to say latency 5ms, status 500", f)
	}

	// A dropped connection: the client sees no response at all.
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"drop":true,"method":"PUT"}`})
	hr, _ := http.NewRequest("PUT", c.base+path, strings.NewReader(`{"notify":true}`))
	hr.SetBasicAuth("demo-key", "demo-secret")
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := hc.Do(hr); err == nil {
		res.Body.Close()
		t.Errorf("dropped connection answered %d", res.StatusCode)
	}

	for _, bad := range []struct{ name, body string }{
		{"fault-status-200", `{"status":200}`},
		{"fault-unknown-field", `{"status":503,"count":2}`},
		{"fault-times-0", `{"drop":true,"times":0}`},
	} {
		res := c.do(req{Method: "POST", Path: "/_admin/faults", Body: bad.body})
		if res.Status != 400 {
			t.Errorf("%s: status %d, want 400", bad.name, res.Status)
		}
		golden.Check(t, "envelopes/"+bad.name+".json", res.Body)
	}
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"status":502,"times":5}`})
	c.mustDo(req{Method: "DELETE", Path: "/_admin/faults"})
	if res := c.do(req{}); res.Status != 200 {
		t.Errorf("after DELETE /_admin/faults: %d, want 200", res.Status)
	}
}

func TestAdminSettings(t *testing.T) {
	accts := []recmock.Account{{Username: "alice", APIKey: "ak", Secret: "as"}, {Username: "bob", APIKey: "bk", Secret: "bs"}}
	c := newClient(t, mock.Config{Accounts: accts})
	c.mustDo(req{Method: "PUT", Path: "/_admin/settings/bob", Body: `{"notify":1,"email":"b@b.example"}`})
	type entry struct {
		Username string            `json:"username"`
		APIKey   string            `json:"apiKey"`
		Settings *recmock.Settings `json:"settings"`
	}
	got := decode[struct{ Accounts []entry }](t, c.mustDo(req{Path: "/_admin/settings"}).Body).Accounts
	want := []entry{
		{Username: "alice", APIKey: "ak"},
		{Username: "bob", APIKey: "bk", Settings: &recmock.Settings{Username: "bob", Notify: true, Email: []string{"b@b.example"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("admin settings (-want +got):\n%s", diff)
	}
	// What the admin API seeded, the account reads through the vendor API.
	if got := data(t, c.mustDo(req{User: "bk", Pass: "bs"}).Body); !got.Notify {
		t.Errorf("bob reads %+v", got)
	}
	for _, tt := range []struct {
		name   string
		r      req
		status int
	}{
		{"admin-put-unknown-account", req{Method: "PUT", Path: "/_admin/settings/carol", Body: `{"notify":true}`}, 404},
		{"admin-put-invalid", req{Method: "PUT", Path: "/_admin/settings/bob", Body: `{"notify":"on"}`}, 400},
		{"admin-delete-without-settings", req{Method: "DELETE", Path: "/_admin/settings/alice"}, 404},
	} {
		res := c.do(tt.r)
		if res.Status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, res.Status, tt.status, res.Body)
		}
		golden.Check(t, "envelopes/"+tt.name+".json", res.Body)
	}
	c.mustDo(req{Method: "DELETE", Path: "/_admin/settings/bob"})
	if res := c.do(req{User: "bk", Pass: "bs"}); res.Status != 404 {
		t.Errorf("after admin DELETE bob reads %d", res.Status)
	}
}

func TestReset(t *testing.T) {
	var resets int
	c := newClient(t, mock.Config{OnReset: []func(context.Context) error{func(context.Context) error { resets++; return nil }}})
	c.mustDo(req{Method: "POST", Body: `{"notify":true}`})
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"status":500,"times":100}`})
	if res := decode[map[string]string](t, c.mustDo(req{Path: "/_admin/health"}).Body); res["status"] != "ok" {
		t.Errorf("health: %v", res)
	}
	c.mustDo(req{Method: "POST", Path: "/_admin/reset"})
	if resets != 1 {
		t.Errorf("OnReset ran %d times, want 1", resets)
	}
	if res := c.do(req{}); res.Status != 404 {
		t.Errorf("after reset GET: %d, want 404 (settings forgotten, fault cleared)", res.Status)
	}
	if p := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests"}).Body); p.Total != 1 {
		t.Errorf("after reset the journal holds %d entries, want only the GET since", p.Total)
	}

	failing := newClient(t, mock.Config{OnReset: []func(context.Context) error{func(context.Context) error { return errors.New("disk on fire") }}})
	res := failing.do(req{Method: "POST", Path: "/_admin/reset"})
	if res.Status != 500 || !strings.Contains(string(res.Body), "reset") {
		t.Errorf("failing reset hook: %d %s, want a 500 envelope", res.Status, res.Body)
	}
}

// notifierFunc adapts a function to recmock.Notifier.
type notifierFunc func(context.Context, recmock.Account, recmock.Settings, recmock.RecordingOverrides) (recmock.RecordingResult, error)

func (f notifierFunc) NotifyRecording(ctx context.Context, a recmock.Account, s recmock.Settings, o recmock.RecordingOverrides) (recmock.RecordingResult, error) {
	return f(ctx, a, s, o)
}

func TestRecordings(t *testing.T) {
	var got struct {
		acct     recmock.Account
		settings recmock.Settings
		o        recmock.RecordingOverrides
	}
	n := notifierFunc(func(_ context.Context, a recmock.Account, s recmock.Settings, o recmock.RecordingOverrides) (recmock.RecordingResult, error) {
		got.acct, got.settings, got.o = a, s, o
		if o.RoomID != nil && *o.RoomID == "panic" {
			panic("boom")
		}
		if o.RoomID != nil && *o.RoomID == "invalid" {
			return recmock.RecordingResult{}, recmock.Invalid(recmock.FieldError{Field: "roomId", Message: "is not allowed"})
		}
		return recmock.RecordingResult{
			Event:   recmock.RecordingEvent{MeetingID: "m-1", APIKey: a.APIKey, UnixTime: 1, RoomID: *o.RoomID, Participants: 2, RetrievalURL: "http://s3/x"},
			S3:      recmock.S3Outcome{Outcome: recmock.Outcome{Status: recmock.OutcomeOK}},
			Webhook: recmock.WebhookOutcome{Outcome: recmock.Outcome{Status: recmock.OutcomeSkipped, Message: "no url"}},
			Email:   recmock.EmailOutcome{Outcome: recmock.Outcome{Status: recmock.OutcomeSkipped, Message: "no email"}},
		}, nil
	})
	c := newClient(t, mock.Config{Notifier: n})
	if res := c.do(req{Method: "POST", Path: "/_admin/recordings", Body: `{"username":"temasys","roomId":"r"}`}); res.Status != 404 {
		t.Errorf("recording without settings: %d, want 404", res.Status)
	}
	c.mustDo(req{Method: "POST", Body: `{"notify":true,"email":"a@b.com"}`})
	res := c.mustDo(req{Method: "POST", Path: "/_admin/recordings", Body: `{"username":"temasys","roomId":"standup","participants":3}`})
	if r := decode[recmock.RecordingResult](t, res.Body); r.Event.RoomID != "standup" {
		t.Errorf("result %+v", r)
	}
	if got.acct != recmock.DefaultAccount() || *got.o.Participants != 3 || got.settings.Email[0] != "a@b.com" {
		t.Errorf("notifier got %+v", got)
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
	}{
		{"recording-unknown-account", `{"username":"nobody"}`, 404},
		{"recording-no-username", `{"roomId":"x"}`, 400},
		{"recording-bad-participants", `{"username":"temasys","participants":0}`, 400},
		{"recording-bad-time", `{"username":"temasys","startTime":"yesterday"}`, 400},
		{"recording-unknown-field", `{"username":"temasys","room":"x"}`, 400},
		{"recording-notifier-invalid", `{"username":"temasys","roomId":"invalid"}`, 400},
		{"recording-notifier-panics", `{"username":"temasys","roomId":"panic"}`, 500},
	} {
		res := c.do(req{Method: "POST", Path: "/_admin/recordings", Body: tt.body})
		if res.Status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, res.Status, tt.status, res.Body)
		}
		golden.Check(t, "envelopes/"+tt.name+".json", res.Body)
	}
	// The server survived the panic.
	c.mustDo(req{Path: "/_admin/health"})
}

// TestConcurrentRequests runs many clients at once; run with -race.
func TestConcurrentRequests(t *testing.T) {
	var accts []recmock.Account
	for i := range 8 {
		accts = append(accts, recmock.Account{Username: fmt.Sprint("u", i), APIKey: fmt.Sprint("k", i), Secret: "s"})
	}
	c := newClient(t, mock.Config{Accounts: accts, JournalSize: 50})
	var wg sync.WaitGroup
	for _, a := range accts {
		wg.Go(func() {
			c.do(req{Method: "POST", Body: `{"notify":true}`, User: a.APIKey, Pass: "s"})
			for j := range 20 {
				body := fmt.Sprintf(`{"notify":%d,"email":"n%d@x.example"}`, j%2, j)
				c.do(req{Method: "PUT", Body: body, User: a.APIKey, Pass: "s"})
				c.do(req{User: a.APIKey, Pass: "s"})
				if j%5 == 0 {
					c.do(req{Path: "/_admin/requests?limit=5"})
					c.do(req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/nowhere"}`})
				}
			}
		})
	}
	wg.Wait()
	for _, a := range accts {
		got := data(t, c.mustDo(req{User: a.APIKey, Pass: "s"}).Body)
		want := recmock.Settings{Username: a.Username, Notify: true, Email: []string{"n19@x.example"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s after concurrent writes (-want +got):\n%s", a.Username, diff)
		}
	}
	page := decode[journalPage](t, c.mustDo(req{Path: "/_admin/requests?limit=10000"}).Body)
	if page.Total != 50 || len(page.Items) != 50 {
		t.Errorf("journal holds %d (%d items), want its bound of 50", page.Total, len(page.Items))
	}
	if page.Dropped == 0 {
		t.Errorf("dropped %d, want > 0", page.Dropped)
	}
}

// TestListenerAddr makes sure the mock works behind any listener, as serve uses it.
func TestListenerAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: m}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	res, err := http.Get("http://" + ln.Addr().String() + "/_admin/health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("health: %d", res.StatusCode)
	}
}

// TestJournalRedactsEverySecretForm sends the secret in every shape a body can carry it;
// none may reach the journal.
func TestJournalRedactsEverySecretForm(t *testing.T) {
	const secret = "Zq9SECRETvalue"
	bodies := map[string]string{
		"valid":            `{"notify":true,"s3Arn":"arn:aws:s3:::bkt","s3AccessKeyId":"AK","s3SecretAccessKey":"` + secret + `"}`,
		"spaces":           `{"notify":true, "s3SecretAccessKey" :  "` + secret + `" }`,
		"upper-case key":   `{"notify":true,"S3SECRETACCESSKEY":"` + secret + `"}`,
		"escaped key":      `{"notify":true,"s3SecretAccess\u004bey":"` + secret + `"}`,
		"escaped key, cut": `{"notify":true,"s3SecretAccess\u004bey":"` + secret,
		"escaped key, bad": `{"notify":true,"s3SecretAccess\u004bey":"` + secret + `",}`,
		"form, escaped":    `notify=true&s3SecretAccess%4Bey=` + secret,
		"escaped value":    `{"notify":true,"s3SecretAccessKey":"` + secret + `\"quoted\""}`,
		"number value":     `{"notify":true,"s3SecretAccessKey":123456789}`,
		"cut":              `{"notify":true,"s3SecretAccessKey":"` + secret,
		"cut with escape":  `{"notify":true,"x":"\n","s3SecretAccessKey":"` + secret,
		"form":             `notify=true&s3SecretAccessKey=` + secret + `&x=1`,
		"twice":            `{"s3SecretAccessKey":"` + secret + `","s3secretaccesskey":"` + secret + `"}`,
		"nested":           `{"notify":true,"s3Settings":{"s3SecretAccessKey":"` + secret + `"}}`,
		"array of objects": `[{"s3SecretAccessKey":"` + secret + `"}]`,
	}
	c := newClient(t, mock.Config{})
	for name, body := range bodies {
		ct := "application/json"
		if strings.HasPrefix(name, "form") {
			ct = "application/x-www-form-urlencoded"
		}
		c.do(req{Method: "PUT", Body: body, ContentType: ct})
		raw := string(c.mustDo(req{Path: "/_admin/requests?limit=1"}).Body)
		leak := secret
		if name == "number value" {
			leak = "123456789"
		}
		if strings.Contains(raw, leak) {
			t.Errorf("%s: the journal shows the secret: %s", name, raw)
		}
	}
	// In the query string, percent-encoded or not.
	for _, q := range []string{"s3SecretAccessKey=" + secret, "x=1&S3SecretAccess%4bey=" + secret} {
		c.do(req{Method: "GET", Path: path + "?" + q})
		if raw := string(c.mustDo(req{Path: "/_admin/requests?limit=1"}).Body); strings.Contains(raw, secret) || !strings.Contains(raw, "***") {
			t.Errorf("query %s: the journal shows the secret: %s", q, raw)
		}
	}
}

// TestAdminReadsAnyBodyAsJSON: curl -d sends application/x-www-form-urlencoded; the admin
// API takes it as JSON, while the vendor API keeps refusing it.
func TestAdminReadsAnyBodyAsJSON(t *testing.T) {
	c := newClient(t, mock.Config{})
	form := "application/x-www-form-urlencoded"
	if res := c.do(req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/nowhere","status":503}`, ContentType: form}); res.Status != 201 {
		t.Errorf("admin fault with a form content type: %d %s", res.Status, res.Body)
	}
	if res := c.do(req{Method: "PUT", Path: "/_admin/settings/temasys", Body: `{"notify":true}`, ContentType: "text/plain"}); res.Status != 200 {
		t.Errorf("admin settings with text/plain: %d %s", res.Status, res.Body)
	}
	if res := c.do(req{Method: "POST", Body: `{"notify":true}`, ContentType: form}); res.Status != 415 {
		t.Errorf("vendor API with a form content type: %d, want 415", res.Status)
	}
}
