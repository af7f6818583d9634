package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// otherAccount is the second account of contractServer's mock, for --other-basic.
var otherAccount = recmock.Account{Username: "globex", APIKey: "globex-key", Secret: "globex-s3cret"}

// contractServer serves the mock with the default account and otherAccount, through wrap
// when given, and returns its URL.
func contractServer(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	m, err := mock.New(mock.Config{Accounts: []recmock.Account{recmock.DefaultAccount(), otherAccount}})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = m
	if wrap != nil {
		h = wrap(h)
	}
	// Read what the mock leaves of a refused 2 MiB body, or net/http lingers on the
	// connection and srv.Close waits for it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		io.Copy(io.Discard, io.LimitReader(r.Body, 4<<20))
	}))
	t.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return srv.URL
}

// contractRun runs `recmock args...` and returns the exit code, stdout and stderr.
func contractRun(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, nil)
	return code, stdout.String(), stderr.String()
}

func TestContractPasses(t *testing.T) {
	base := contractServer(t, nil)
	dir := t.TempDir()
	junit, js := filepath.Join(dir, "contract.xml"), filepath.Join(dir, "contract.json")
	code, out, errOut := contractRun(t, context.Background(), "contract", "--base-url", base, "--basic", "demo-key:demo-secret",
		"--allow-writes", "--username", "temasys", "--junit", junit, "--json", js,
		"--other-basic", otherAccount.APIKey+":"+otherAccount.Secret, "--other-username", otherAccount.Username, "--fuzz", "10", "--seed", "1")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, " 0 failed, 0 skipped") || !strings.Contains(out, `left with {"notify":false}`) {
		t.Errorf("report lacks the totals or the restore:\n%s", out)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &suites); err != nil || suites.Failures != 0 || len(suites.Suites) != 1 || len(suites.Suites[0].Cases) != suites.Tests || suites.Tests < 30 {
		t.Errorf("--junit file read back as %+v (%v)", suites, err)
	}
	var rep struct{ OK bool }
	if b, err = os.ReadFile(js); err != nil || json.Unmarshal(b, &rep) != nil || !rep.OK {
		t.Errorf("--json file: %v %s", err, b)
	}
}

func TestContractReadOnlyByDefault(t *testing.T) {
	var writes int
	base := contractServer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				writes++
			}
			h.ServeHTTP(w, r)
		})
	})
	code, out, errOut := contractRun(t, context.Background(), "contract", "--base-url", base, "--basic", "demo-key:demo-secret")
	if code != 0 || writes != 0 {
		t.Fatalf("exit %d with %d writes, want 0 and none\n%s\n%s", code, writes, out, errOut)
	}
	if !strings.Contains(out, "[needs --allow-writes]") {
		t.Errorf("skipped checks do not say why:\n%s", out)
	}
}

// replaceInAnswers wraps a handler so that its answers say new where they said old.
func replaceInAnswers(old, new string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length") // the body changes length below
			w.WriteHeader(rec.Code)
			w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(old), []byte(new)))
		})
	}
}

// lowerCaseBodies wraps a handler so that it reads every request body in lower case: a
// server that stores e-mail addresses, URLs and all lower-cased.
func lowerCaseBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		b = bytes.ToLower(b)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		h.ServeHTTP(w, r)
	})
}

func TestContractFailsAgainstBrokenServer(t *testing.T) {
	// notify answered as 1 instead of true
	base := contractServer(t, replaceInAnswers(`"notify":true`, `"notify":1`))
	code, out, _ := contractRun(t, context.Background(), "contract", "--base-url", base, "--basic", "demo-key:demo-secret", "--allow-writes", "--run", `^notify\.`)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"FAIL  notify.accepts-1", "--- FAIL: notify.accepts-1", `"notify":1`, "(-want +got)", "> PUT " + base} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestContractBadFlags(t *testing.T) {
	base := contractServer(t, nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown-flag", []string{"contract", "--nope"}, "flag provided but not defined"},
		{"no-base-url", []string{"contract"}, "--base-url is required"},
		{"bad-base-url", []string{"contract", "--base-url", "ftp://x"}, "base URL"},
		{"bad-run", []string{"contract", "--base-url", base, "--run", "("}, "--run"},
		{"run-matches-nothing", []string{"contract", "--base-url", base, "--run", "^nothing$"}, "no check selected"},
		{"bad-header", []string{"contract", "--base-url", base, "--header", "Cookie"}, "bad header"},
		{"bad-basic", []string{"contract", "--base-url", base, "--basic", "only-key"}, "want key:secret"},
		{"argument", []string{"contract", "--base-url", base, "extra"}, "unexpected argument"},
		{"webhook-no-url", []string{"contract", "webhook"}, "--url is required"},
		{"fuzz-without-writes", []string{"contract", "--base-url", base, "--fuzz", "10"}, "--fuzz needs --allow-writes"},
		{"fuzz-negative", []string{"contract", "--base-url", base, "--fuzz", "-1", "--allow-writes"}, "--fuzz: want a number"},
		{"bad-seed", []string{"contract", "--base-url", base, "--seed", "soon"}, "flag --seed: invalid value: want a whole number"},
		{"bad-other-basic", []string{"contract", "--base-url", base, "--other-basic", "only-key"}, "want key:secret"},
		{"same-account-twice", []string{"contract", "--base-url", base, "--basic", "demo-key:demo-secret", "--other-basic", "demo-key:x"}, "same apiKey"},
		{"other-username-alone", []string{"contract", "--base-url", base, "--other-username", "globex"}, "--other-username needs --other-basic"},
		{"bad-timeout", []string{"contract", "--timeout", "soon"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := contractRun(t, context.Background(), tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q: want 2 and %q", code, errOut, tt.want)
			}
		})
	}
	if code, _, _ := contractRun(t, context.Background(), "contract", "-h"); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
}

func TestContractVerboseMasksSecrets(t *testing.T) {
	base := contractServer(t, nil)
	const token = "token-0123456789"
	code, out, errOut := contractRun(t, context.Background(), "contract", "--base-url", base, "--basic", "demo-key:demo-secret",
		"--header", "X-Api-Token: "+token, "--header", "Cookie: session=s3cr3t-cookie", "--allow-writes", "--run", `^(s3|auth)\.`, "--verbose")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, secret := range []string{token, "s3cr3t-cookie", "demo-secret", "ZGVtby1rZXk6ZGVtby1zZWNyZXQ=", "Recmock/Contract+Secret=01"} {
		if strings.Contains(errOut+out, secret) {
			t.Errorf("%q leaked", secret)
		}
	}
	for _, shown := range []string{"> Authorization: ***", "> X-Api-Token: ***", "> Cookie: ***", `"s3SecretAccessKey":"***"`, "=== s3.nested-when-set"} {
		if !strings.Contains(errOut, shown) {
			t.Errorf("--verbose output lacks %q", shown)
		}
	}
}

func TestContractInterrupted(t *testing.T) {
	base := contractServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C before anything ran
	code, out, errOut := contractRun(t, ctx, "contract", "--base-url", base, "--basic", "demo-key:demo-secret", "--allow-writes")
	if code != 1 || !strings.Contains(errOut, "interrupted") || !strings.Contains(out, "not run: interrupted") {
		t.Errorf("exit %d, want 1 and the interruption reported\n%s\n%s", code, out, errOut)
	}
}

func TestContractList(t *testing.T) {
	code, out, _ := contractRun(t, context.Background(), "contract", "--list")
	if code != 0 || !strings.Contains(out, "notify.accepts-1") || !strings.Contains(out, "(--allow-writes)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = contractRun(t, context.Background(), "contract", "webhook", "--list")
	if code != 0 || !strings.Contains(out, "webhook.tolerates-duplicate") {
		t.Errorf("webhook --list: exit %d:\n%s", code, out)
	}
}

func TestContractWebhook(t *testing.T) {
	good := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		var ev map[string]any
		switch {
		case r.Method != http.MethodPost:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case len(body) > 1<<20:
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		case json.Unmarshal(body, &ev) != nil || ev["meetingId"] == nil:
			w.WriteHeader(http.StatusBadRequest)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}
	fragile := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if json.Unmarshal(body, new(map[string]any)) != nil {
			w.WriteHeader(http.StatusInternalServerError) // a panic in the JSON handling, say
			return
		}
		w.WriteHeader(http.StatusOK)
	}
	tests := []struct {
		name string
		h    http.HandlerFunc
		code int
		want string
	}{
		{"good", good, 0, "10 passed, 0 failed"},
		{"500-on-malformed", fragile, 1, "--- FAIL: webhook.malformed-no-5xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			t.Cleanup(srv.Close)
			code, out, errOut := contractRun(t, context.Background(), "contract", "webhook", "--url", srv.URL+"/hook")
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d and %q\n%s\n%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
}

// TestContractExitCodes: 0 passed, 1 contract broken, 2 could not test; CI tells them apart.
func TestContractExitCodes(t *testing.T) {
	good := contractServer(t, nil)
	lower := contractServer(t, lowerCaseBodies)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	creds := []string{"--basic", "demo-key:demo-secret", "--other-basic", otherAccount.APIKey + ":" + otherAccount.Secret}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"passes", []string{"--base-url", good, "--allow-writes"}, 0, " 0 failed"},
		{"broken", []string{"--base-url", lower, "--allow-writes", "--run", `^email\.`}, 1, "--- FAIL: email.split-commas"},
		{"unreachable", []string{"--base-url", closed}, 2, "could not test: " + closed + " is unreachable"},
		{"credentials-refused", []string{"--base-url", good, "--basic", "demo-key:wrong"}, 2, "refused the credentials of the account"},
		{"other-credentials-refused", []string{"--base-url", good, "--other-basic", "globex-key:wrong"}, 2, "refused the credentials of the other account"},
		{"api-path-in-base-url", []string{"--base-url", good + "/rest/recording/notifications"}, 2, "already ends in the API path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"contract"}, creds...), tt.args...)
			code, out, errOut := contractRun(t, context.Background(), args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d, want %d and %q\n%s\n%s", code, tt.code, tt.want, out, errOut)
			}
			if strings.Contains(out+errOut, otherAccount.Secret) || strings.Contains(out+errOut, "demo-secret") {
				t.Errorf("a secret is printed:\n%s\n%s", out, errOut)
			}
		})
	}
}

// TestContractFuzz: --fuzz compares against the mock, prints the seed it drew, and, against
// a server that lower-cases what it stores, reports the shrunk sequence with the seed that
// sends it again.
func TestContractFuzz(t *testing.T) {
	creds := []string{"--basic", "demo-key:demo-secret", "--other-basic", otherAccount.APIKey + ":" + otherAccount.Secret, "--allow-writes", "--run", `^fuzz\.`}
	code, out, errOut := contractRun(t, context.Background(), append([]string{"contract", "--base-url", contractServer(t, nil), "--fuzz", "30"}, creds...)...)
	if code != 0 || !regexp.MustCompile(`observed: seed \d+: 30 sequences, \d+ requests`).MatchString(out) {
		t.Errorf("exit %d, want 0 and the seed drawn\n%s\n%s", code, out, errOut)
	}
	lower := contractServer(t, lowerCaseBodies)
	code, out, errOut = contractRun(t, context.Background(), append([]string{"contract", "--base-url", lower, "--fuzz", "50", "--seed", "11"}, creds...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"--- FAIL: fuzz.agrees-with-model", "seed 11, sequence ", "shrunk to ", "reproduce: --fuzz ", " --seed 11 ", "deployment: HTTP", "model:      HTTP"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, otherAccount.Secret) {
		t.Errorf("the other account's secret is printed")
	}
}

// TestProxyAccounts: with --account the proxy knows each account's username and credentials,
// names the accounts on start without their secrets, and refuses a malformed one.
func TestProxyAccounts(t *testing.T) {
	upstream := contractServer(t, replaceInAnswers(`"username":"temasys"`, `"username":"globex"`))
	startup := startInProcess(t, nil, "proxy", "--upstream", upstream, "--addr", "127.0.0.1:0", "--annotate",
		"--account", "temasys:demo-key:demo-secret", "--account", "globex:"+otherAccount.APIKey+":"+otherAccount.Secret)
	if !strings.Contains(startup, "  accounts   temasys (apiKey demo-key), globex (apiKey globex-key)\n") || strings.Contains(startup, "secret") {
		t.Errorf("startup:\n%s", startup)
	}
	base := regexp.MustCompile(`listening  (http://\S+)`).FindStringSubmatch(startup)[1]
	req, _ := http.NewRequest(http.MethodPost, base+"/rest/recording/notifications", strings.NewReader(`{"notify":false}`))
	req.SetBasicAuth("demo-key", "demo-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if v := res.Header.Get("X-Recmock-Violations"); !strings.Contains(v, `server content.data.username: must name the account whose credentials were sent: "temasys"`) {
		t.Errorf("X-Recmock-Violations %q", v)
	}
	for _, args := range [][]string{
		{"proxy", "--upstream", upstream, "--account", "temasys:demo-key"},
		{"proxy", "--upstream", upstream, "--max-accounts", "-1"},
	} {
		if code, _, errOut := contractRun(t, context.Background(), args...); code != 2 || strings.Contains(errOut, "demo-secret") {
			t.Errorf("recmock %q: exit %d, stderr %q; want 2, no secret", args, code, errOut)
		}
	}
}
