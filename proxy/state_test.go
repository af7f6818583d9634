package proxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

// The accounts of the upstream the state tests run against.
var (
	ann = recmock.Account{Username: "ann", APIKey: "ann-key", Secret: "ann-s3cret"}
	bob = recmock.Account{Username: "bob", APIKey: "bob-key", Secret: "bob-s3cret"}
)

// upstreamOf serves a mock holding ann and bob, behind wrap when given.
func upstreamOf(t *testing.T, wrap func(m *mock.Server, h http.Handler) http.Handler) string {
	t.Helper()
	m, err := mock.New(mock.Config{Accounts: []recmock.Account{ann, bob}})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = m
	if wrap != nil {
		h = wrap(m, m)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// call is one request of a script: as an account (nil: no credentials), or with the
// Authorization header given.
type call struct {
	method string
	as     *recmock.Account
	body   string
	auth   string // an Authorization header, instead of as's credentials
}

func (c call) send(t *testing.T, base string) result {
	t.Helper()
	req := newRequest(t, c.method, base+path, c.body)
	if c.as != nil {
		req.SetBasicAuth(c.as.APIKey, c.as.Secret)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	return do(t, req)
}

// serverViolations lists the server violations of the newest journal entry as
// "field: rule (got value)".
func serverViolations(t *testing.T, base string) []string {
	t.Helper()
	var out []string
	for _, v := range journal(t, base)[0].Violations {
		if v.Side == proxy.SideServer {
			out = append(out, v.Field+": "+v.Rule+" (got "+v.Value+")")
		}
	}
	return out
}

// A server that breaks what it answered before.
func storeSkipped(m *mock.Server, h http.Handler) http.Handler {
	// PUT acknowledged, not stored: a lost write.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, _, _ := r.BasicAuth()
		user := ann.Username
		if key == bob.APIKey {
			user = bob.Username
		}
		prev, err := m.Store().Get(r.Context(), user)
		m.ServeHTTP(w, r)
		if r.Method == http.MethodPut && err == nil {
			m.Store().Put(r.Context(), prev)
		}
	})
}

// answerWith answers the requests match picks with status and body, and the rest as the mock.
func answerWith(match func(r *http.Request, m *mock.Server) bool, status int, body string) func(*mock.Server, http.Handler) http.Handler {
	return func(m *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r, m) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				io.WriteString(w, body)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

func hasSettings(r *http.Request, m *mock.Server, a recmock.Account) bool {
	_, err := m.Store().Get(r.Context(), a.Username)
	return err == nil
}

// TestStateAcrossExchanges: a server whose answer contradicts what it answered before is
// caught on the exchange that shows it, the rule naming the earlier exchange.
func TestStateAcrossExchanges(t *testing.T) {
	const (
		on  = `{"notify":true,"url":"https://hooks.example.com/Rec","email":"Ops@Example.com"}`
		off = `{"notify":false}`
	)
	tests := []struct {
		name     string
		wrap     func(*mock.Server, http.Handler) http.Handler
		accounts []recmock.Account // --account
		script   []call            // the last one is judged
		want     string            // in one of its server violations
	}{
		{"lost-write", storeSkipped,
			nil, []call{{"POST", &ann, off, ""}, {"PUT", &ann, on, ""}, {"GET", &ann, "", ""}},
			"content.data.notify: GET must show the settings as PUT #2 answered: true (got false)"},
		{"stale-read-after-refused-write", func(m *mock.Server, h http.Handler) http.Handler {
			// a refused POST still replaces the settings
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(b))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if r.Method == http.MethodPost && rec.Code == http.StatusConflict {
					s, _ := recmock.ParseSettings(mustDecode(b), ann.Username)
					m.Store().Put(r.Context(), s)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
			})
		}, nil, []call{{"POST", &ann, off, ""}, {"POST", &ann, on, ""}, {"GET", &ann, "", ""}},
			"content.data.url: GET must show the settings as POST #1 answered (refused since: POST #2 (409)): absent (got present)"},
		{"post-200-on-existing", answerWith(func(r *http.Request, m *mock.Server) bool {
			return r.Method == http.MethodPost && hasSettings(r, m, ann)
		}, 200, `{"status":1,"content":{"data":{"username":"ann","notify":true,"email":[]}}}`),
			nil, []call{{"POST", &ann, off, ""}, {"POST", &ann, `{"notify":true}`, ""}},
			"status: POST must be refused: the account has settings, as POST #1 answered"},
		{"put-200-without-settings", answerWith(func(r *http.Request, m *mock.Server) bool {
			return r.Method == http.MethodPut
		}, 200, `{"status":1,"content":{"data":{"username":"ann","notify":false,"email":[]}}}`),
			nil, []call{{"GET", &ann, "", ""}, {"PUT", &ann, off, ""}},
			"status: PUT must be refused: the account has no settings, as GET #1 answered"},
		{"get-forgets-acknowledged-write", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return r.Method == http.MethodGet
		}, 404, `{"status":0,"content":{"message":"none"}}`),
			nil, []call{{"POST", &ann, off, ""}, {"GET", &ann, "", ""}},
			"status: GET must answer the settings as POST #1 answered, not that there are none"},
		{"conflict-on-empty-account", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return r.Method == http.MethodPost
		}, 409, `{"status":0,"content":{"message":"exists"}}`),
			nil, []call{{"GET", &ann, "", ""}, {"POST", &ann, off, ""}},
			"status: POST must be accepted: the account has no settings, as GET #1 answered"},
		{"refused-put-applied", func(m *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPut {
					m.Store().Put(r.Context(), recmock.Settings{Username: ann.Username, Notify: true, Email: []string{}})
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(400)
					io.WriteString(w, `{"status":0,"content":{"message":"invalid input: email","errors":[{"field":"email","message":"bad"}]}}`)
					return
				}
				h.ServeHTTP(w, r)
			})
		}, nil, []call{{"POST", &ann, off, ""}, {"PUT", &ann, `{"notify":true,"email":"nope"}`, ""}, {"GET", &ann, "", ""}},
			"content.data.notify: GET must show the settings as POST #1 answered (refused since: PUT #2 (400)): false"},
		{"valid-input-refused", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return r.Method == http.MethodPost
		}, 400, `{"status":0,"content":{"message":"invalid input: url","errors":[{"field":"url","message":"too long"}]}}`),
			nil, []call{{"POST", &ann, on, ""}},
			"status: a body the rules accept must not be refused as invalid (got 400 naming url)"},
		{"success-without-credentials", func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					r.SetBasicAuth(ann.APIKey, ann.Secret)
				}
				h.ServeHTTP(w, r)
			})
		}, nil, []call{{"POST", &ann, off, ""}, {"GET", nil, "", ""}},
			"status: a request without credentials must be refused with status -1, not answered (got 200)"},
		{"username-changes", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return r.Method == http.MethodGet
		}, 200, `{"status":1,"content":{"data":{"username":"ANN","notify":false,"email":[]}}}`),
			nil, []call{{"POST", &ann, off, ""}, {"GET", &ann, "", ""}},
			`content.data.username: must stay "ann", which earlier answers to the same credentials named`},
		{"accounts-share-one-store", func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.SetBasicAuth(ann.APIKey, ann.Secret) // whoever asks gets ann's
				h.ServeHTTP(w, r)
			})
		}, nil, []call{{"POST", &ann, off, ""}, {"GET", &bob, "", ""}},
			"content.data.username: names the account that answers to ann-key: one account's settings answered to another's credentials"},
		{"username-wrong/accounts-given", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return r.Method == http.MethodGet
		}, 200, `{"status":1,"content":{"data":{"username":"temasys","notify":false,"email":[]}}}`),
			[]recmock.Account{ann, bob}, []call{{"GET", &ann, "", ""}},
			`content.data.username: must name the account whose credentials were sent: "ann"`},
		{"wrong-secret-accepted/accounts-given", func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if key, _, ok := r.BasicAuth(); ok && key == ann.APIKey {
					r.SetBasicAuth(ann.APIKey, ann.Secret)
				}
				h.ServeHTTP(w, r)
			})
		}, []recmock.Account{ann, bob}, []call{{"POST", &ann, off, ""}, {"GET", nil, "", basicAuth(ann.APIKey, bob.Secret)}},
			`credentials that should have been refused (apiKey "ann-key" with a secret that is not its account's) must get status -1`},
		{"unknown-key-accepted/accounts-given", func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.SetBasicAuth(ann.APIKey, ann.Secret)
				h.ServeHTTP(w, r)
			})
		}, []recmock.Account{ann, bob}, []call{{"POST", &ann, off, ""}, {"GET", nil, "", basicAuth("who", "ever")}},
			`apiKey "who", which no --account has`},
		{"own-credentials-refused/accounts-given", answerWith(func(r *http.Request, _ *mock.Server) bool {
			return true
		}, 401, `{"status":-1,"content":{"message":"who are you"}}`),
			[]recmock.Account{ann, bob}, []call{{"GET", &bob, "", ""}},
			`the credentials of account "bob" (--account) must be accepted`},
		{"bytes-after-the-json-value", func(_ *mock.Server, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rec.Code)
				w.Write(append(rec.Body.Bytes(), "{}OK"...))
			})
		}, nil, []call{{"GET", &ann, "", ""}},
			"body: unexpected data after the JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := upstreamOf(t, tt.wrap)
			_, base := start(t, proxy.Config{Upstream: up, Accounts: tt.accounts})
			for i, c := range tt.script {
				c.send(t, base)
				got := serverViolations(t, base)
				if i < len(tt.script)-1 {
					if len(got) > 0 {
						t.Fatalf("step %d (%s) already flagged: %q", i+1, c.method, got)
					}
					continue
				}
				if !strings.Contains(strings.Join(got, "\n"), tt.want) {
					t.Errorf("server violations:\n%s\nwant one saying %q", strings.Join(got, "\n"), tt.want)
				}
			}
			if j := send(t, "GET", base+proxy.JournalPath, "", nil).Body; strings.Contains(j, "s3cret") {
				t.Errorf("a secret reached the journal: %s", j)
			}
		})
	}
}

func basicAuth(key, secret string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(key, secret)
	return r.Header.Get("Authorization")
}

func mustDecode(b []byte) any {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	d.Decode(&v)
	return v
}

// TestStateOverlappingWrites: many clients writing and reading the same accounts at once
// through the proxy, against a correct upstream, give no server violation: an exchange that
// overlapped another write of its account is not judged.
func TestStateOverlappingWrites(t *testing.T) {
	up := upstreamOf(t, nil)
	p, base := start(t, proxy.Config{Upstream: up})
	call{"POST", &ann, `{"notify":false}`, ""}.send(t, base)
	call{"POST", &bob, `{"notify":false}`, ""}.send(t, base)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				as := &ann
				if (g+i)%3 == 0 {
					as = &bob
				}
				switch i % 4 {
				case 0:
					call{"PUT", as, fmt.Sprintf(`{"notify":%t,"url":"https://h.example/%d/%d"}`, i%2 == 0, g, i), ""}.send(t, base)
				case 1:
					call{"POST", as, `{"notify":true}`, ""}.send(t, base)
				case 2:
					call{"PUT", as, `{"notify":"no"}`, ""}.send(t, base)
				default:
					call{"GET", as, "", ""}.send(t, base)
				}
			}
		})
	}
	wg.Wait()
	// once the traffic is quiet, state is judged again, and agrees
	call{"GET", &ann, "", ""}.send(t, base)
	call{"GET", &ann, "", ""}.send(t, base)
	for _, e := range journal(t, base) {
		for _, v := range e.Violations {
			if v.Side == proxy.SideServer {
				t.Errorf("exchange #%d %s: a server violation against a correct upstream: %s", e.ID, e.Method, v)
			}
		}
	}
	if s := p.Summary(); s.Server != 0 {
		t.Errorf("summary: %d server violations", s.Server)
	}
}

// TestStateBounded: the proxy remembers at most MaxAccounts accounts, the least recently
// seen forgotten first, and of each no settings over 64 KiB; with MaxAccounts negative it
// remembers none and judges no answer by an earlier one.
func TestStateBounded(t *testing.T) {
	up := upstreamOf(t, storeSkipped)
	p, base := start(t, proxy.Config{Upstream: up, MaxAccounts: 3})
	for i := range 10 {
		call{"GET", nil, "", basicAuth(fmt.Sprintf("key-%d", i), "x")}.send(t, base)
	}
	if n := p.Accounts(); n != 3 {
		t.Errorf("%d accounts remembered, want 3", n)
	}
	// An answer over 64 KiB leaves only that the account has settings, not which: a later
	// GET that differs is not judged, one that says there are none is.
	huge := `{"status":1,"content":{"data":{"username":"ann","notify":true,"email":[],"url":"https://h.example/` + strings.Repeat("x", 70<<10) + `"}}}`
	var gets int
	bigUp := upstreamOf(t, func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch {
			case r.Method == http.MethodPost:
				io.WriteString(w, huge)
			case gets == 0:
				gets++
				io.WriteString(w, `{"status":1,"content":{"data":{"username":"ann","notify":false,"email":[]}}}`)
			default:
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"status":0,"content":{"message":"none"}}`)
			}
		})
	})
	_, bigBase := start(t, proxy.Config{Upstream: bigUp})
	call{"POST", &ann, `{"notify":true}`, ""}.send(t, bigBase)
	call{"GET", &ann, "", ""}.send(t, bigBase)
	if got := serverViolations(t, bigBase); len(got) != 0 {
		t.Errorf("a GET judged against settings too large to remember: %q", got)
	}
	call{"GET", &ann, "", ""}.send(t, bigBase)
	if got := serverViolations(t, bigBase); len(got) != 1 || !strings.Contains(got[0], "not that there are none") {
		t.Errorf("violations %q, want the settings that vanished", got)
	}

	off, base := start(t, proxy.Config{Upstream: up, MaxAccounts: -1})
	for _, c := range []call{{"POST", &ann, `{"notify":false}`, ""}, {"PUT", &ann, `{"notify":true}`, ""}, {"GET", &ann, "", ""}} {
		c.send(t, base)
	}
	if got := serverViolations(t, base); len(got) != 0 || off.Accounts() != 0 {
		t.Errorf("with no state kept: violations %q, %d accounts", got, off.Accounts())
	}
}

// TestOwnAuthHeaderIsCredentials: a deployment may authenticate with a header of its own; a
// request that sends one is not taken for one without credentials, while one that sends
// nothing at all is.
func TestOwnAuthHeaderIsCredentials(t *testing.T) {
	up := upstreamOf(t, func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				r.SetBasicAuth(ann.APIKey, ann.Secret) // the deployment's own session, say
			}
			h.ServeHTTP(w, r)
		})
	})
	_, base := start(t, proxy.Config{Upstream: up})
	call{"POST", &ann, `{"notify":false}`, ""}.send(t, base)
	for _, h := range []string{"X-Session-Token", "X-Auth-User", "Api-Key", "X-Signature"} {
		req := newRequest(t, "GET", base+path, "")
		req.Header.Set(h, "whatever")
		do(t, req)
		if got := serverViolations(t, base); len(got) != 0 {
			t.Errorf("a GET with %s taken for one without credentials: %q", h, got)
		}
	}
	call{"GET", nil, "", ""}.send(t, base)
	if got := serverViolations(t, base); len(got) != 1 || !strings.Contains(got[0], "without credentials") {
		t.Errorf("a GET without any credentials answered: violations %q", got)
	}
}
