package contract_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/recmock/recmock/internal/golden"
	"github.com/recmock/recmock/internal/wire"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// TestSuitePassesAgainstMock runs every API check against the reference implementation, from
// each starting state, read-only and with writes, and wants the settings as they were after.
func TestSuitePassesAgainstMock(t *testing.T) {
	const offAfter = `{"status":1,"content":{"data":{"username":"temasys","notify":false,"email":[]}}}` + "\n"
	tests := []struct {
		name      string
		before    *recmock.Settings
		writes    bool
		wantSkips []string
		// wantAfter is GET's answer after the run; empty means the same as before.
		wantAfter string
	}{
		{name: "no-settings/read-only", before: noSettings,
			wantSkips: []string{"envelope.success-shape", "semantics.post-creates", "notify.accepts-1", "decision.success-200"}},
		{name: "no-settings/writes", before: noSettings, writes: true, wantAfter: offAfter},
		{name: "settings/read-only", before: someSettings,
			wantSkips: []string{"semantics.get-without-settings", "notify.accepts-1", "decision.conflict-409"}},
		{name: "settings/writes", before: someSettings, writes: true,
			wantSkips: []string{"semantics.get-without-settings", "semantics.put-without-settings", "semantics.post-creates"}},
		{name: "s3-settings/writes", before: s3Settings, writes: true,
			wantSkips: []string{"semantics.get-without-settings", "decision.put-without-settings-404"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, base := newMock(t, tt.before, nil)
			before := getRaw(t, base)
			rep, err := contract.Run(context.Background(), config(base, tt.writes), contract.Checks())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !rep.OK() {
				t.Errorf("the suite fails against the mock:%s", failures(rep))
			}
			got := byStatus(rep)
			for _, id := range tt.wantSkips {
				if got[id] != contract.StatusSkip {
					t.Errorf("%s: %s, want skip", id, got[id])
				}
			}
			if passed, _, _ := rep.Counts(); passed < 10 {
				t.Errorf("only %d checks passed", passed)
			}
			want := tt.wantAfter
			if want == "" {
				want = before
			}
			if diff := cmp.Diff(want, getRaw(t, base)); diff != "" {
				t.Errorf("GET after the run (-want +got):\n%s", diff)
			}
			if tt.writes != (rep.Restore != nil) {
				t.Errorf("Restore = %+v with writes %t", rep.Restore, tt.writes)
			}
		})
	}
}

// methodLog records the methods that reached the server.
type methodLog struct {
	mu      sync.Mutex
	methods map[string]int
}

func (l *methodLog) wrap(_ *mock.Server, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.methods[r.Method]++
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// TestReadOnlySendsOnlyGET is the promise the default mode makes to a real account.
func TestReadOnlySendsOnlyGET(t *testing.T) {
	for _, before := range []*recmock.Settings{noSettings, s3Settings} {
		log := &methodLog{methods: map[string]int{}}
		_, base := newMock(t, before, log.wrap)
		rep, err := contract.Run(context.Background(), config(base, false), contract.Checks())
		if err != nil || rep.Restore != nil {
			t.Fatalf("Run: %v, restore %+v", err, rep.Restore)
		}
		for m, n := range log.methods {
			if m != http.MethodGet {
				t.Errorf("read-only run sent %d %s requests", n, m)
			}
		}
	}
}

// TestBaseURLWithPathPrefix: deployments often serve the API under a prefix.
func TestBaseURLWithPathPrefix(t *testing.T) {
	_, base := newMock(t, s3Settings, func(_ *mock.Server, h http.Handler) http.Handler {
		return http.StripPrefix("/gateway/v1", h)
	})
	rep, err := contract.Run(context.Background(), config(base+"/gateway/v1/", true), contract.Checks())
	if err != nil || !rep.OK() {
		t.Fatalf("Run: %v%s", err, failures(rep))
	}
	if !strings.HasSuffix(rep.Target, "/gateway/v1") {
		t.Errorf("Target %q, want the prefix without the trailing slash", rep.Target)
	}
}

func TestChecksAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	idRE := regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9-]+$`)
	all := append(contract.Checks(), contract.WebhookChecks()...)
	for _, c := range all {
		if !idRE.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("ID %q is malformed or repeated", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasSuffix(c.Question, "?") || strings.Contains(c.Question, "\n") || c.Run == nil {
			t.Errorf("%s: question %q must be one line ending with '?', and Run set", c.ID, c.Question)
		}
	}
	if n := len(contract.Checks()); n < 30 {
		t.Errorf("%d API checks, want 30 or more", n)
	}
}

// TestCheckList pins every check's ID and question: the list people read in reports and
// select with --run.
func TestCheckList(t *testing.T) {
	var b bytes.Buffer
	for _, c := range append(contract.Checks(), contract.WebhookChecks()...) {
		w := ""
		if c.Writes {
			w = " (writes)"
		}
		fmt.Fprintf(&b, "%s%s\n    %s\n", c.ID, w, c.Question)
	}
	golden.Check(t, "checks.txt", b.Bytes())
}

func TestSelect(t *testing.T) {
	got := contract.Select(contract.Checks(), regexp.MustCompile(`^(notify|decision)\.`), regexp.MustCompile(`^decision\.`))
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	want := []string{"notify.accepts-true", "notify.accepts-false", "notify.accepts-1", "notify.accepts-0", "notify.required", "notify.string-refused", "notify.out-of-range-refused", "notify.null-refused"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Select mismatch (-want +got):\n%s", diff)
	}
	_, err := contract.Run(context.Background(), contract.Config{Run: regexp.MustCompile(`^nothing$`)}, contract.Checks())
	if !errors.Is(err, contract.ErrNoChecks) {
		t.Errorf("Run with nothing selected: %v, want ErrNoChecks", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, base := range []string{"ftp://x", "localhost:8080", "http://x/?q=1", "/rest"} {
		if _, err := contract.Run(context.Background(), contract.Config{BaseURL: base}, contract.Checks()); err == nil {
			t.Errorf("BaseURL %q: no error", base)
		}
	}
}

// TestWritesDisabledWhenRestoreImpossible: what cannot be put back must not be changed.
func TestWritesDisabledWhenRestoreImpossible(t *testing.T) {
	tests := []struct {
		name   string
		before *recmock.Settings
		wrap   func(*mock.Server, http.Handler) http.Handler
		reason string
	}{
		{"secret-masked", s3Settings, rewriteBody(func(_ *http.Request, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(s3Settings.S3.SecretAccessKey), []byte("***"))
		}), "S3 secret masked"},
		{"unknown-field", someSettings, rewriteBody(func(_ *http.Request, b []byte) []byte {
			return bytes.Replace(b, []byte(`"notify":`), []byte(`"createdAt":"2026-01-01","notify":`), 1)
		}), "could not be restored"},
		{"server-error", someSettings, func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				wire.WriteError(w, recmock.Errorf(recmock.CodeInternal, "down"))
			})
		}, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &methodLog{methods: map[string]int{}}
			_, base := newMock(t, tt.before, func(m *mock.Server, h http.Handler) http.Handler { return log.wrap(m, tt.wrap(m, h)) })
			rep, _ := contract.Run(context.Background(), config(base, true), contract.Checks())
			if !strings.Contains(rep.WritesDisabled, tt.reason) {
				t.Errorf("WritesDisabled = %q, want it to say %q", rep.WritesDisabled, tt.reason)
			}
			if rep.Restore != nil {
				t.Errorf("restore attempted: %+v", rep.Restore)
			}
			for m, n := range log.methods {
				if m != http.MethodGet {
					t.Errorf("%d %s requests reached the server with writes disabled", n, m)
				}
			}
			for _, r := range rep.Results {
				if r.ID == "notify.accepts-1" && (r.Status != contract.StatusSkip || !strings.Contains(r.Message, tt.reason)) {
					t.Errorf("notify.accepts-1: %s %q, want skipped saying why", r.Status, r.Message)
				}
			}
		})
	}
}

// BenchmarkSuite is the whole API suite, writes and restore included, against the mock
// in-process: the number to watch for "well under 2 s" against a local deployment.
func BenchmarkSuite(b *testing.B) {
	_, base := newMock(b, s3Settings, nil)
	cfg := config(base, true)
	for b.Loop() {
		rep, err := contract.Run(context.Background(), cfg, contract.Checks())
		if err != nil || !rep.OK() {
			b.Fatalf("Run: %v%s", err, failures(rep))
		}
	}
}
