package receiver_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/certs"
	"github.com/recmock/recmock/receiver"
	"github.com/recmock/recmock/simulator"
)

var fixedNow = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

const validEvent = `{"meetingId":"m-1","apiKey":"demo-key","unixTime":1764496941,"roomId":"weekly-standup","participants":4,` +
	`"startTime":"2026-11-30T09:00:07Z","endTime":"2026-11-30T09:38:52Z","retrievalUrl":"http://127.0.0.1:9000/recmock-recordings/m-1.mp4"}`

// start runs a Receiver on a free loopback port, closed by the test's end.
func start(t *testing.T, cfg receiver.Config) *receiver.Receiver {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	r, err := receiver.NewServer(cfg)
	if err != nil {
		t.Fatalf("receiver.NewServer: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// send makes one request and returns the status, the Allow header and the body.
func send(t *testing.T, client *http.Client, method, url, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Allow"), string(b)
}

// TestAnswers: what each kind of request is answered, and what is kept of it.
func TestAnswers(t *testing.T) {
	big := `{"meetingId":"` + strings.Repeat("x", 2000) + `"}`
	tests := []struct {
		name       string
		cfg        receiver.Config
		method     string
		body       string
		wantStatus int
		wantAnswer string
		wantEvent  *receiver.Event // nil: nothing kept
	}{
		{
			name: "valid event", method: "POST", body: validEvent, wantStatus: 200,
			wantAnswer: `{"n":1,"valid":true}` + "\n",
			wantEvent:  &receiver.Event{N: 1, Path: "/hooks/recording", Size: int64(len(validEvent)), Body: validEvent, MeetingID: "m-1", Valid: true, Status: 200},
		},
		{
			name: "fields missing and mistyped", method: "POST", body: `{"meetingId":"m-2","participants":"4"}`, wantStatus: 200,
			wantAnswer: `{"n":1,"valid":false,"errors":[`,
			wantEvent:  &receiver.Event{N: 1, Path: "/hooks/recording", Size: 38, Body: `{"meetingId":"m-2","participants":"4"}`, MeetingID: "m-2", Status: 200},
		},
		{
			name: "not JSON", method: "POST", body: `meetingId=m-3`, wantStatus: 200,
			wantAnswer: `{"n":1,"valid":false,"errors":[{"field":"body"`,
			wantEvent:  &receiver.Event{N: 1, Path: "/hooks/recording", Size: 13, Body: `meetingId=m-3`, Status: 200},
		},
		{
			name: "chosen status", cfg: receiver.Config{Status: 202}, method: "POST", body: validEvent, wantStatus: 202,
			wantAnswer: `{"n":1,"valid":true}` + "\n",
			wantEvent:  &receiver.Event{N: 1, Path: "/hooks/recording", Size: int64(len(validEvent)), Body: validEvent, MeetingID: "m-1", Valid: true, Status: 202},
		},
		{
			name: "204 has no body", cfg: receiver.Config{Status: 204}, method: "POST", body: validEvent, wantStatus: 204,
			wantEvent: &receiver.Event{N: 1, Path: "/hooks/recording", Size: int64(len(validEvent)), Body: validEvent, MeetingID: "m-1", Valid: true, Status: 204},
		},
		{
			name: "too large", cfg: receiver.Config{MaxBodyBytes: 100}, method: "POST", body: big, wantStatus: 413,
			wantAnswer: `{"n":1,"valid":false,"errors":[{"field":"body","message":"is larger than 100 bytes"}]}` + "\n",
			wantEvent: &receiver.Event{N: 1, Path: "/hooks/recording", Size: 101, Body: big[:101],
				Errors: []recmock.FieldError{{Field: "body", Message: "is larger than 100 bytes"}}, Status: 413},
		},
		{
			name: "body kept in part", cfg: receiver.Config{KeepBodyBytes: 10}, method: "POST", body: validEvent, wantStatus: 200,
			wantAnswer: `{"n":1,"valid":true}` + "\n",
			wantEvent:  &receiver.Event{N: 1, Path: "/hooks/recording", Size: int64(len(validEvent)), Body: validEvent[:10], Truncated: true, MeetingID: "m-1", Valid: true, Status: 200},
		},
		{name: "GET", method: "GET", wantStatus: 405, wantAnswer: `{"status":0,"content":{"message":"method not allowed: GET /hooks/recording; a webhook receiver takes POST"}}` + "\n"},
		{name: "PUT", method: "PUT", body: validEvent, wantStatus: 405, wantAnswer: `{"status":0,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, tt.cfg)
			status, allow, answer := send(t, http.DefaultClient, tt.method, r.URL()+"/hooks/recording", tt.body)
			if status != tt.wantStatus || !strings.HasPrefix(answer, tt.wantAnswer) || (tt.wantAnswer == "") != (answer == "") {
				t.Errorf("answered %d %q, want %d %q...", status, answer, tt.wantStatus, tt.wantAnswer)
			}
			if status == 405 && allow != "POST" {
				t.Errorf("Allow %q, want POST", allow)
			}
			events, _ := r.Events()
			var want []receiver.Event
			if tt.wantEvent != nil {
				ev := *tt.wantEvent
				ev.Time, ev.ContentType, ev.UserAgent = fixedNow, "application/json", "Go-http-client/1.1"
				want = []receiver.Event{ev}
			}
			ignoreErrors := cmpopts.IgnoreFields(receiver.Event{}, "Errors")
			if tt.wantEvent != nil && tt.wantEvent.Errors != nil {
				ignoreErrors = nil
			}
			if diff := cmp.Diff(want, events, cmpopts.EquateEmpty(), ignoreErrors); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
			if len(events) == 1 && !events[0].Valid && len(events[0].Errors) == 0 {
				t.Errorf("an invalid event without errors: %+v", events[0])
			}
		})
	}
}

// TestInvalidEventNamesEachField: each broken rule of the schema is named by its field.
func TestInvalidEventNamesEachField(t *testing.T) {
	r := start(t, receiver.Config{})
	send(t, http.DefaultClient, "POST", r.URL()+"/", `{"meetingId":"m","apiKey":"k","unixTime":"soon","roomId":"r","participants":0,"startTime":"x","endTime":"2026-11-30T09:38:52Z"}`)
	events, _ := r.Events()
	var fields []string
	for _, e := range events[0].Errors {
		fields = append(fields, e.Field)
	}
	for _, want := range []string{"unixTime", "participants", "startTime", "retrievalUrl"} {
		if !strings.Contains(strings.Join(fields, " "), want) {
			t.Errorf("errors %v do not name %s", events[0].Errors, want)
		}
	}
}

// TestFailFirstAndDuplicates: the simulator, a real sender, retries the first answers
// FailFirst makes fail, and each retry is marked a duplicate of the first attempt.
func TestFailFirstAndDuplicates(t *testing.T) {
	r := start(t, receiver.Config{FailFirst: 2})
	sim, err := simulator.New(simulator.Config{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	d := sim.Deliver(t.Context(), simulator.Webhook{URL: r.URL() + "/hooks/recording", Event: ev})
	var got []int
	for _, a := range d.Attempts {
		got = append(got, a.Status)
	}
	if diff := cmp.Diff([]int{503, 503, 200}, got); diff != "" {
		t.Errorf("attempts' statuses mismatch (-want +got):\n%s", diff)
	}
	events, _ := r.Events()
	type seen struct {
		N, Status       int
		Valid, Dup      bool
		Delivery, Tries string
		MeetingID       string
	}
	var gotEvents []seen
	for _, e := range events {
		gotEvents = append(gotEvents, seen{e.N, e.Status, e.Valid, e.Duplicate, e.Delivery, e.Attempt, e.MeetingID})
	}
	want := []seen{ // newest first
		{3, 200, true, true, d.ID, "3", ev.MeetingID},
		{2, 503, true, true, d.ID, "2", ev.MeetingID},
		{1, 503, true, false, d.ID, "1", ev.MeetingID},
	}
	if diff := cmp.Diff(want, gotEvents); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(events[0].UserAgent, "recmock/") {
		t.Errorf("User-Agent %q", events[0].UserAgent)
	}
	r.Reset()
	if events, dropped := r.Events(); len(events) != 0 || dropped != 0 {
		t.Errorf("after Reset: %d events, %d dropped", len(events), dropped)
	}
	if status, _, _ := send(t, http.DefaultClient, "POST", r.URL(), validEvent); status != 503 {
		t.Errorf("the first event after Reset was answered %d, want 503 (FailFirst counts again)", status)
	}
}

// TestBoundedMemory: the newest MaxEvents events are kept, the others counted, and a
// meetingId of a dropped event is no longer a duplicate.
func TestBoundedMemory(t *testing.T) {
	r := start(t, receiver.Config{MaxEvents: 2})
	for _, id := range []string{"a", "b", "c", "a"} {
		send(t, http.DefaultClient, "POST", r.URL(), `{"meetingId":"`+id+`"}`)
	}
	events, dropped := r.Events()
	var got []string
	for _, e := range events {
		got = append(got, e.MeetingID)
		if e.Duplicate {
			t.Errorf("event %d (%s) marked duplicate, but the other %s was dropped", e.N, e.MeetingID, e.MeetingID)
		}
	}
	if diff := cmp.Diff([]string{"a", "c"}, got); diff != "" || dropped != 2 {
		t.Errorf("kept mismatch (-want +got):\n%s\ndropped %d, want 2", diff, dropped)
	}
}

// TestStalledSenderIsCut: a sender that stops in the middle of a body does not hold the
// connection past Timeout, and leaves no event.
func TestStalledSenderIsCut(t *testing.T) {
	r := start(t, receiver.Config{Timeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"meet"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute)) // a bound for a broken test, not a threshold
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the receiver kept a stalled connection open for a minute")
	}
	if events, _ := r.Events(); len(events) != 0 {
		t.Errorf("a body never finished was kept: %+v", events)
	}
}

// TestTLS: with a TLSConfig the receiver serves HTTPS, and a client that trusts the
// authority reaches it.
func TestTLS(t *testing.T) {
	ca, err := certs.NewAuthority("test CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, receiver.Config{TLSConfig: &tls.Config{Certificates: []tls.Certificate{leaf}}})
	if !strings.HasPrefix(r.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s, want https://127.0.0.1:port", r.URL())
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if status, _, _ := send(t, client, "POST", r.URL()+"/hook", validEvent); status != 200 {
		t.Errorf("POST over TLS: %d", status)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []receiver.Config{{Status: 100}, {Status: 600}, {FailStatus: 99}, {FailFirst: -1}, {MaxBodyBytes: -1}} {
		if _, err := receiver.New(cfg); !errors.Is(err, receiver.ErrConfig) {
			t.Errorf("New(%+v): %v, want ErrConfig", cfg, err)
		}
	}
}

// TestEventJSON: the JSON recmock receive --json prints names every field.
func TestEventJSON(t *testing.T) {
	r := start(t, receiver.Config{})
	send(t, http.DefaultClient, "POST", r.URL()+"/h", validEvent)
	events, _ := r.Events()
	b, err := json.Marshal(events[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":1,"time":"2026-11-30T10:00:00Z","path":"/h","userAgent":"Go-http-client/1.1","contentType":"application/json","size":` +
		strconv.Itoa(len(validEvent)) + `,"body":` + mustJSON(t, validEvent) + `,"meetingId":"m-1","valid":true,"status":200}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
