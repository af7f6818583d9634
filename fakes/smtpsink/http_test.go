package smtpsink_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/fakes/smtpsink"
)

type listBody struct {
	Total   int              `json:"total"`
	Count   int              `json:"count"`
	Start   int              `json:"start"`
	Dropped int              `json:"dropped"`
	Items   []map[string]any `json:"items"`
}

type errorBody struct {
	Status  int `json:"status"`
	Content struct {
		Message string `json:"message"`
	} `json:"content"`
}

// apiWithMail starts a sink holding three messages, "one" to "three", and its API.
func apiWithMail(t *testing.T) (*smtpsink.Sink, string) {
	t.Helper()
	s := startSink(t, smtpsink.Config{})
	for _, subj := range []string{"one", "two", "three"} {
		sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail(subj, "Body of "+subj+"."))
	}
	return s, startAPI(t, s).URL + "/_admin/emails"
}

func itemIDs(items []map[string]any) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

func TestHTTPList(t *testing.T) {
	_, base := apiWithMail(t)
	tests := []struct {
		path      string
		wantIDs   []string
		wantStart int
	}{
		{"", []string{"3", "2", "1"}, 0},
		{"/", []string{"3", "2", "1"}, 0},
		{"?limit=2", []string{"3", "2"}, 0},
		{"?start=1&limit=1", []string{"2"}, 1},
		{"?start=2", []string{"1"}, 2},
		{"?start=3", []string{}, 3},
		{"?start=99&limit=10000", []string{}, 99},
		{"?start=9223372036854775807&limit=10000", []string{}, 9223372036854775807},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := do(t, "GET", base+tt.path)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q; want 200 and application/json", r.status, r.header.Get("Content-Type"))
			}
			got := decode[listBody](t, r)
			if diff := cmp.Diff(tt.wantIDs, itemIDs(got.Items)); diff != "" {
				t.Errorf("item IDs mismatch (-want +got):\n%s", diff)
			}
			if got.Total != 3 || got.Count != len(tt.wantIDs) || got.Start != tt.wantStart {
				t.Errorf("total %d, count %d, start %d; want 3, %d, %d", got.Total, got.Count, got.Start, len(tt.wantIDs), tt.wantStart)
			}
			for _, it := range got.Items {
				if _, ok := it["raw"]; ok {
					t.Errorf("list item %v has raw; only the single-message endpoint may", it["id"])
				}
				if _, ok := it["parts"]; ok {
					t.Errorf("list item %v has parts; only the single-message endpoint may", it["id"])
				}
			}
		})
	}
}

func TestHTTPGet(t *testing.T) {
	s, base := apiWithMail(t)
	r := do(t, "GET", base+"/2")
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	got := decode[map[string]any](t, r)
	want, _ := s.Message("2")
	if got["raw"] != string(want.Raw) || got["subject"] != "two" || got["parts"] == nil {
		t.Errorf("GET /2 = %v; want message 2 with its raw source and parts", got)
	}
}

func TestHTTPRaw(t *testing.T) {
	s, base := apiWithMail(t)
	r := do(t, "GET", base+"/1/raw")
	want, _ := s.Message("1")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "message/rfc822" {
		t.Fatalf("status %d, Content-Type %q; want 200 and message/rfc822", r.status, r.header.Get("Content-Type"))
	}
	if diff := cmp.Diff(string(want.Raw), string(r.body)); diff != "" {
		t.Errorf("raw body mismatch (-want +got):\n%s", diff)
	}
}

func TestHTTPDelete(t *testing.T) {
	s, base := apiWithMail(t)
	steps := []struct {
		method, path string
		wantStatus   int
		wantIDs      []string // what the sink holds after the step
	}{
		{"DELETE", "/2", http.StatusOK, []string{"3", "1"}},
		{"DELETE", "/2", http.StatusNotFound, []string{"3", "1"}},
		{"GET", "/2", http.StatusNotFound, []string{"3", "1"}},
		{"DELETE", "", http.StatusOK, []string{}},
		{"DELETE", "/", http.StatusOK, []string{}},
	}
	for _, st := range steps {
		r := do(t, st.method, base+st.path)
		if r.status != st.wantStatus {
			t.Errorf("%s %q: status %d, want %d: %s", st.method, st.path, r.status, st.wantStatus, r.body)
		}
		if st.wantStatus == http.StatusOK {
			if got := decode[map[string]string](t, r); got["status"] != "ok" {
				t.Errorf(`%s %q = %s, want {"status":"ok"}`, st.method, st.path, r.body)
			}
		}
		if diff := cmp.Diff(st.wantIDs, ids(s.Messages())); diff != "" {
			t.Errorf("after %s %q, IDs mismatch (-want +got):\n%s", st.method, st.path, diff)
		}
	}
}

func TestHTTPErrors(t *testing.T) {
	_, base := apiWithMail(t)
	tests := []struct {
		method, path string
		wantStatus   int
		wantMessage  string
		wantAllow    string
	}{
		{"GET", "?limit=0", 400, `invalid input: limit: "0" is not an integer from 1 to 10000`, ""},
		{"GET", "?limit=10001", 400, `invalid input: limit: "10001" is not an integer from 1 to 10000`, ""},
		{"GET", "?limit=ten", 400, `invalid input: limit: "ten" is not an integer from 1 to 10000`, ""},
		{"GET", "?start=-1", 400, `invalid input: start: "-1" is not an integer from 0 up`, ""},
		{"GET", "/wait?timeout=61s", 400, `invalid input: timeout: "61s" is not a duration from 1ms to 1m0s, such as 5s`, ""},
		{"GET", "/wait?timeout=0", 400, `invalid input: timeout: "0" is not a duration from 1ms to 1m0s, such as 5s`, ""},
		{"GET", "/wait?timeout=soon", 400, `invalid input: timeout: "soon" is not a duration from 1ms to 1m0s, such as 5s`, ""},
		{"GET", "/99", 404, `not found: id: no message "99"; it was never stored, or was deleted or dropped`, ""},
		{"GET", "/99/raw", 404, `not found: id: no message "99"; it was never stored, or was deleted or dropped`, ""},
		{"GET", "/1/headers", 404, `not found: no such path /_admin/emails/1/headers`, ""},
		{"POST", "", 405, `method not allowed: POST /_admin/emails; allowed: GET, DELETE`, "GET, DELETE"},
		{"PUT", "/1", 405, `method not allowed: PUT /_admin/emails/1; allowed: GET, DELETE`, "GET, DELETE"},
		{"DELETE", "/1/raw", 405, `method not allowed: DELETE /_admin/emails/1/raw; allowed: GET`, "GET"},
		{"POST", "/wait", 405, `method not allowed: POST /_admin/emails/wait; allowed: GET`, "GET"},
		{"GET", "/wait?to=nobody@example.com&timeout=1ms", 408, `request timeout: no message to "nobody@example.com" arrived within 1ms`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := do(t, tt.method, base+tt.path)
			if r.status != tt.wantStatus || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("status %d, Content-Type %q; want %d and application/json", r.status, r.header.Get("Content-Type"), tt.wantStatus)
			}
			if got := r.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			got := decode[errorBody](t, r)
			if got.Status != 0 || got.Content.Message != tt.wantMessage {
				t.Errorf("envelope = %s, want status 0 and message %q", r.body, tt.wantMessage)
			}
		})
	}
}

func TestHTTPWait(t *testing.T) {
	s, base := apiWithMail(t)
	sendMail(t, s, nil, "a@example.com", []string{"Other@Example.com"}, simpleMail("for other", "x"))
	tests := []struct {
		query  string
		wantID string
	}{
		{"", "4"},
		{"?to=b@example.com", "3"},
		{"?to=B@EXAMPLE.COM", "3"},
		{"?to=other@example.com", "4"},
		{"?subject=tw", "2"},
		{"?to=b@example.com&subject=one&timeout=5", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := do(t, "GET", base+"/wait"+tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", r.status, r.body)
			}
			got := decode[map[string]any](t, r)
			if got["id"] != tt.wantID || got["raw"] == nil {
				t.Errorf("wait%s answered message %v, want %s with its raw source", tt.query, got["id"], tt.wantID)
			}
		})
	}

	t.Run("arriving", func(t *testing.T) {
		done := make(chan response, 1)
		go func() { done <- do(t, "GET", base+"/wait?subject=late&timeout=60s") }()
		// Sent before or after the request starts waiting, the answer is the same.
		sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("late arrival", "x"))
		r := <-done
		if got := decode[map[string]any](t, r); r.status != http.StatusOK || got["subject"] != "late arrival" {
			t.Errorf("status %d, body %s; want 200 and the late arrival", r.status, r.body)
		}
	})
}

// TestHTTPGolden pins what goes over the wire: a list, a single message and an error.
func TestHTTPGolden(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	api := startAPI(t, s)
	msg := "From: Recmock <recmock@recmock.local>\r\nTo: a@b.com\r\nSubject: =?UTF-8?Q?Recording_ready:_weekly-standup_=E2=9C=93?=\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour recording is ready.\r\n" +
		"--b\r\nContent-Type: text/calendar\r\nContent-Disposition: attachment; filename=invite.ics\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--b--\r\n"
	sendMail(t, s, nil, "recmock@recmock.local", []string{"a@b.com"}, msg)
	for _, tt := range []struct{ name, path string }{
		{"list", "/_admin/emails?limit=1"},
		{"single", "/_admin/emails/1"},
		{"error", "/_admin/emails/2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "GET", api.URL+tt.path)
			var b bytes.Buffer
			if err := json.Indent(&b, r.body, "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, r.body)
			}
			golden(t, filepath.Join("testdata", "http", tt.name+".json"), b.Bytes())
		})
	}
}

// TestHTTPWaitOutlivesServerTimeouts: a long poll works behind an http.Server whose read
// and write timeouts are shorter than the wait (recmock serve's are): it extends its
// connection's deadlines. Without that, the read deadline cancels the request's context
// and the write deadline kills the answer.
func TestHTTPWaitOutlivesServerTimeouts(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	const timeouts = 50 * time.Millisecond
	srv := httptest.NewUnstartedServer(http.StripPrefix("/_admin/emails", s.Handler()))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = timeouts, timeouts
	srv.Start()
	t.Cleanup(srv.Close)

	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		res, err := http.Get(srv.URL + "/_admin/emails/wait?subject=late&timeout=60s")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		done <- result{res.StatusCode, body, err}
	}()
	time.Sleep(4 * timeouts) // both deadlines would have passed
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("late", "x"))
	r := <-done
	var got struct{ Subject string }
	if r.err != nil || r.status != http.StatusOK || json.Unmarshal(r.body, &got) != nil || got.Subject != "late" {
		t.Errorf("status %d, body %q, error %v; want 200 and the message that came after the server's timeouts", r.status, r.body, r.err)
	}
}
