package contract_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/mock"
)

// accountOf is the account whose apiKey a request sends, whatever its secret.
func accountOf(m *mock.Server, r *http.Request) (recmock.Account, bool) {
	key, _, ok := r.BasicAuth()
	for _, a := range m.Accounts() {
		if ok && a.APIKey == key {
			return a, true
		}
	}
	return recmock.Account{}, false
}

// readBody reads a request's body and puts it back, with its JSON object (nil when it is
// not one).
func readBody(r *http.Request) ([]byte, map[string]any) {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var obj map[string]any
	json.Unmarshal(raw, &obj)
	return raw, obj
}

// answered is one request to the mock as a broken variant sees it: the body, the account its
// apiKey names, what the account held before, and the mock's answer, which it may replace.
type answered struct {
	r      *http.Request
	obj    map[string]any // the body's JSON object, nil when it is not one
	raw    []byte
	acct   recmock.Account
	known  bool // acct is an account of the mock
	before recmock.Settings
	had    bool // the account had settings before
	rec    *httptest.ResponseRecorder
}

// ok reports whether the mock accepted a request of method from a known account.
func (a *answered) ok(method string) bool {
	return a.known && a.r.Method == method && a.rec.Code == http.StatusOK
}

// answer replaces the mock's answer with the success envelope of s.
func (a *answered) answer(s recmock.Settings) {
	a.rec = httptest.NewRecorder()
	wire.WriteJSON(a.rec, http.StatusOK, recmock.Success(s))
}

// afterAnswer wraps the mock so that f sees every request with the mock's answer before the
// client does, and may change the store or the answer: a server broken after the fact.
func afterAnswer(f func(m *mock.Server, a *answered)) func(*mock.Server, http.Handler) http.Handler {
	return func(m *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := &answered{r: r, rec: httptest.NewRecorder()}
			a.raw, a.obj = readBody(r)
			a.acct, a.known = accountOf(m, r)
			before, err := m.Store().Get(r.Context(), a.acct.Username)
			a.before, a.had = before, a.known && err == nil
			h.ServeHTTP(a.rec, r)
			f(m, a)
			for k, vs := range a.rec.Header() {
				w.Header()[k] = vs
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(a.rec.Code)
			w.Write(a.rec.Body.Bytes())
		})
	}
}

// stored is what the account holds now.
func (a *answered) stored(m *mock.Server) (recmock.Settings, bool) {
	s, err := m.Store().Get(a.r.Context(), a.acct.Username)
	return s, a.known && err == nil
}

// storeAltered wraps the mock so that what an accepted POST or PUT stores, and answers, is
// altered by f, given the request's body: a server that normalises, cuts or reorders what it
// keeps. GET then reads the altered settings, as it would from such a server.
func storeAltered(f func(body map[string]any, s *recmock.Settings)) func(*mock.Server, http.Handler) http.Handler {
	return afterAnswer(func(m *mock.Server, a *answered) {
		if s, ok := a.stored(m); ok && (a.ok(http.MethodPost) || a.ok(http.MethodPut)) {
			f(a.obj, &s)
			m.Store().Put(a.r.Context(), s)
			a.answer(s)
		}
	})
}

// refuse wraps the mock so it refuses, naming field, the writes whose body bad matches: a
// server stricter than the rules.
func refuse(field string, bad func(body map[string]any) bool) func(*mock.Server, http.Handler) http.Handler {
	return func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, obj := readBody(r); r.Method != http.MethodGet && obj != nil && bad(obj) && r.Header.Get("Authorization") != "" {
				wire.WriteError(w, recmock.Invalid(recmock.FieldError{Field: field, Message: "is not accepted here"}))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// parseSettings reads a body as the API would store it for username, and whether the rules
// accept it.
func parseSettings(raw []byte, username string) (recmock.Settings, bool) {
	body, err := wire.Decode(raw)
	if err != nil {
		return recmock.Settings{}, false
	}
	s, err := recmock.ParseSettings(body.Value, username)
	return s, err == nil
}

// stringField is a body's string field, "" when absent or not a string.
func stringField(body map[string]any, name string) string {
	s, _ := body[name].(string)
	return s
}

// splitCaseSensitive splits an email field as the rules do, but drops only exact
// duplicates, keeping the last occurrence when last is set.
func splitCaseSensitive(s string, foldCase, last bool) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",; \t\r\n", r) })
	key := func(a string) string {
		if foldCase {
			return strings.ToLower(a)
		}
		return a
	}
	out := []string{}
	for _, p := range parts {
		if i := slices.IndexFunc(out, func(o string) bool { return key(o) == key(p) }); i >= 0 {
			if last {
				out = append(out[:i], out[i+1:]...)
				out = append(out, p)
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// classMutations each break a class of behaviour the first review found unchecked: two
// accounts kept apart, the username, case and form kept, writes that are lost or read stale,
// conflicts, refusals of valid input, credentials, and bytes after the answer.
func classMutations() []mutation {
	otherAsFirst := rewriteBody(func(r *http.Request, b []byte) []byte {
		if key, _, _ := r.BasicAuth(); key == otherAccount.APIKey {
			return bytes.ReplaceAll(b, []byte(`"username":"`+otherAccount.Username+`"`), []byte(`"username":"temasys"`))
		}
		return b
	})
	upperOnPut := rewriteBody(func(r *http.Request, b []byte) []byte {
		if r.Method != http.MethodPut {
			return b
		}
		return bytes.ReplaceAll(b, []byte(`"username":"temasys"`), []byte(`"username":"TEMASYS"`))
	})
	return []mutation{
		{
			name: "accounts-share-one-store",
			wrap: rewriteRequest(func(_ *mock.Server, r *http.Request, _ map[string]any) {
				if key, _, _ := r.BasicAuth(); key == otherAccount.APIKey {
					r.SetBasicAuth(mainAccount.APIKey, mainAccount.Secret)
				}
			}),
			mustFail: []string{"accounts.own-username", "accounts.reads-isolated", "accounts.writes-isolated"},
		},
		{
			name:     "other-answered-with-first-username",
			wrap:     otherAsFirst,
			mustFail: []string{"accounts.own-username", "accounts.reads-isolated"},
		},
		{
			name:     "other-answered-with-first-username/usernames-not-given",
			cfg:      forgetUsernames,
			wrap:     otherAsFirst,
			mustFail: []string{"accounts.own-username"},
		},
		{
			name: "get-answers-last-writer",
			wrap: func() func(*mock.Server, http.Handler) http.Handler {
				var mu sync.Mutex
				var last *recmock.Settings // the last write of any account
				return afterAnswer(func(m *mock.Server, a *answered) {
					mu.Lock()
					defer mu.Unlock()
					switch {
					case a.ok(http.MethodPost) || a.ok(http.MethodPut):
						s, _ := a.stored(m)
						last = &s
					case a.ok(http.MethodGet) && last != nil:
						s := *last
						s.Username = a.acct.Username
						a.answer(s)
					}
				})
			}(),
			mustFail: []string{"accounts.reads-isolated"},
		},
		{
			name: "write-spills-to-other-account",
			// A write's notify reaches every account: a shared column, say.
			wrap: afterAnswer(func(m *mock.Server, a *answered) {
				mine, ok := a.stored(m)
				if !ok || !a.ok(http.MethodPut) {
					return
				}
				for _, other := range m.Accounts() {
					if s, err := m.Store().Get(a.r.Context(), other.Username); err == nil && other != a.acct {
						s.Notify = mine.Notify
						m.Store().Put(a.r.Context(), s)
					}
				}
			}),
			mustFail: []string{"accounts.writes-isolated"},
		},
		{
			name: "crossed-credentials-accepted",
			wrap: rewriteRequest(func(m *mock.Server, r *http.Request, _ map[string]any) {
				key, secret, ok := r.BasicAuth()
				acct, known := accountOf(m, r)
				if ok && known && slices.ContainsFunc(m.Accounts(), func(a recmock.Account) bool { return a.Secret == secret }) {
					r.SetBasicAuth(key, acct.Secret)
				}
			}),
			mustFail:           []string{"accounts.crossed-credentials-refused"},
			proxyNeedsAccounts: "which secret belongs to which apiKey",
		},
		{
			name:               "username-is-the-apikey",
			wrap:               replace(`"username":"temasys"`, `"username":"demo-key"`),
			mustFail:           []string{"envelope.username", "notify.accepts-true", "url.accepts-https", "semantics.put-replaces-whole"},
			proxyNeedsAccounts: "the account's username, when every answer names the same wrong one",
		},
		{
			name:     "username-upper-cased-on-put",
			wrap:     upperOnPut,
			mustFail: []string{"notify.accepts-true", "url.case-kept", "email.split-commas"},
		},
		{
			name:     "username-upper-cased-on-put/usernames-not-given",
			cfg:      forgetUsernames,
			wrap:     upperOnPut,
			mustFail: []string{"notify.accepts-true", "url.case-kept", "email.split-commas"},
		},
		{
			name: "emails-lower-cased",
			wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
				for i, a := range s.Email {
					s.Email[i] = strings.ToLower(a)
				}
			}),
			mustFail: []string{"email.split-commas", "email.duplicates-ignore-case", "email.max-length", "email.max-count"},
		},
		{
			name: "email-duplicates-case-sensitive",
			wrap: storeAltered(func(body map[string]any, s *recmock.Settings) {
				if e, ok := body["email"].(string); ok {
					s.Email = splitCaseSensitive(e, false, false)
				}
			}),
			mustFail: []string{"email.duplicates-ignore-case"},
		},
		{
			name: "email-duplicates-keep-last",
			wrap: storeAltered(func(body map[string]any, s *recmock.Settings) {
				if e, ok := body["email"].(string); ok {
					s.Email = splitCaseSensitive(e, true, true)
				}
			}),
			mustFail: []string{"email.duplicates-dropped", "email.duplicates-ignore-case"},
		},
		{
			name:     "url-lower-cased",
			wrap:     storeAltered(func(_ map[string]any, s *recmock.Settings) { s.URL = strings.ToLower(s.URL) }),
			mustFail: []string{"url.accepts-https", "url.case-kept", "url.max-length", "semantics.post-creates"},
			before:   noSettings,
		},
		{
			name: "url-escapes-upper-cased",
			wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
				s.URL = strings.NewReplacer("%2f", "%2F", "%7e", "%7E").Replace(s.URL)
			}),
			mustFail: []string{"url.case-kept", "url.max-length"},
		},
		{
			name: "url-cut-at-255",
			wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
				s.URL = s.URL[:min(len(s.URL), 255)]
			}),
			mustFail: []string{"url.max-length"},
		},
		{
			name: "emails-cut-at-10",
			wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
				s.Email = s.Email[:min(len(s.Email), 10)]
			}),
			mustFail: []string{"email.max-count"},
		},
		{
			name: "s3-secret-cut-at-128",
			wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
				if s.S3 != nil {
					s.S3.SecretAccessKey = s.S3.SecretAccessKey[:min(len(s.S3.SecretAccessKey), 128)]
				}
			}),
			mustFail: []string{"s3.max-lengths"},
		},
		{
			name: "url-over-1024-refused",
			wrap: refuse("url", func(b map[string]any) bool { return len(stringField(b, "url")) > 1024 }),
			// A refusal of valid input: a decision only where the rules would refuse too.
			mustFail: []string{"url.max-length"},
		},
		{
			name:     "govcloud-partition-refused",
			wrap:     refuse("s3Arn", func(b map[string]any) bool { return strings.HasPrefix(stringField(b, "s3Arn"), "arn:aws-us-gov:") }),
			mustFail: []string{"s3.max-lengths"},
		},
		{
			name:     "strict-address-parser",
			wrap:     refuse("email", func(b map[string]any) bool { return strings.ContainsAny(stringField(b, "email"), "'{|") }),
			mustFail: []string{"email.max-length", "email.split-mixed-separators"},
		},
		{
			name: "lost-write-when-only-notify-changes",
			wrap: afterAnswer(func(m *mock.Server, a *answered) {
				if cur, ok := a.stored(m); ok && a.had && a.ok(http.MethodPut) {
					cur.Notify = a.before.Notify
					if cmpSettings(cur, a.before) {
						m.Store().Put(a.r.Context(), a.before) // "nothing changed": the write is skipped
					}
				}
			}),
			mustFail: []string{"notify.accepts-true", "notify.accepts-1"},
		},
		{
			name: "stale-read-after-write",
			wrap: func() func(*mock.Server, http.Handler) http.Handler {
				var mu sync.Mutex
				stale := map[string]recmock.Settings{} // by username: what the next GET answers
				return afterAnswer(func(_ *mock.Server, a *answered) {
					mu.Lock()
					defer mu.Unlock()
					switch {
					case a.ok(http.MethodPut) && a.had:
						stale[a.acct.Username] = a.before
					case a.ok(http.MethodGet):
						if s, found := stale[a.acct.Username]; found {
							delete(stale, a.acct.Username)
							a.answer(s)
						}
					}
				})
			}(),
			mustFail: []string{"url.accepts-https", "notify.accepts-true", "semantics.put-replaces-whole"},
		},
		{
			name: "post-on-existing-answers-200",
			wrap: func(m *mock.Server, h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					raw, _ := readBody(r)
					acct, ok := accountOf(m, r)
					if ok && r.Method == http.MethodPost && hasSettingsOf(m, r, acct.Username) {
						if s, ok := parseSettings(raw, acct.Username); ok {
							wire.WriteJSON(w, http.StatusOK, recmock.Success(s)) // acknowledged, not stored
							return
						}
					}
					h.ServeHTTP(w, r)
				})
			},
			mustFail: []string{"semantics.post-on-existing-refused", "decision.conflict-409", "accounts.writes-isolated"},
		},
		{
			name: "conflict-answered-but-stored",
			wrap: afterAnswer(func(m *mock.Server, a *answered) {
				if s, valid := parseSettings(a.raw, a.acct.Username); a.known && valid && a.r.Method == http.MethodPost && a.rec.Code == http.StatusConflict {
					m.Store().Put(a.r.Context(), s)
				}
			}),
			mustFail: []string{"semantics.post-on-existing-refused"},
		},
		{
			name: "refused-put-keeps-its-url",
			wrap: afterAnswer(func(m *mock.Server, a *answered) {
				s, ok := a.stored(m)
				if u := stringField(a.obj, "url"); ok && a.r.Method == http.MethodPut && a.rec.Code == http.StatusBadRequest && strings.HasPrefix(u, "https://") {
					s.URL = u
					m.Store().Put(a.r.Context(), s)
				}
			}),
			mustFail: []string{"semantics.refused-put-changes-nothing"},
		},
		{
			name: "put-without-credentials-acknowledged",
			wrap: func(_ *mock.Server, h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					raw, _ := readBody(r)
					if s, ok := parseSettings(raw, "temasys"); ok && r.Method == http.MethodPut && r.Header.Get("Authorization") == "" {
						wire.WriteJSON(w, http.StatusOK, recmock.Success(s))
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			mustFail: []string{"auth.put-without-credentials"},
		},
		{
			name:     "bytes-after-the-answer",
			wrap:     rewriteBody(func(_ *http.Request, b []byte) []byte { return append(b, "{}OK"...) }),
			before:   someSettings,
			mustFail: []string{"auth.missing-credentials", "envelope.status-is-number", "decision.unknown-path-404"},
		},
	}
}

// forgetUsernames runs the suite without --username and --other-username: it must pin the
// usernames the first answers name.
func forgetUsernames(cfg *contract.Config) { cfg.Username, cfg.OtherUsername = "", "" }

func hasSettingsOf(m *mock.Server, r *http.Request, username string) bool {
	_, err := m.Store().Get(r.Context(), username)
	return err == nil
}

// cmpSettings reports whether two settings are the same.
func cmpSettings(a, b recmock.Settings) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
