package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/settingstest"
	"github.com/recmock/recmock/mock"
)

const testToken = "test-admin-token-0123456789abcdef"

// adminOp is one operation of openapi.yaml's admin API, its parameters filled in.
type adminOp struct{ method, path string }

func (o adminOp) String() string { return o.method + " " + o.path }

func (o adminOp) changesState() bool { return o.method != http.MethodGet }

// adminOps lists every admin operation of openapi.yaml, so that an operation added to the
// spec is attacked by the tests below without anyone listing it.
func adminOps(t *testing.T) []adminOp {
	t.Helper()
	doc, err := recmock.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var ops []adminOp
	for _, p := range doc.Paths.InMatchingOrder() {
		if !strings.HasPrefix(p, "/_admin/") {
			continue
		}
		for method, op := range doc.Paths.Value(p).Operations() {
			path := strings.NewReplacer("{username}", "temasys", "{id}", "1").Replace(p)
			q := url.Values{}
			for _, prm := range op.Parameters {
				if prm.Value.In == "query" && prm.Value.Required {
					q.Set(prm.Value.Name, "x")
				}
			}
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			ops = append(ops, adminOp{method, path})
		}
	}
	slices.SortFunc(ops, func(a, b adminOp) int { return strings.Compare(a.String(), b.String()) })
	if len(ops) < 20 {
		t.Fatalf("openapi.yaml lists %d admin operations; the test expects them all (20 or more)", len(ops))
	}
	return ops
}

// world is a mock whose every state-changing part is watched: the mounts (which stand for
// the SMTP sink, the fake S3 and the delivery log), the notifier and the reset hook count
// the requests that reach them.
type world struct {
	srv    *mock.Server
	base   string // http://127.0.0.1:port
	host   string // 127.0.0.1:port
	hits   atomic.Int64
	cookie *http.Cookie // the dashboard's cookie, once logged in
}

func newWorld(t *testing.T, cfg mock.Config) *world {
	t.Helper()
	w := &world{}
	mount := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.hits.Add(1)
		rw.Header().Set("Content-Type", "application/json")
		io.WriteString(rw, `{"items":[]}`)
	})
	cfg.Mounts = map[string]http.Handler{"/_admin/emails": mount, "/_admin/objects": mount, "/_admin/deliveries": mount}
	cfg.Notifier = notifierFunc(func(context.Context, recmock.Account, recmock.Settings, recmock.RecordingOverrides) (recmock.RecordingResult, error) {
		w.hits.Add(1)
		return recmock.RecordingResult{}, recmock.Errorf(recmock.CodeNotImplemented, "witness")
	})
	cfg.OnReset = []func(context.Context) error{func(context.Context) error { w.hits.Add(1); return nil }}
	cfg.UI = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "the dashboard") })
	c := newClient(t, cfg)
	w.srv, w.base, w.host = c.srv, c.base, strings.TrimPrefix(c.base, "http://")
	if err := w.srv.Store().Put(t.Context(), settingstest.Full(t)); err != nil {
		t.Fatal(err)
	}
	w.admin(t, "POST", "/_admin/faults", `{"path":"/nowhere","status":503,"times":7}`, 201)
	if cfg.AdminToken != "" {
		w.cookie = w.login(t, cfg.AdminToken)
	}
	w.hits.Store(0)
	return w
}

// send sends op as a browser or script would, after mutate; refusals are checked against
// openapi.yaml (the mounts' stand-in answers are not).
func (w *world) send(t *testing.T, op adminOp, mutate func(*http.Request)) (int, string) {
	t.Helper()
	var body io.Reader
	if op.changesState() {
		body = strings.NewReader(`{"notify":true}`)
	}
	r, err := http.NewRequest(op.method, w.base+op.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	mutate(r)
	res, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == 401 || res.StatusCode == 403 {
		checkResponse(t, r, res, b)
	}
	return res.StatusCode, string(b)
}

// admin sends a request as a script does (no browser headers), with the token when the
// world has one, and expects status.
func (w *world) admin(t *testing.T, method, path, body string, status int) string {
	t.Helper()
	r, err := http.NewRequest(method, w.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, status)
	}
	return string(b)
}

// login opens the dashboard's one-time URL and returns the cookie it sets.
func (w *world) login(t *testing.T, token string) *http.Cookie {
	t.Helper()
	res, err := http.DefaultTransport.RoundTrip(mustRequest(t, "GET", w.base+"/?token="+url.QueryEscape(token)+"&x=1"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?x=1" {
		t.Fatalf("GET /?token=: %d to %q, want 303 to the same URL without the token", res.StatusCode, res.Header.Get("Location"))
	}
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("GET /?token= set %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || strings.Contains(c.Value, token) {
		t.Errorf("cookie %s: want HttpOnly, SameSite=Strict, Path=/ and not the token itself", c)
	}
	return c
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// state is what a refused request must leave as it was.
func (w *world) state(t *testing.T) string {
	t.Helper()
	settings, _ := json.Marshal("none")
	if s, err := w.srv.Store().Get(t.Context(), "temasys"); err == nil {
		settings, _ = json.Marshal(s)
	}
	faults := w.admin(t, "GET", "/_admin/faults", "", 200)
	journal := decode[journalPage](t, []byte(w.admin(t, "GET", "/_admin/requests", "", 200)))
	return fmt.Sprintf("settings %s\nfaults %s\njournal %d\nwatched parts reached %d", settings, faults, journal.Total, w.hits.Load())
}

// browser headers, as Chromium sends them.
func headers(kv ...string) func(*http.Request) {
	return func(r *http.Request) {
		for i := 0; i < len(kv); i += 2 {
			r.Header.Set(kv[i], kv[i+1])
		}
	}
}

// TestAdminRefusesWhatOthersCanSend: every admin operation, as each kind of request that a
// page of another site, a rebound DNS name or a client without the token can send. A refused
// request answers 401 or 403 with the envelope and changes nothing; the mounts (e-mail, S3
// objects, deliveries) are behind the same checks. What the dashboard, curl and a client with
// the token send is served.
func TestAdminRefusesWhatOthersCanSend(t *testing.T) {
	ops := adminOps(t)
	const (
		served    = 0  // neither 401 nor 403
		refuseAll = -1 // 403 for every operation
		refuseChg = -2 // 403 for state-changing operations, served otherwise
		needToken = -3 // 401 for every operation but GET /_admin/health
	)
	cases := []struct {
		name   string
		token  bool
		mutate func(w *world) func(*http.Request)
		want   int
	}{
		{"Origin of another site", false, func(*world) func(*http.Request) {
			return headers("Origin", "https://evil.example")
		}, refuseAll},
		{"Origin of another port of this host", false, func(w *world) func(*http.Request) {
			return headers("Origin", "http://127.0.0.1:1")
		}, refuseAll},
		{"Origin null (sandboxed frame, file: or data: URL)", false, func(*world) func(*http.Request) {
			return headers("Origin", "null")
		}, refuseAll},
		{"Sec-Fetch-Site cross-site, no-cors fetch", false, func(*world) func(*http.Request) {
			return headers("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "empty")
		}, refuseAll},
		{"Sec-Fetch-Site same-site (another port)", false, func(*world) func(*http.Request) {
			return headers("Sec-Fetch-Site", "same-site", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty")
		}, refuseAll},
		{"Sec-Fetch-Site cross-site in a frame", false, func(*world) func(*http.Request) {
			return headers("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe")
		}, refuseAll},
		{"form posted from another site", false, func(*world) func(*http.Request) {
			return headers("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Content-Type", "application/x-www-form-urlencoded")
		}, refuseAll},
		{"link followed from another site", false, func(*world) func(*http.Request) {
			return headers("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Sec-Fetch-User", "?1")
		}, refuseChg},
		{"text/plain from a browser", false, func(w *world) func(*http.Request) {
			return headers("Origin", "http://"+w.host, "Sec-Fetch-Site", "same-origin", "Content-Type", "text/plain;charset=UTF-8")
		}, refuseChg},
		{"multipart/form-data from a browser", false, func(w *world) func(*http.Request) {
			return headers("Origin", "http://"+w.host, "Content-Type", "multipart/form-data; boundary=x")
		}, refuseChg},
		{"form from a browser", false, func(w *world) func(*http.Request) {
			return headers("Sec-Fetch-Site", "same-origin", "Content-Type", "application/x-www-form-urlencoded")
		}, refuseChg},
		{"no Content-Type from a browser", false, func(w *world) func(*http.Request) {
			return func(r *http.Request) { r.Header.Del("Content-Type"); r.Header.Set("Sec-Fetch-Mode", "no-cors") }
		}, refuseChg},
		{"Host of a rebound DNS name", false, func(w *world) func(*http.Request) {
			return func(r *http.Request) { r.Host = "evil.example:" + strings.Split(w.host, ":")[1] }
		}, refuseAll},
		{"no token", true, func(*world) func(*http.Request) {
			return headers()
		}, needToken},
		{"wrong token", true, func(*world) func(*http.Request) {
			return headers("Authorization", "Bearer "+strings.ToUpper(testToken))
		}, needToken},
		{"the token as Basic credentials", true, func(*world) func(*http.Request) {
			return func(r *http.Request) { r.SetBasicAuth("admin", testToken) }
		}, needToken},
		{"wrong cookie", true, func(w *world) func(*http.Request) {
			return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: w.cookie.Name, Value: testToken}) }
		}, needToken},
		{"right cookie, from another site", true, func(w *world) func(*http.Request) {
			return func(r *http.Request) {
				r.AddCookie(w.cookie)
				headers("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")(r)
			}
		}, refuseAll},
		{"right token in the header", true, func(*world) func(*http.Request) {
			return headers("Authorization", "Bearer "+testToken)
		}, served},
		{"right token in the dashboard's cookie, from the dashboard", true, func(w *world) func(*http.Request) {
			return func(r *http.Request) {
				r.AddCookie(w.cookie)
				headers("Origin", "http://"+w.host, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty")(r)
			}
		}, served},
		{"the dashboard on loopback", false, func(w *world) func(*http.Request) {
			return headers("Origin", "http://"+w.host, "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty")
		}, served},
		{"the dashboard through localhost", false, func(w *world) func(*http.Request) {
			return func(r *http.Request) {
				r.Host = "localhost:" + strings.Split(w.host, ":")[1]
				headers("Origin", "http://"+r.Host, "Sec-Fetch-Site", "same-origin")(r)
			}
		}, served},
		{"curl -d (a form Content-Type, no browser headers)", false, func(*world) func(*http.Request) {
			return headers("Content-Type", "application/x-www-form-urlencoded")
		}, served},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mock.Config{}
			if tc.token {
				cfg.AdminToken = testToken
			}
			w := newWorld(t, cfg)
			mutate := tc.mutate(w)
			for _, op := range ops {
				before := w.state(t)
				want := tc.want
				switch {
				case want == refuseChg && op.changesState(), want == refuseAll:
					want = 403
				case want == needToken && op.String() != "GET /_admin/health":
					want = 401
				case want < 0:
					want = served
				}
				status, body := w.send(t, op, mutate)
				if refused := status == 401 || status == 403; want == served && refused || want != served && status != want {
					t.Errorf("%s: %d %s; want %s", op, status, body, statusName(want))
				}
				if want != served {
					if diff := cmp.Diff(before, w.state(t)); diff != "" {
						t.Fatalf("%s was refused with %d but changed the state (-before +after):\n%s", op, status, diff)
					}
				}
			}
			if tc.want == served && w.hits.Load() == 0 {
				t.Error("no request reached a mount, the notifier or the reset hook: the test reaches nothing")
			}
		})
	}
}

func statusName(s int) string {
	if s == 0 {
		return "it served (neither 401 nor 403)"
	}
	return fmt.Sprint(s)
}

// TestHostCheck: the names a rebound DNS name cannot be pass; any other is refused, on the
// vendor API too, unless allowed or AnyHost is set.
func TestHostCheck(t *testing.T) {
	tests := []struct {
		name  string
		cfg   mock.Config
		host  string
		allow bool
	}{
		{"loopback IPv4", mock.Config{}, "127.0.0.1:8080", true},
		{"loopback IPv4, another port (an SSH tunnel)", mock.Config{}, "127.0.0.1:9999", true},
		{"loopback IPv6", mock.Config{}, "[::1]:8080", true},
		{"another IP literal", mock.Config{}, "192.168.1.5:8080", true},
		{"localhost", mock.Config{}, "localhost:8080", true},
		{"LOCALHOST without a port", mock.Config{}, "LOCALHOST", true},
		{"a name below localhost", mock.Config{}, "recmock.localhost:8080", true},
		{"a rebound name", mock.Config{}, "evil.example:8080", false},
		{"a name ending in localhost", mock.Config{}, "evillocalhost:8080", false},
		{"localhost as a subdomain", mock.Config{}, "localhost.evil.example", false},
		{"an allowed name, any port", mock.Config{AllowedHosts: []string{"recmock.test"}}, "RECMOCK.test:8080", true},
		{"an allowed name with its port", mock.Config{AllowedHosts: []string{"recmock.test:8080"}}, "recmock.test:8080", true},
		{"an allowed name, another port", mock.Config{AllowedHosts: []string{"recmock.test:8080"}}, "recmock.test:9090", false},
		{"below an allowed suffix", mock.Config{AllowedHosts: []string{".team.example"}}, "recmock.team.example", true},
		{"the allowed suffix itself", mock.Config{AllowedHosts: []string{".team.example"}}, "team.example", true},
		{"beside an allowed suffix", mock.Config{AllowedHosts: []string{".team.example"}}, "evilteam.example", false},
		{"any host", mock.Config{AnyHost: true}, "evil.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.cfg)
			for _, r := range []req{{}, {Path: "/_admin/health"}, {Path: "/_admin/settings"}} {
				r.Host = tt.host
				res := c.do(r)
				if refused := res.Status == 403; refused == tt.allow {
					t.Errorf("GET %s with Host %s: %d %s; want allowed %v", r.Path, tt.host, res.Status, res.Body, tt.allow)
				}
				if !tt.allow && !strings.Contains(string(res.Body), "is not this server; serve --allowed-host adds names") {
					t.Errorf("refusal %s does not say what to do", res.Body)
				}
			}
		})
	}
}

func TestConfigRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  mock.Config
		want string
	}{
		{"short token", mock.Config{AdminToken: "secret"}, "at least 16"},
		{"token with a blank", mock.Config{AdminToken: "0123456789 abcdef"}, "printable ASCII"},
		{"allowed host with a scheme", mock.Config{AllowedHosts: []string{"http://recmock.test"}}, "without a scheme"},
		{"empty allowed host", mock.Config{AllowedHosts: []string{" "}}, "give a name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := mock.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// TestDashboardLogin: the one-time URL sets the cookie only for the right token; the cookie
// then opens the admin API, and the answer names what is missing otherwise.
func TestDashboardLogin(t *testing.T) {
	w := newWorld(t, mock.Config{AdminToken: testToken})
	res, err := http.DefaultTransport.RoundTrip(mustRequest(t, "GET", w.base+"/?token=wrong-token-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || len(res.Cookies()) != 0 || !strings.Contains(string(body), "not this server's admin token") {
		t.Errorf("wrong token in the URL: %d, cookies %v, %s", res.StatusCode, res.Cookies(), body)
	}
	if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate %q: a Basic challenge would pop up a password dialog", got)
	}
	status, body2 := w.send(t, adminOp{"GET", "/_admin/settings"}, func(r *http.Request) { r.AddCookie(w.cookie) })
	if status != 200 {
		t.Errorf("with the cookie: %d %s", status, body2)
	}
	// The page itself carries no data and loads without the token: its scripts ask for it.
	if status, page := w.send(t, adminOp{"GET", "/"}, headers()); status != 200 || page != "the dashboard" {
		t.Errorf("GET / without the token: %d %s", status, page)
	}

	// Behind a TLS proxy, the cookie is sent over HTTPS only.
	r := mustRequest(t, "GET", w.base+"/?token="+testToken)
	r.Header.Set("X-Forwarded-Proto", "https")
	res, err = http.DefaultTransport.RoundTrip(r)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if c := res.Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("behind a TLS proxy: cookies %v, want one Secure", c)
	}

	// Without a configured token, the parameter is only dropped from the address.
	open := newWorld(t, mock.Config{})
	res, err = http.DefaultTransport.RoundTrip(mustRequest(t, "GET", open.base+"/?token=whatever"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || len(res.Cookies()) != 0 {
		t.Errorf("token without a configured one: %d to %q, cookies %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
}
