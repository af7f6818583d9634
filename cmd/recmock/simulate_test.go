package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/simulator"
)

// hookReceiver answers status to every webhook and keeps the bodies.
type hookReceiver struct {
	URL    string
	mu     sync.Mutex
	bodies [][]byte
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	t.Helper()
	h := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/hook"
	return h
}

func (h *hookReceiver) meetingIDs(t *testing.T) []string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for _, b := range h.bodies {
		var ev recmock.RecordingEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		ids = append(ids, ev.MeetingID)
	}
	slices.Sort(ids)
	return ids
}

func simulate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), append([]string{"simulate"}, args...), &out, &errb, nil)
	return code, out.String(), errb.String()
}

// redactTiming replaces what depends on the machine's speed, and the receiver's port.
var timingRE = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^latency .*$`), "latency     (redacted)"},
	{regexp.MustCompile(`(?m)^duration .*$`), "duration    (redacted)"},
	{regexp.MustCompile(`(?m)^rate .*$`), "rate        (redacted)"},
	{regexp.MustCompile(`("(?:p50|p90|p99|max|durationMs|eventsPerSec)": )[0-9.e+-]+`), "${1}0"},
	{regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`), "http://127.0.0.1:PORT"},
}

func redactTiming(s string) string {
	for _, r := range timingRE {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

func TestSimulate_URL(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		args     []string
		wantCode int
		golden   string
		received int
	}{
		{"all succeed", 200, []string{"--count", "20", "--concurrency", "4", "--seed", "1"}, 0, "simulate-ok.txt", 20},
		{"all succeed, JSON", 204, []string{"--count", "5", "--json"}, 0, "simulate-ok.json", 5},
		{"receiver 500s every time", 500, []string{"--count", "3", "--retries", "1", "--backoff-base", "1ms"}, 1, "simulate-500.txt", 6},
		{"no retries", 503, []string{"--count", "2", "--retries", "0"}, 1, "", 2},
		{"duplicates", 200, []string{"--count", "4", "--variant", "duplicate", "--concurrency", "2"}, 0, "simulate-duplicate.txt", 8},
		{"missing fields answered 400", 400, []string{"--count", "4", "--variant", "missing-fields"}, 0, "", 4},
		{"extra fields answered 400", 400, []string{"--count", "2", "--variant", "extra-fields"}, 1, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := newHookReceiver(t, tt.status)
			code, stdout, stderr := simulate(t, append([]string{"--url", recv.URL}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.golden != "" {
				golden.Check(t, tt.golden, []byte(redactTiming(stdout)))
			}
			if n := len(recv.meetingIDs(t)); n != tt.received {
				t.Errorf("receiver got %d requests, want %d", n, tt.received)
			}
		})
	}
}

// TestSimulate_Seed checks that --seed reproduces the events, and the flags override them.
func TestSimulate_Seed(t *testing.T) {
	var runs [][]string
	for range 2 {
		recv := newHookReceiver(t, 200)
		if code, _, stderr := simulate(t, "--url", recv.URL, "--count", "5", "--concurrency", "3", "--seed", "42"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		runs = append(runs, recv.meetingIDs(t))
	}
	if diff := cmp.Diff(runs[0], runs[1]); diff != "" {
		t.Errorf("--seed 42 twice, different meetingIds (-first +second):\n%s", diff)
	}

	recv := newHookReceiver(t, 200)
	code, _, stderr := simulate(t, "--url", recv.URL, "--meeting-id", "m-1", "--room", "weekly-standup", "--participants", "4",
		"--start", "2026-11-30T09:00:00Z", "--end", "1796031737", "--unix-time", "1796031800", "--api-key", "key-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ev recmock.RecordingEvent
	if err := json.Unmarshal(recv.bodies[0], &ev); err != nil {
		t.Fatal(err)
	}
	ev.RetrievalURL = ""
	want := recmock.RecordingEvent{
		MeetingID: "m-1", APIKey: "key-1", UnixTime: 1796031800, RoomID: "weekly-standup", Participants: 4,
		StartTime: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), EndTime: time.Date(2026, 11, 30, 9, 42, 17, 0, time.UTC),
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("event mismatch (-want +got):\n%s", diff)
	}
}

func TestSimulate_BadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		contains string
	}{
		{nil, "give exactly one of --url"},
		{[]string{"--url", "http://a", "--server", "http://b"}, "give exactly one of --url"},
		{[]string{"--url", "http://a", "--count", "0"}, "--count and --concurrency must be at least 1"},
		{[]string{"--url", "http://a", "--rate", "-1"}, "must not be negative"},
		{[]string{"--url", "http://a", "--variant", "typo"}, `unknown variant "typo"`},
		{[]string{"--url", "http://a", "--start", "yesterday"}, "is not RFC 3339"},
		{[]string{"--url", "http://a", "--participants", "many"}, "invalid value"},
		{[]string{"--url", "http://a", "--participants", "0"}, "participants: must be between 1 and 10000"},
		{[]string{"--url", "http://a", "--start", "2026-11-30T10:00:00Z", "--end", "2026-11-30T09:00:00Z"}, "startTime: must be before endTime"},
		{[]string{"--url", "http://a", "--room", "a\nb"}, "roomId: must not contain control characters"},
		{[]string{"--url", "http://a", "--seed", "-1"}, "invalid value"},
		{[]string{"--url", "ftp://a"}, "not an http:// or https:// URL"},
		{[]string{"--server", "http://a", "--variant", "duplicate"}, "--variant works with --url only"},
		{[]string{"--url", "http://a", "stray"}, "unexpected arguments"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := simulate(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.contains) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.contains)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestSimulate_Help(t *testing.T) {
	code, stdout, _ := simulate(t, "-h") // help that was asked for goes to stdout
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	want := []string{"--url", "--server", "does\nnot download anything in this mode", "Exit status"}
	for _, v := range simulator.Variants() {
		want = append(want, string(v.Variant), v.Careful)
	}
	for _, s := range want {
		if !strings.Contains(stdout, s) {
			t.Errorf("help lacks %q", s)
		}
	}
}

// TestSimulate_Server runs simulate --server against the real mock with the simulator as its
// notifier, as serve wires them.
func TestSimulate_Server(t *testing.T) {
	ctx := t.Context()
	s3srv, err := fakes3.NewServer(fakes3.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s3srv.Close() })
	sim, err := simulator.New(simulator.Config{S3Endpoint: s3srv.URL(), Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	store := mock.NewMemoryStore()
	m, err := mock.New(mock.Config{
		Store:    store,
		Notifier: sim,
		Mounts:   map[string]http.Handler{"/_admin/deliveries": sim.Handler()},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)

	good := newHookReceiver(t, 200)
	if err := store.Put(ctx, recmock.Settings{Username: "temasys", Notify: true, URL: good.URL, Email: []string{}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := simulate(t, "--server", srv.URL, "--count", "3", "--concurrency", "2", "--room", "weekly-standup", "--json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Three result lines, then the summary.
	sc := bufio.NewScanner(strings.NewReader(stdout))
	var results []recmock.RecordingResult
	var rest strings.Builder
	for sc.Scan() {
		var r recmock.RecordingResult
		if len(results) < 3 && json.Unmarshal(sc.Bytes(), &r) == nil {
			results = append(results, r)
			continue
		}
		rest.WriteString(sc.Text() + "\n")
	}
	var got []string
	for _, r := range results {
		got = append(got, r.Event.RoomID+" "+r.S3.Status+" "+r.Webhook.Status+" "+r.Email.Status)
	}
	want := slices.Repeat([]string{"weekly-standup ok ok skipped"}, 3)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
	var sum simulator.Summary
	if err := json.Unmarshal([]byte(rest.String()), &sum); err != nil || sum.Sent != 3 || sum.Succeeded != 3 {
		t.Errorf("summary %+v (%v), want 3 sent and succeeded:\n%s", sum, err, rest.String())
	}
	if n := len(good.meetingIDs(t)); n != 3 {
		t.Errorf("receiver got %d webhooks, want 3", n)
	}

	// A failing receiver makes the run fail, and the text output says why.
	bad := newHookReceiver(t, 500)
	if err := store.Put(ctx, recmock.Settings{Username: "temasys", Notify: true, URL: bad.URL, Email: []string{}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = simulate(t, "--server", srv.URL)
	if code != 1 || !strings.Contains(stdout, "webhook: the receiver answered 500 Internal Server Error after 1 attempt") {
		t.Errorf("exit %d, want 1 and the webhook's failure\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// An unknown account is serve's 404, reported as such.
	code, _, stderr = simulate(t, "--server", srv.URL, "--username", "nobody")
	if code != 1 || !strings.Contains(stderr, `404 Not Found: not found: no account "nobody"`) {
		t.Errorf("exit %d, stderr %q; want 1 and serve's message", code, stderr)
	}
}

// TestSimulate_ServerToken: a serve that asks for its admin token refuses simulate without
// it, naming the token, and runs the flow with --admin-token.
func TestSimulate_ServerToken(t *testing.T) {
	const token = "simulate-test-token-0123456789"
	sim, err := simulator.New(simulator.Config{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	store := mock.NewMemoryStore()
	m, err := mock.New(mock.Config{Store: store, Notifier: sim, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	if err := store.Put(t.Context(), recmock.Settings{Username: "temasys", Notify: false, Email: []string{}}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := simulate(t, "--server", srv.URL)
	if code != 1 || !strings.Contains(stderr, "401") || !strings.Contains(stderr, "admin token") {
		t.Errorf("without the token: exit %d, stderr %q; want 1 and serve's 401", code, stderr)
	}
	for _, bad := range []string{"wrong-token-0123456789abc"} {
		if code, _, stderr := simulate(t, "--server", srv.URL, "--admin-token", bad); code != 1 || !strings.Contains(stderr, "401") {
			t.Errorf("a wrong token: exit %d, stderr %q; want 1 and serve's 401", code, stderr)
		}
	}
	if code, stdout, stderr := simulate(t, "--server", srv.URL, "--admin-token", token); code != 0 {
		t.Errorf("with the token: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestSimulate_ServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	code, _, stderr := simulate(t, "--server", srv.URL)
	if code != 1 || !strings.Contains(stderr, "connection refused") {
		t.Errorf("exit %d, stderr %q; want 1 and the cause", code, stderr)
	}
}

func TestRenderProgress(t *testing.T) {
	got := renderProgress(250, 3, 1000, 2*time.Second)
	want := "\r\x1b[K[#######.......................] 250/1000  25%  3 failed  125 events/s"
	if got != want {
		t.Errorf("renderProgress = %q, want %q", got, want)
	}
}

// FuzzParseTimeFlag checks that --start and --end either refuse a value or read a time that
// survives RFC 3339, as the event will carry it.
func FuzzParseTimeFlag(f *testing.F) {
	for _, s := range []string{"2026-11-30T09:00:00Z", "2026-11-30T17:00:00+08:00", "1796031737", "-90m", "", "0", "yesterday", "2026-11-30T09:00:00.123456789Z", "99999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTimeFlag(s, now)
		if err != nil {
			if !strings.Contains(err.Error(), "is not RFC 3339") && !strings.Contains(err.Error(), "Unix seconds must be") {
				t.Errorf("parseTimeFlag(%q): unexpected error %v", s, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("parseTimeFlag(%q) = %v, not in UTC", s, got)
		}
		if want, err := time.Parse(time.RFC3339Nano, s); err == nil && !want.Equal(got) {
			t.Errorf("parseTimeFlag(%q) = %v, want %v", s, got, want)
		}
		if got.Year() >= 0 && got.Year() <= 9999 {
			back, err := time.Parse(time.RFC3339Nano, got.Format(time.RFC3339Nano))
			if err != nil || !back.Equal(got) {
				t.Errorf("parseTimeFlag(%q) = %v does not survive RFC 3339: %v", s, got, err)
			}
		}
	})
}

var _ = context.Background
