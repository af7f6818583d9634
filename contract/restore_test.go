package contract_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/mock"
)

// overwrite is a test-only check that replaces the settings with something else entirely.
func overwrite(id string, then func(t *contract.T)) contract.Check {
	return contract.Check{ID: id, Question: "Does it overwrite the settings?", Writes: true, Run: func(t *contract.T) {
		t.Do(contract.Request{Method: http.MethodPost, Body: `{"notify":false}`}) // in case there are none
		res := t.Do(contract.Request{Method: http.MethodPut, Body: `{"notify":false,"url":"https://other.example/x","email":"x@example.net"}`})
		if res.Status != http.StatusOK {
			t.Fatalf("setup PUT: %d %s", res.Status, res.Body)
		}
		if then != nil {
			then(t)
		}
	}}
}

func TestRestoreAfterPanic(t *testing.T) {
	for _, before := range []*recmock.Settings{someSettings, s3Settings} {
		_, base := newMock(t, before, nil)
		want := getRaw(t, base)
		checks := []contract.Check{
			overwrite("test.panics", func(*contract.T) { panic("boom") }),
			overwrite("test.after-panic", nil),
		}
		rep, err := contract.Run(context.Background(), config(base, true), checks)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if r := rep.Results[0]; r.Status != contract.StatusFail || !strings.HasPrefix(r.Message, "panic: boom") {
			t.Errorf("panicking check: %s %q, want fail with the panic", r.Status, r.Message)
		}
		if r := rep.Results[1]; r.Status != contract.StatusPass {
			t.Errorf("the check after the panic: %s %q, want it run and passed", r.Status, r.Message)
		}
		if rep.Restore == nil || !rep.Restore.OK {
			t.Fatalf("Restore = %+v, want OK", rep.Restore)
		}
		if diff := cmp.Diff(want, getRaw(t, base)); diff != "" {
			t.Errorf("settings after the run (-want +got):\n%s", diff)
		}
	}
}

func TestRestoreAfterCancel(t *testing.T) {
	for _, before := range []*recmock.Settings{noSettings, s3Settings} {
		_, base := newMock(t, before, nil)
		want := getRaw(t, base)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		checks := []contract.Check{
			overwrite("test.write", nil),
			overwrite("test.cancel", func(t *contract.T) {
				cancel() // Ctrl-C mid-check: the next request fails
				t.Do(contract.Request{Method: http.MethodPut, Body: `{"notify":true}`})
			}),
			overwrite("test.never", nil),
		}
		rep, err := contract.Run(ctx, config(base, true), checks)
		if !errors.Is(err, contract.ErrInterrupted) || !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v, want ErrInterrupted wrapping context.Canceled", err)
		}
		got := []contract.Status{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status}
		if diff := cmp.Diff([]contract.Status{contract.StatusPass, contract.StatusFail, contract.StatusSkip}, got); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		if !strings.Contains(rep.Results[2].Message, "interrupted") {
			t.Errorf("skipped check says %q, want why", rep.Results[2].Message)
		}
		if rep.Restore == nil || !rep.Restore.OK {
			t.Fatalf("Restore = %+v, want OK", rep.Restore)
		}
		after := getRaw(t, base)
		if before == nil {
			want = `{"status":1,"content":{"data":{"username":"temasys","notify":false,"email":[]}}}` + "\n"
			if !strings.Contains(rep.Restore.Message, `left with {"notify":false}`) {
				t.Errorf("restore message %q does not say what was left behind", rep.Restore.Message)
			}
		}
		if diff := cmp.Diff(want, after); diff != "" {
			t.Errorf("settings after the run (-want +got):\n%s", diff)
		}
	}
}

// TestRestoreNotNeeded: writes that were all refused leave nothing to put back, and an account
// without settings must not get some from the restore.
func TestRestoreNotNeeded(t *testing.T) {
	_, base := newMock(t, noSettings, nil)
	checks := []contract.Check{{ID: "test.refused", Question: "Is it refused?", Writes: true, Run: func(t *contract.T) {
		t.Do(contract.Request{Method: http.MethodPut, Body: `{"notify":true}`})
	}}}
	rep, err := contract.Run(context.Background(), config(base, true), checks)
	if err != nil || rep.Restore == nil || !rep.Restore.OK {
		t.Fatalf("Run: %v, restore %+v", err, rep.Restore)
	}
	if got := getRaw(t, base); !strings.Contains(got, `"status":0`) {
		t.Errorf("after the run GET answers %s, want still no settings", got)
	}
}

// TestRestoreFailureIsLoud: when the settings cannot be put back, Run says so in its error,
// its report, and every reporter.
func TestRestoreFailureIsLoud(t *testing.T) {
	var broken atomic.Bool
	_, base := newMock(t, someSettings, func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if broken.Load() && r.Method != http.MethodGet {
				wire.WriteError(w, recmock.Errorf(recmock.CodeInternal, "maintenance"))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	checks := []contract.Check{overwrite("test.breaks-writes", func(*contract.T) { broken.Store(true) })}
	rep, err := contract.Run(context.Background(), config(base, true), checks)
	if !errors.Is(err, contract.ErrRestore) {
		t.Errorf("Run: %v, want ErrRestore", err)
	}
	if rep.OK() || rep.Restore == nil || rep.Restore.OK {
		t.Fatalf("report OK %t, restore %+v: want a failed restore", rep.OK(), rep.Restore)
	}
	for name, write := range map[string]func(*bytes.Buffer, contract.Report) error{
		"text":  func(b *bytes.Buffer, r contract.Report) error { return contract.WriteText(b, r) },
		"json":  func(b *bytes.Buffer, r contract.Report) error { return contract.WriteJSON(b, r) },
		"junit": func(b *bytes.Buffer, r contract.Report) error { return contract.WriteJUnit(b, r) },
	} {
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "COULD NOT RESTORE") || !strings.Contains(b.String(), "hooks.example.com") {
			t.Errorf("%s report does not say loudly what could not be restored:\n%s", name, b.String())
		}
	}
}

// TestSecretsMasked: nothing secret reaches a report or the trace, even when checks fail and
// every exchange is shown.
func TestSecretsMasked(t *testing.T) {
	const token, cookie = "tok-1234567890", "session=abcdef123456"
	_, base := newMock(t, s3Settings, replace(`"notify":true`, `"notify":1`)) // fail checks, to show exchanges
	cfg := config(base, true)
	cfg.Header = http.Header{"X-Api-Token": {token}, "Cookie": {cookie}}
	var trace bytes.Buffer
	cfg.Trace = &trace
	rep, _ := contract.Run(context.Background(), cfg, contract.Checks())
	if _, failed, _ := rep.Counts(); failed == 0 {
		t.Fatal("no check failed; the test needs failures to show exchanges")
	}
	var all bytes.Buffer
	all.Write(trace.Bytes())
	contract.WriteText(&all, rep)
	contract.WriteJSON(&all, rep)
	contract.WriteJUnit(&all, rep)
	basic := base64.StdEncoding.EncodeToString([]byte("demo-key:demo-secret"))
	otherBasic := base64.StdEncoding.EncodeToString([]byte(otherAccount.APIKey + ":" + otherAccount.Secret))
	for _, secret := range []string{token, cookie, "demo-secret", basic, otherAccount.Secret, otherBasic, s3Settings.S3.SecretAccessKey, "Recmock/Contract+Secret=01", "Recmock/Max+Secret="} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("%q leaked into a report or the trace", secret)
		}
	}
	for _, shown := range []string{"Authorization: ***", "X-Api-Token: ***", "Cookie: ***", `"s3SecretAccessKey":"***"`} {
		if !strings.Contains(trace.String(), shown) {
			t.Errorf("trace does not show %q", shown)
		}
	}
}
