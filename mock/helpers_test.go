package mock_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/mock"
)

const path = "/rest/recording/notifications"

// validator is shared by every test: it is read-only.
var validator = func() *wire.Validator {
	v, err := wire.Spec()
	if err != nil {
		panic(err)
	}
	return v
}()

// specTransport checks every response the tests receive against openapi.yaml: the documented
// status, headers and body for routed requests, the error envelope for everything else.
type specTransport struct {
	t    testing.TB
	next http.RoundTripper
}

func (s specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := s.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	checkResponse(s.t, req, res, body)
	return res, nil
}

func checkResponse(t testing.TB, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	where := req.Method + " " + req.URL.Path
	if ct := res.Header.Get("Content-Type"); ct != "application/json" && !strings.HasSuffix(req.URL.Path, "/raw") {
		t.Errorf("%s: Content-Type %q, want application/json", where, ct)
	}
	route, err := validator.FindRoute(req)
	if fault := res.Header.Get("X-Recmock-Fault"); err != nil || fault != "" {
		if code := recmock.ErrorCode(err).HTTPStatus(); err != nil && res.StatusCode != code && res.StatusCode < 500 {
			t.Errorf("%s: status %d for an unrouted request, want %d", where, res.StatusCode, code)
		}
		if err := validator.ValidateSchema("ErrorEnvelope", body); err != nil {
			t.Errorf("%s: %d body is not the error envelope: %v\n%s", where, res.StatusCode, err, body)
		}
		return
	}
	if _, err := validator.ValidateResponse(req.Context(), req, route, res.StatusCode, res.Header, body); err != nil {
		t.Errorf("%s: response breaks openapi.yaml: %v\n%d %s", where, err, res.StatusCode, body)
	}
}

// client talks to one mock through the checking transport.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
	srv  *mock.Server
}

func newClient(t testing.TB, cfg mock.Config) *client {
	t.Helper()
	m, err := mock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(m)
	t.Cleanup(func() {
		ts.Close()
		m.Close()
	})
	return &client{t: t, base: ts.URL, srv: m, hc: &http.Client{Transport: specTransport{t: t, next: ts.Client().Transport}}}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// req is one request; the zero value is an authenticated GET of the notifications path.
type req struct {
	Method, Path, Body, ContentType string
	User, Pass                      string // default demo-key:demo-secret
	NoAuth                          bool
	Header                          map[string]string
	Host                            string // default: the server's address
}

func (c *client) do(r req) response {
	c.t.Helper()
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if r.Path == "" {
		r.Path = path
	}
	hr, err := http.NewRequest(r.Method, c.base+r.Path, strings.NewReader(r.Body))
	if err != nil {
		c.t.Fatal(err)
	}
	if r.Body != "" && r.ContentType == "" {
		r.ContentType = "application/json"
	}
	if r.ContentType != "-" && r.ContentType != "" {
		hr.Header.Set("Content-Type", r.ContentType)
	}
	if !r.NoAuth {
		u, p := r.User, r.Pass
		if u == "" {
			u, p = "demo-key", "demo-secret"
		}
		hr.SetBasicAuth(u, p)
	}
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	if r.Host != "" {
		hr.Host = r.Host
	}
	res, err := c.hc.Do(hr)
	if err != nil {
		c.t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// expect runs r as subtest t's request and fails t unless the answer has status. Later
// requests of c report to t too, until c.t is set back.
func (c *client) expect(t *testing.T, r req, status int) response {
	t.Helper()
	c.t = t
	res := c.do(r)
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	return res
}

// mustDo is do for set-up steps that must succeed.
func (c *client) mustDo(r req) response {
	c.t.Helper()
	res := c.do(r)
	if res.Status/100 != 2 {
		c.t.Fatalf("%s %s: %d %s", r.Method, r.Path, res.Status, res.Body)
	}
	return res
}

// data decodes a success envelope's settings.
func data(t testing.TB, body []byte) recmock.Settings {
	t.Helper()
	var env recmock.Envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Content.Data == nil {
		t.Fatalf("not a success envelope (%v): %s", err, body)
	}
	return *env.Content.Data
}

// boltStore is a bbolt store in a directory the test removes.
func boltStore(t testing.TB) mock.Store {
	t.Helper()
	s, err := mock.OpenBoltStore(filepath.Join(t.TempDir(), "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
