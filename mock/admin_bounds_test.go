package mock_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/golden"
	"github.com/recmock/recmock/mock"
)

// TestAdminBounds hits every bound and cap of the admin API on both sides: the last value it
// takes and the first it refuses. Every answer goes through specTransport, which refuses a
// status or a body openapi.yaml does not document, so the document says what each bound
// answers. Operations served by a mount (e-mail, deliveries, objects) check their parameters
// before the mount is reached; with none configured, a request that passes answers 501.
func TestAdminBounds(t *testing.T) {
	var got recmock.RecordingOverrides
	n := notifierFunc(func(_ context.Context, a recmock.Account, _ recmock.Settings, o recmock.RecordingOverrides) (recmock.RecordingResult, error) {
		got = o
		return recmock.RecordingResult{
			Event:   recmock.RecordingEvent{MeetingID: "m-1", APIKey: a.APIKey, UnixTime: 1, RoomID: "r", Participants: 1, RetrievalURL: "http://s3/x"},
			S3:      recmock.S3Outcome{Outcome: recmock.Outcome{Status: recmock.OutcomeOK}},
			Webhook: recmock.WebhookOutcome{Outcome: recmock.Outcome{Status: recmock.OutcomeSkipped}},
			Email:   recmock.EmailOutcome{Outcome: recmock.Outcome{Status: recmock.OutcomeSkipped}},
		}, nil
	})
	c := newClient(t, mock.Config{Notifier: n})
	c.mustDo(req{Method: "PUT", Path: "/_admin/settings/temasys", Body: `{"notify":true}`})
	name := func(n int) string { return strings.Repeat("u", n) }
	rec := func(fields string) string { return `{"username":"temasys",` + fields + `}` }
	tests := []struct {
		name   string
		r      req
		status int
		golden string // the envelope's golden file, for refusals worth pinning
	}{
		// usernames: at most 256 characters
		{"put settings, 256-character username", req{Method: "PUT", Path: "/_admin/settings/" + name(256), Body: `{"notify":true}`}, 404, ""},
		{"put settings, 257-character username", req{Method: "PUT", Path: "/_admin/settings/" + name(257), Body: `{"notify":true}`}, 400, ""},
		{"delete settings, 256-character username", req{Method: "DELETE", Path: "/_admin/settings/" + name(256)}, 404, ""},
		{"delete settings, 257-character username", req{Method: "DELETE", Path: "/_admin/settings/" + name(257)}, 400, "admin-delete-long-username"},
		{"recording, 257-character username", req{Method: "POST", Path: "/_admin/recordings", Body: `{"username":"` + name(257) + `"}`}, 400, ""},
		{"recording, empty username", req{Method: "POST", Path: "/_admin/recordings", Body: `{"username":""}`}, 400, ""},

		// limit: 1 to 10000, an integer, on every list that takes it
		{"requests limit 1", req{Path: "/_admin/requests?limit=1"}, 200, ""},
		{"requests limit 10000", req{Path: "/_admin/requests?limit=10000"}, 200, ""},
		{"requests limit 0", req{Path: "/_admin/requests?limit=0"}, 400, ""},
		{"requests limit 10001", req{Path: "/_admin/requests?limit=10001"}, 400, ""},
		{"requests limit 100001", req{Path: "/_admin/requests?limit=100001"}, 400, ""},
		{"requests limit empty", req{Path: "/_admin/requests?limit="}, 400, ""},
		{"requests limit 1.5", req{Path: "/_admin/requests?limit=1.5"}, 400, ""},
		{"requests limit beyond int64", req{Path: "/_admin/requests?limit=99999999999999999999"}, 400, ""},
		{"deliveries limit 0", req{Path: "/_admin/deliveries?limit=0"}, 400, ""},
		{"deliveries limit 10000", req{Path: "/_admin/deliveries?limit=10000"}, 501, ""},
		{"emails limit 10001", req{Path: "/_admin/emails?limit=10001"}, 400, ""},
		{"emails start -1", req{Path: "/_admin/emails?start=-1"}, 400, ""},
		{"emails start 0", req{Path: "/_admin/emails?start=0"}, 501, ""},

		// required query parameters: present and not empty
		{"download without bucket and key", req{Path: "/_admin/objects/download"}, 400, "admin-download-no-params"},
		{"download with an empty bucket", req{Path: "/_admin/objects/download?bucket=&key=k"}, 400, "admin-download-empty-bucket"},
		{"download with an empty key", req{Path: "/_admin/objects/download?bucket=b&key="}, 400, ""},
		{"download with a 64-character bucket", req{Path: "/_admin/objects/download?bucket=" + name(64) + "&key=k"}, 400, ""},
		{"download with both", req{Path: "/_admin/objects/download?bucket=" + name(63) + "&key=k"}, 501, ""},

		// fault bodies: each field's range, numbers read by value as the schema reads them
		{"fault latency 600000", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","latencyMs":600000}`}, 201, ""},
		{"fault latency 600001", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","latencyMs":600001}`}, 400, ""},
		{"fault latency -1", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","latencyMs":-1}`}, 400, ""},
		{"fault latency 1e3", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","latencyMs":1e3}`}, 201, ""},
		{"fault latency 1.5", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","latencyMs":1.5}`}, 400, ""},
		{"fault status 400", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","status":400}`}, 201, ""},
		{"fault status 599.0", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","status":599.0}`}, 201, ""},
		{"fault status 399", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","status":399}`}, 400, ""},
		{"fault status 600", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","status":600}`}, 400, ""},
		{"fault times 1000000", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","times":1e6}`}, 201, ""},
		{"fault times 1000001", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","times":1000001}`}, 400, "fault-times-too-many"},
		{"fault method 16 characters", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","method":"` + name(16) + `"}`}, 201, ""},
		{"fault method 17 characters", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/x","method":"` + name(17) + `"}`}, 400, ""},
		{"fault path 2048 characters", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/` + name(2047) + `"}`}, 201, ""},
		{"fault path 2049 characters", req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/` + name(2048) + `"}`}, 400, ""},

		// recording bodies: each override's range
		{"recording participants 10000", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"participants":10000`)}, 200, ""},
		{"recording participants 10001", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"participants":10001`)}, 400, ""},
		{"recording participants 0", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"participants":0`)}, 400, ""},
		{"recording participants 2.0", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"participants":2.0`)}, 200, ""},
		{"recording unixTime 253402300799", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"unixTime":253402300799`)}, 200, ""},
		{"recording unixTime 253402300800", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"unixTime":253402300800`)}, 400, "recording-unixtime-after-9999"},
		{"recording unixTime -1", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"unixTime":-1`)}, 400, ""},
		{"recording unixTime 1e300", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"unixTime":1e300`)}, 400, ""},
		{"recording meetingId 256 characters", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"meetingId":"` + name(256) + `"`)}, 200, ""},
		{"recording meetingId 257 characters", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"meetingId":"` + name(257) + `"`)}, 400, ""},
		{"recording roomId with a line break", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"roomId":"a\nb"`)}, 400, "recording-roomid-control"},
		{"recording roomId with a C1 control", req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"roomId":"a\u0085b"`)}, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.expect(t, tt.r, tt.status)
			if tt.golden != "" {
				golden.Check(t, "envelopes/"+tt.golden+".json", res.Body)
			}
		})
	}
	c.t = t

	// Numbers are read by value: the handlers got what the schema took.
	c.mustDo(req{Method: "POST", Path: "/_admin/recordings", Body: rec(`"participants":2.5e1,"unixTime":1.7e9`)})
	if got.Participants == nil || *got.Participants != 25 || got.UnixTime == nil || *got.UnixTime != 1700000000 {
		t.Errorf("overrides %+v, want participants 25 and unixTime 1700000000", got)
	}
	added := decode[mock.Fault](t, c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/y","latencyMs":2.5e2,"status":5.03e2,"times":3.0}`}).Body)
	if diff := cmp.Diff(mock.Fault{ID: added.ID, Path: "/y", LatencyMs: 250, Status: 503, Times: 3, Remaining: 3}, added); diff != "" {
		t.Errorf("fault written with exponents (-want +got):\n%s", diff)
	}
}

// TestFaultCap: 100 faults may be active; the 101st is a 409 naming the way out, and a fault
// used up makes room again.
func TestFaultCap(t *testing.T) {
	c := newClient(t, mock.Config{})
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"method":"GET","path":"/rest/*","status":503}`})
	for i := 2; i <= 100; i++ {
		c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: fmt.Sprintf(`{"path":"/nowhere/%d"}`, i)})
	}
	res := c.do(req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/one-too-many"}`})
	if res.Status != http.StatusConflict {
		t.Fatalf("101st fault: status %d, want 409: %s", res.Status, res.Body)
	}
	golden.Check(t, "envelopes/fault-cap.json", res.Body)
	if items := decode[struct{ Items []mock.Fault }](t, c.mustDo(req{Path: "/_admin/faults"}).Body).Items; len(items) != 100 {
		t.Errorf("%d faults listed, want the 100 the cap allows", len(items))
	}
	c.do(req{}) // uses up the GET fault
	c.mustDo(req{Method: "POST", Path: "/_admin/faults", Body: `{"path":"/room-again"}`})
}

// TestNewRefusesAccounts: accounts the API or the admin API could not tell apart or address
// are refused when the mock is built, not found out on the first request.
func TestNewRefusesAccounts(t *testing.T) {
	ok := recmock.Account{Username: "alice", APIKey: "ak", Secret: "as"}
	for _, tt := range []struct {
		name     string
		accounts []recmock.Account
		want     string
	}{
		{"no secret", []recmock.Account{{Username: "alice", APIKey: "ak"}}, "must all be set"},
		{"shared apiKey", []recmock.Account{ok, {Username: "bob", APIKey: "ak", Secret: "bs"}}, "share the apiKey"},
		{"shared username", []recmock.Account{ok, {Username: "alice", APIKey: "bk", Secret: "bs"}}, "share the username"},
		{"257-character username", []recmock.Account{{Username: strings.Repeat("é", 257), APIKey: "ak", Secret: "as"}}, "at most 256"},
	} {
		_, err := mock.New(mock.Config{Accounts: tt.accounts})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
	long := recmock.Account{Username: strings.Repeat("é", 256), APIKey: "ak", Secret: "as"}
	if _, err := mock.New(mock.Config{Accounts: []recmock.Account{long}}); err != nil {
		t.Errorf("256-character username refused: %v", err)
	}
}
