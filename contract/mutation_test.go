package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

// rewriteBody wraps the mock so its answers lie: f rewrites each response body.
func rewriteBody(f func(r *http.Request, body []byte) []byte) func(*mock.Server, http.Handler) http.Handler {
	return rewriteResponse(func(r *http.Request, rec *httptest.ResponseRecorder) {
		b := f(r, rec.Body.Bytes())
		rec.Body = bytes.NewBuffer(b)
	})
}

// rewriteResponse lets f change the mock's whole answer: status, headers and body.
func rewriteResponse(f func(r *http.Request, rec *httptest.ResponseRecorder)) func(*mock.Server, http.Handler) http.Handler {
	return func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			f(r, rec)
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		})
	}
}

// rewriteRequest wraps the mock so it accepts what it should refuse: f rewrites each request
// (and its decoded JSON body, nil when it is not a JSON object) before the mock sees it.
func rewriteRequest(f func(m *mock.Server, r *http.Request, body map[string]any)) func(*mock.Server, http.Handler) http.Handler {
	return func(m *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			var body map[string]any
			if json.Unmarshal(raw, &body) == nil && body != nil {
				f(m, r, body)
				raw, _ = json.Marshal(body)
			} else {
				f(m, r, nil)
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
			r.ContentLength = int64(len(raw))
			h.ServeHTTP(w, r)
		})
	}
}

func replace(pairs ...string) func(*mock.Server, http.Handler) http.Handler {
	return rewriteBody(func(_ *http.Request, b []byte) []byte {
		return []byte(strings.NewReplacer(pairs...).Replace(string(b)))
	})
}

func hasSettings(m *mock.Server, r *http.Request) bool {
	_, err := m.Store().Get(r.Context(), "temasys")
	return err == nil
}

func isS3Field(k string) bool {
	return k == "s3Arn" || k == "s3AccessKeyId" || k == "s3SecretAccessKey"
}

// TestMutations runs the whole suite, with writes, against deliberately broken variants of the
// mock, each breaking one rule, and wants each to fail with the checks that name the rule. A
// suite that passes a broken server is the worst bug this package can have. The unbroken
// server must pass in the same test, so the failures are the mutations' doing.
func TestMutations(t *testing.T) {
	for _, tt := range slices.Concat(ruleMutations(), classMutations()) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, upstream := newMock(t, tt.before, tt.wrap)
			// The suite's traffic goes through two proxies, one told the accounts
			// (--account), one not; each must see the fault too.
			proxies, base := newProxies(t, upstream)
			cfg := config(base, true)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			rep, err := contract.Run(context.Background(), cfg, contract.Checks())
			got := byStatus(rep)
			if tt.mustFail == nil {
				if err != nil || !rep.OK() {
					t.Fatalf("the suite fails against the unbroken mock: %v%s", err, failures(rep))
				}
				for _, p := range proxies {
					if server := serverViolations(p.p); len(server) > 0 {
						t.Errorf("the proxy %s flags the unbroken mock:\n%s", p.name, strings.Join(server, "\n"))
					}
				}
				return
			}
			for _, p := range proxies {
				blind := tt.proxyBlind
				if blind == "" && !p.accounts {
					blind = tt.proxyNeedsAccounts
				}
				server := serverViolations(p.p)
				switch {
				case blind == "" && len(server) == 0:
					t.Errorf("the proxy %s flagged no server violation in the suite's traffic", p.name)
				case blind != "" && len(server) > 0:
					t.Errorf("the proxy %s flags a fault said to be invisible to it (%s):\n%s", p.name, blind, strings.Join(server, "\n"))
				}
			}
			for _, id := range tt.mustFail {
				if got[id] != contract.StatusFail {
					t.Errorf("%s: %s against a server that breaks its rule, want fail", id, got[id])
				}
			}
			for _, id := range tt.mustPass {
				if got[id] != contract.StatusPass {
					t.Errorf("%s: %s, want pass: it should only observe a changed decision%s", id, got[id], failures(rep))
				}
			}
		})
	}
}

// mutation is a deliberately broken variant of the mock, and what must catch it.
type mutation struct {
	name   string
	before *recmock.Settings
	wrap   func(*mock.Server, http.Handler) http.Handler
	// cfg, when set, changes the run's configuration.
	cfg func(*contract.Config)
	// mustFail are the checks that must fail; nil for the unbroken server, which must pass.
	mustFail []string
	// mustPass are hard checks that only observe a changed recmock decision.
	mustPass []string
	// proxyBlind, when set, says why the proxy cannot see the fault in the suite's traffic;
	// otherwise it must flag at least one server violation. proxyNeedsAccounts says why
	// only a proxy told the accounts (--account) can.
	proxyBlind, proxyNeedsAccounts string
}

// namedProxy is a proxy the suite's traffic goes through.
type namedProxy struct {
	name     string
	p        *proxy.Proxy
	accounts bool // told the accounts
}

// newProxies starts two proxies in a chain in front of upstream, the first told the
// mock's accounts, the second not, and returns them with the first one's URL.
func newProxies(t *testing.T, upstream string) ([]namedProxy, string) {
	t.Helper()
	var out []namedProxy
	base := upstream
	for _, np := range []namedProxy{{name: "without --account"}, {name: "with --account", accounts: true}} {
		cfg := proxy.Config{Upstream: base}
		if np.accounts {
			cfg.Accounts = []recmock.Account{mainAccount, otherAccount}
		}
		p, err := proxy.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(drain(p))
		t.Cleanup(srv.Close)
		np.p, base = p, srv.URL
		out = append(out, np)
	}
	return out, base
}

// serverViolations lists the server violations the proxy journaled.
func serverViolations(p *proxy.Proxy) []string {
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, proxy.JournalPath+"?limit=10000", nil))
	var page struct{ Items []proxy.Exchange }
	json.Unmarshal(rec.Body.Bytes(), &page)
	var out []string
	for _, e := range page.Items {
		for _, v := range e.Violations {
			if v.Side == proxy.SideServer {
				out = append(out, fmt.Sprintf("#%d %s: %s", e.ID, e.Method, v))
			}
		}
	}
	return out
}

// ruleMutations each break one rule of the API.
func ruleMutations() []mutation {
	return []mutation{
		{name: "unbroken"},
		{name: "unbroken-with-s3-settings", before: s3Settings},
		{
			name:     "notify-answered-as-string",
			wrap:     replace(`"notify":true`, `"notify":"true"`, `"notify":false`, `"notify":"false"`),
			mustFail: []string{"envelope.success-shape", "notify.accepts-true", "notify.accepts-1", "notify.accepts-0"},
		},
		{
			name:     "notify-answered-as-number",
			wrap:     replace(`"notify":true`, `"notify":1`, `"notify":false`, `"notify":0`),
			mustFail: []string{"envelope.success-shape", "notify.accepts-1", "notify.accepts-0", "notify.accepts-false"},
		},
		{
			name:     "email-omitted-when-empty",
			wrap:     replace(`,"email":[]`, ``),
			mustFail: []string{"email.empty-array", "semantics.put-replaces-whole"},
		},
		{
			name:     "status-as-string",
			wrap:     replace(`"status":1,`, `"status":"1",`),
			mustFail: []string{"envelope.status-is-number", "envelope.success-shape", "notify.accepts-1"},
		},
		{
			name:     "status-2",
			wrap:     replace(`"status":1,`, `"status":2,`),
			mustFail: []string{"envelope.status-is-number", "envelope.success-shape", "semantics.post-creates"},
		},
		{
			name:     "unauthorized-as-status-0",
			wrap:     replace(`"status":-1,`, `"status":0,`),
			mustFail: []string{"auth.missing-credentials", "auth.wrong-secret", "auth.unknown-key", "auth.bearer-refused"},
		},
		{
			name: "unauthorized-as-http-200",
			wrap: rewriteResponse(func(_ *http.Request, rec *httptest.ResponseRecorder) {
				if rec.Code == http.StatusUnauthorized {
					rec.Code = http.StatusOK
				}
			}),
			mustFail: []string{"decision.unauthorized-401"},
			mustPass: []string{"auth.missing-credentials", "auth.wrong-secret", "auth.put-without-credentials"},
		},
		{
			name: "invalid-input-as-http-200",
			wrap: rewriteResponse(func(_ *http.Request, rec *httptest.ResponseRecorder) {
				if rec.Code == http.StatusBadRequest {
					rec.Code = http.StatusOK
				}
			}),
			mustFail: []string{"decision.invalid-400"},
			mustPass: []string{"notify.string-refused", "email.invalid-refused", "s3.partial-refused"},
		},
		{
			name: "credentials-not-required",
			wrap: rewriteRequest(func(_ *mock.Server, r *http.Request, _ map[string]any) {
				if r.Header.Get("Authorization") == "" {
					r.SetBasicAuth("demo-key", "demo-secret")
				}
			}),
			mustFail: []string{"auth.missing-credentials", "auth.put-without-credentials", "auth.before-validation", "decision.unauthorized-401"},
		},
		{
			name: "partial-s3-accepted",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				n := 0
				for k := range b {
					if isS3Field(k) {
						n++
					}
				}
				if n > 0 && n < 3 {
					for k := range b {
						if isS3Field(k) {
							delete(b, k)
						}
					}
				}
			}),
			mustFail: []string{"s3.partial-refused", "s3.keys-without-arn-refused"},
		},
		{
			name: "invalid-email-accepted",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				if s, ok := b["email"].(string); ok {
					var keep []string
					for _, a := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",; \t", r) }) {
						if _, errs := recmock.SplitEmails(a); len(errs) == 0 {
							keep = append(keep, a)
						}
					}
					b["email"] = strings.Join(keep, ",")
				}
			}),
			mustFail: []string{"email.invalid-refused", "semantics.refused-put-changes-nothing"},
		},
		{
			name: "semicolon-not-a-separator",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				if s, ok := b["email"].(string); ok {
					b["email"] = strings.ReplaceAll(s, ";", "|")
				}
			}),
			mustFail: []string{"email.split-mixed-separators"},
		},
		{
			name: "bad-arn-accepted",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				if s, ok := b["s3Arn"].(string); ok {
					if _, err := recmock.ParseS3ARN(s); err != nil {
						b["s3Arn"] = "arn:aws:s3:::mutated-bucket"
					}
				}
			}),
			mustFail: []string{"s3.bad-arn-refused", "s3.bad-bucket-refused"},
		},
		{
			name: "unknown-fields-accepted",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				for k := range b {
					if !slices.Contains([]string{"notify", "url", "email", "s3Arn", "s3AccessKeyId", "s3SecretAccessKey"}, k) {
						delete(b, k)
					}
				}
			}),
			mustFail: []string{"input.unknown-field-refused", "input.nested-s3settings-refused"},
		},
		{
			name: "notify-string-accepted",
			wrap: rewriteRequest(func(_ *mock.Server, _ *http.Request, b map[string]any) {
				if b["notify"] == "true" {
					b["notify"] = true
				}
			}),
			mustFail: []string{"notify.string-refused"},
		},
		{
			name: "url-empty-leaked",
			wrap: rewriteBody(func(_ *http.Request, b []byte) []byte {
				if bytes.Contains(b, []byte(`"data"`)) && !bytes.Contains(b, []byte(`"url"`)) {
					b = bytes.Replace(b, []byte(`"notify":`), []byte(`"url":"","notify":`), 1)
				}
				return b
			}),
			mustFail: []string{"url.omitted-when-empty", "semantics.put-replaces-whole"},
		},
		{
			name: "s3-settings-leaked-empty",
			wrap: rewriteBody(func(_ *http.Request, b []byte) []byte {
				if bytes.Contains(b, []byte(`"data"`)) && !bytes.Contains(b, []byte(`"s3Settings"`)) {
					b = bytes.Replace(b, []byte(`]}}}`), []byte(`],"s3Settings":{"s3Arn":"","s3AccessKeyId":"","s3SecretAccessKey":""}}}}`), 1)
				}
				return b
			}),
			mustFail: []string{"s3.omitted-when-absent", "semantics.put-replaces-whole"},
		},
		{
			name:     "username-missing",
			wrap:     replace(`"username":"temasys",`, ``),
			mustFail: []string{"envelope.success-shape", "envelope.username"},
		},
		{
			name:     "s3-secret-not-returned",
			before:   noSettings,
			wrap:     replace(`"s3SecretAccessKey":"Recmock/Contract+Secret=01"`, `"s3SecretAccessKey":"***"`),
			mustFail: []string{"s3.nested-when-set"},
		},
		{
			name: "post-on-existing-replaces",
			wrap: rewriteRequest(func(m *mock.Server, r *http.Request, _ map[string]any) {
				if r.Method == http.MethodPost && hasSettings(m, r) {
					r.Method = http.MethodPut
				}
			}),
			mustFail: []string{"semantics.post-on-existing-refused", "decision.conflict-409"},
		},
		{
			name: "put-without-settings-creates",
			wrap: rewriteRequest(func(m *mock.Server, r *http.Request, _ map[string]any) {
				if r.Method == http.MethodPut && !hasSettings(m, r) {
					r.Method = http.MethodPost
				}
			}),
			mustFail: []string{"semantics.put-without-settings"},
		},
		{
			name: "put-merges-instead-of-replacing",
			wrap: rewriteRequest(func(m *mock.Server, r *http.Request, b map[string]any) {
				cur, err := m.Store().Get(r.Context(), "temasys")
				if r.Method != http.MethodPut || b == nil || err != nil {
					return
				}
				if _, ok := b["url"]; !ok && cur.URL != "" {
					b["url"] = cur.URL
				}
				if _, ok := b["s3Arn"]; !ok && cur.S3 != nil {
					b["s3Arn"], b["s3AccessKeyId"], b["s3SecretAccessKey"] = cur.S3.ARN, cur.S3.AccessKeyID, cur.S3.SecretAccessKey
				}
			}),
			mustFail: []string{"semantics.put-replaces-whole", "s3.omitted-when-absent", "url.omitted-when-empty"},
		},
		{
			name: "answers-text-plain",
			wrap: rewriteResponse(func(_ *http.Request, rec *httptest.ResponseRecorder) {
				rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
			}),
			mustFail: []string{"envelope.json-content-type", "envelope.success-shape", "auth.missing-credentials"},
		},
		{
			name: "unknown-path-html",
			wrap: rewriteResponse(func(r *http.Request, rec *httptest.ResponseRecorder) {
				if r.URL.Path != contract.APIPath {
					rec.Header().Set("Content-Type", "text/html")
					rec.Body = bytes.NewBufferString("<html><body>404 page not found</body></html>")
				}
			}),
			mustFail:   []string{"decision.unknown-path-404"},
			proxyBlind: "the path is not in openapi.yaml: the proxy forwards it unchecked",
		},
	}
}
