package proxy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

const path = "/rest/recording/notifications"

// start runs a proxy in front of upstream and returns its URL.
func start(t *testing.T, cfg proxy.Config) (*proxy.Proxy, string) {
	t.Helper()
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return p, ts.URL
}

func mockUpstream(t *testing.T) string {
	t.Helper()
	m, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(m)
	t.Cleanup(ts.Close)
	return ts.URL
}

type result struct {
	Status int
	Header http.Header
	Body   string
}

// send sends a request as the default account, with hdr set last.
func send(t *testing.T, method, url, body string, hdr map[string]string) result {
	t.Helper()
	req := newRequest(t, method, url, body)
	req.SetBasicAuth("demo-key", "demo-secret")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

// newRequest is a request with body, declared as JSON when there is one.
func newRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// do sends req and reads the whole answer.
func do(t *testing.T, req *http.Request) result {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{res.StatusCode, res.Header, string(b)}
}

func journal(t *testing.T, base string) []proxy.Exchange {
	t.Helper()
	res := send(t, "GET", base+proxy.JournalPath+"?limit=100", "", nil)
	var page struct{ Items []proxy.Exchange }
	if err := json.Unmarshal([]byte(res.Body), &page); err != nil || res.Status != 200 {
		t.Fatalf("journal: %d %s", res.Status, res.Body)
	}
	return page.Items
}

// TestAgainstTheMock: a correct upstream and well-behaved traffic give no violation, and
// the answers are byte-for-byte the upstream's.
func TestAgainstTheMock(t *testing.T) {
	up := mockUpstream(t)
	p, base := start(t, proxy.Config{Upstream: up, Annotate: true})
	steps := []struct{ method, body string }{
		{"GET", ""},
		{"POST", `{"notify":1,"url":"https://h.example/x","email":"a@b.com; c@d.com","s3Arn":"arn:aws:s3:::bkt/p","s3AccessKeyId":"K","s3SecretAccessKey":"S"}`},
		{"POST", `{"notify":true}`},
		{"PUT", `{"notify":false,"email":""}`},
		{"GET", ""},
	}
	for _, st := range steps {
		direct := send(t, st.method, up+path, st.body, nil)
		// Undo the direct write, so the proxied request meets the same state.
		if st.method != "GET" && direct.Status == 200 {
			send(t, "DELETE", up+"/_admin/settings/temasys", "", nil)
			if st.method == "PUT" {
				send(t, "POST", up+path, `{"notify":true}`, nil)
			}
		}
		via := send(t, st.method, base+path, st.body, nil)
		if via.Status != direct.Status || via.Body != direct.Body {
			t.Errorf("%s via proxy: %d %s\ndirect: %d %s", st.method, via.Status, via.Body, direct.Status, direct.Body)
		}
		if v := via.Header.Get("X-Recmock-Violations"); v != "" {
			t.Errorf("%s: violations against a correct upstream: %s", st.method, v)
		}
	}
	if s := p.Summary(); s.Exchanges != len(steps) || s.Validated != len(steps) || s.WithViolations != 0 {
		t.Errorf("summary %+v", s)
	}
}

// TestClientViolations: requests that break the contract are forwarded, answered by the
// upstream, and reported as the client's.
func TestClientViolations(t *testing.T) {
	_, base := start(t, proxy.Config{Upstream: mockUpstream(t), Annotate: true})
	send(t, "POST", base+path, `{"notify":true}`, nil)
	tests := []struct {
		method, body string
		want         []proxy.Violation
	}{
		{"PUT", `{"notify":"yes","email":"a@b.com, nope"}`, []proxy.Violation{
			{Side: "client", Field: "email", Rule: `"nope" is not a valid e-mail address`, Value: `"a@b.com, nope"`},
			{Side: "client", Field: "notify", Rule: "must be true, false, 1 or 0", Value: `"yes"`},
		}},
		{"PUT", `{"notify":true,"email":"a@b.com, nope"}`, []proxy.Violation{{Side: "client", Field: "email", Rule: `"nope" is not a valid e-mail address`, Value: `"a@b.com, nope"`}}},
		{"PUT", `{"notify":true,"s3SecretAccessKey":"hunter2"}`, []proxy.Violation{
			{Side: "client", Field: "s3AccessKeyId", Rule: "required when s3SecretAccessKey is given (the three S3 fields go together)"},
			{Side: "client", Field: "s3Arn", Rule: "required when s3SecretAccessKey is given (the three S3 fields go together)"},
		}},
		{"PUT", `{"notify":true,"s3Arn":"arn:aws:s3:::bkt","s3AccessKeyId":"K","s3SecretAccessKey":42}`, []proxy.Violation{{Side: "client", Field: "s3SecretAccessKey", Rule: "must be a string", Value: "***"}}},
		{"DELETE", "", []proxy.Violation{{Side: "client", Field: "method", Rule: "DELETE /rest/recording/notifications; allowed: GET, POST, PUT", Value: "DELETE"}}},
	}
	for _, tt := range tests {
		res := send(t, tt.method, base+path, tt.body, nil)
		if res.Status/100 != 4 {
			t.Errorf("%s %s: the upstream's %d should pass through", tt.method, tt.body, res.Status)
		}
		got := journal(t, base)[0].Violations
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s violations (-want +got):\n%s", tt.method, tt.body, diff)
		}
		if h := res.Header.Get("X-Recmock-Violations"); !strings.HasPrefix(h, "1; client") && !strings.HasPrefix(h, "2; client") {
			t.Errorf("X-Recmock-Violations %q", h)
		}
		if strings.Contains(res.Header.Get("X-Recmock-Violations")+journalText(t, base), "hunter2") {
			t.Error("a secret reached the header or the journal")
		}
	}
}

func journalText(t *testing.T, base string) string {
	return send(t, "GET", base+proxy.JournalPath, "", nil).Body
}

// broken answers like the mock, except for the one thing a test breaks.
func broken(t *testing.T, rewrite func(w http.ResponseWriter, r *http.Request, body string) bool) string {
	t.Helper()
	m, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if rewrite(w, r, string(b)) {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func answer(w http.ResponseWriter, status int, body string) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
	return true
}

// TestServerViolations: upstreams that break one rule each are caught, with the field.
func TestServerViolations(t *testing.T) {
	tests := []struct {
		name      string
		rewrite   func(w http.ResponseWriter, r *http.Request, body string) bool
		method    string
		body      string
		wantField string
	}{
		{"notify as a string", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			return answer(w, 200, `{"status":1,"content":{"data":{"username":"temasys","notify":"true","email":[]}}}`)
		}, "GET", "", "content.data.notify"},
		{"email not split", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			return answer(w, 200, `{"status":1,"content":{"data":{"username":"temasys","notify":true,"email":["a@b.com;c@d.com"]}}}`)
		}, "PUT", `{"notify":true,"email":"a@b.com;c@d.com"}`, "content.data.email"},
		{"empty url listed", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			return answer(w, 200, `{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"","email":[]}}}`)
		}, "GET", "", "content.data.url"},
		{"invalid input accepted", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			return r.Method == "PUT" && answer(w, 200, `{"status":1,"content":{"data":{"username":"temasys","notify":true,"email":[]}}}`)
		}, "PUT", `{"notify":true,"email":"nope"}`, "status"},
		{"error as status 1", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			return answer(w, 404, `{"status":1,"content":{"message":"none"}}`)
		}, "GET", "", "status"},
		{"405 as an HTML page", func(w http.ResponseWriter, r *http.Request, _ string) bool {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(405)
			io.WriteString(w, "<h1>Method Not Allowed</h1>")
			return true
		}, "DELETE", "", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := broken(t, tt.rewrite)
			send(t, "POST", up+path, `{"notify":true}`, nil)
			_, base := start(t, proxy.Config{Upstream: up, FailOnViolation: true})
			res := send(t, tt.method, base+path, tt.body, nil)
			var fields []string
			for _, v := range journal(t, base)[0].Violations {
				if v.Side == proxy.SideServer {
					fields = append(fields, v.Field)
				}
			}
			found := false
			for _, f := range fields {
				found = found || f == tt.wantField
			}
			if !found {
				t.Errorf("server violations on %v, want one on %s", fields, tt.wantField)
			}
			if res.Status != 502 || !strings.Contains(res.Body, "contract violation") || !strings.Contains(res.Body, `"field":"server `) {
				t.Errorf("--fail-on-violation answered %d %s", res.Status, res.Body)
			}
		})
	}
}

// TestForwardsUnchanged: headers, cookies, query and body reach the upstream as sent, and
// nothing is added.
func TestForwardsUnchanged(t *testing.T) {
	type seen struct {
		Method, Path, Query, Host, Body string
		Header                          http.Header
	}
	got := make(chan seen, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, string(b), r.Header.Clone()}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s2"})
		w.Header().Set("X-Upstream", "yes")
		w.WriteHeader(418)
		io.WriteString(w, "teapot")
	}))
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL + "/base"})
	res := send(t, "PATCH", base+"/api/thing?x=1&y=%2F", "raw body \x00 bytes", map[string]string{"Cookie": "session=s1", "X-Custom": "v", "Authorization": "Bearer tok"})
	s := <-got
	if s.Method != "PATCH" || s.Path != "/base/api/thing" || s.Query != "x=1&y=%2F" || s.Body != "raw body \x00 bytes" || s.Host != strings.TrimPrefix(up.URL, "http://") {
		t.Errorf("upstream saw %+v", s)
	}
	for k, want := range map[string]string{"Cookie": "session=s1", "X-Custom": "v", "Authorization": "Bearer tok", "Content-Type": "application/json"} {
		if s.Header.Get(k) != want {
			t.Errorf("upstream header %s = %q, want %q", k, s.Header.Get(k), want)
		}
	}
	for _, k := range []string{"X-Forwarded-For", "X-Forwarded-Host", "Via"} {
		if _, ok := s.Header[k]; ok {
			t.Errorf("proxy added %s: %q", k, s.Header.Get(k))
		}
	}
	if res.Status != 418 || res.Body != "teapot" || res.Header.Get("X-Upstream") != "yes" || !strings.Contains(res.Header.Get("Set-Cookie"), "session=s2") {
		t.Errorf("client got %d %q %v", res.Status, res.Body, res.Header)
	}
}

// TestStreams: a streamed answer reaches the client before the upstream finishes it.
func TestStreams(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "data: second\n\n")
	}))
	t.Cleanup(up.Close)
	t.Cleanup(func() { close(release) })
	_, base := start(t, proxy.Config{Upstream: up.URL})
	res, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Errorf("first event %q, %v", line, err)
	}
}

// TestLargeBodiesPassThrough: bodies over the limit are forwarded whole, unvalidated.
func TestLargeBodiesPassThrough(t *testing.T) {
	got := make(chan int, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- len(b)
		io.WriteString(w, strings.Repeat("y", 5000))
	}))
	t.Cleanup(up.Close)
	_, base := start(t, proxy.Config{Upstream: up.URL, MaxBodyBytes: 1024})
	res := send(t, "PUT", base+path, strings.Repeat("x", 4000), nil)
	if n := <-got; n != 4000 || len(res.Body) != 5000 {
		t.Errorf("upstream got %d bytes, client %d", n, len(res.Body))
	}
	if e := journal(t, base)[0]; e.Validated || !strings.Contains(e.Note, "not validated") {
		t.Errorf("journal %+v", e)
	}
}

// TestUpstreamFailures: every failure answers the envelope naming the cause, never a hang.
func TestUpstreamFailures(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) })

	tlsUp := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsUp.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
	tlsUp.StartTLS()
	t.Cleanup(tlsUp.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)

	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := http.NewResponseController(w).Hijack()
		c.Close()
	}))
	t.Cleanup(hangup.Close)

	tests := []struct {
		name, upstream string
		status         int
		msg            string
	}{
		{"refused", closed, 502, "refused the connection"},
		{"timeout", slow.URL, 504, "did not answer within 50ms"},
		{"untrusted certificate", tlsUp.URL, 502, "certificate is not trusted"},
		{"not TLS", strings.Replace(plain.URL, "http:", "https:", 1), 502, "does not speak TLS"},
		{"hang-up", hangup.URL, 502, "closed the connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, base := start(t, proxy.Config{Upstream: tt.upstream, Timeout: 50 * time.Millisecond})
			res := send(t, "GET", base+path, "", nil)
			var env struct {
				Status  int
				Content struct{ Message string }
			}
			if err := json.Unmarshal([]byte(res.Body), &env); err != nil || res.Status != tt.status || !strings.Contains(env.Content.Message, tt.msg) {
				t.Errorf("%d %s; want %d naming %q", res.Status, res.Body, tt.status, tt.msg)
			}
			if s := p.Summary(); s.UpstreamErrors != 1 {
				t.Errorf("summary %+v", s)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	p, base := start(t, proxy.Config{Upstream: mockUpstream(t)})
	send(t, "PUT", base+path, `{"notify":"x"}`, nil)
	send(t, "PUT", base+path, `{"notify":"y"}`, nil)
	send(t, "GET", base+"/elsewhere", "", nil)
	var b strings.Builder
	p.Summary().WriteSummary(&b)
	want := "3 exchanges, 2 validated, 2 with violations (2 by clients, 0 by the server), 0 upstream errors\n" +
		"      2× client notify: must be true, false, 1 or 0\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestNewRefusesBadUpstreams(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://"} {
		if _, err := proxy.New(proxy.Config{Upstream: u}); err == nil {
			t.Errorf("upstream %q accepted", u)
		}
	}
}
