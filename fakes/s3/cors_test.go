package s3_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

const (
	dashboardOrigin = "http://127.0.0.1:8080"
	evilOrigin      = "http://evil.example"
)

// corsOf is what a browser reads from an answer to decide on CORS.
type corsOf struct {
	Status      int
	Code        string
	AllowOrigin string
	Methods     string
	Headers     string
	Expose      bool // ETag is exposed
}

func corsResult(t *testing.T, method, url, origin string, header http.Header) corsOf {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	for k, v := range header {
		h[k] = v
	}
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	return corsOf{
		Status:      res.StatusCode,
		Code:        xmlCode(body.Bytes()),
		AllowOrigin: res.Header.Get("Access-Control-Allow-Origin"),
		Methods:     res.Header.Get("Access-Control-Allow-Methods"),
		Headers:     res.Header.Get("Access-Control-Allow-Headers"),
		Expose:      strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "ETag"),
	}
}

// TestCORS: only the configured origins get CORS allowances, preflight or not; every
// other origin is refused, and nobody gets gofakes3's "*".
func TestCORS(t *testing.T) {
	preflight := http.Header{"Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"content-type,x-amz-date"}}
	allowedPreflight := corsOf{Status: 200, AllowOrigin: dashboardOrigin, Methods: "GET, PUT, POST, DELETE, HEAD", Headers: "content-type,x-amz-date", Expose: true}
	refused := corsOf{Status: 403, Code: "AccessForbidden"}
	tests := []struct {
		name    string
		origins []string
		method  string
		origin  string
		header  http.Header
		want    corsOf
	}{
		{"no origins: preflight", nil, "OPTIONS", dashboardOrigin, preflight, refused},
		{"no origins: GET", nil, "GET", dashboardOrigin, nil, refused},
		{"no origins: GET without Origin", nil, "GET", "", nil, corsOf{Status: 200}},
		{"allowed: preflight", []string{dashboardOrigin}, "OPTIONS", dashboardOrigin, preflight, allowedPreflight},
		{"allowed: GET", []string{dashboardOrigin}, "GET", dashboardOrigin, nil, corsOf{Status: 200, AllowOrigin: dashboardOrigin, Expose: true}},
		{"allowed, written otherwise", []string{"HTTP://127.0.0.1:8080/"}, "GET", dashboardOrigin, nil, corsOf{Status: 200, AllowOrigin: dashboardOrigin, Expose: true}},
		{"foreign: preflight", []string{dashboardOrigin}, "OPTIONS", evilOrigin, preflight, refused},
		{"foreign: GET", []string{dashboardOrigin}, "GET", evilOrigin, nil, refused},
		{"other port", []string{dashboardOrigin}, "GET", "http://127.0.0.1:8081", nil, refused},
		{"null origin", []string{dashboardOrigin}, "GET", "null", nil, refused},
		{"any origin", []string{"*"}, "GET", evilOrigin, nil, corsOf{Status: 200, AllowOrigin: evilOrigin, Expose: true}},
		{"without Origin", []string{dashboardOrigin}, "GET", "", nil, corsOf{Status: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, fakes3.Config{CORSOrigins: tt.origins, Buckets: []string{"rec"}})
			put(t, srv.Client(testKey, testSecret), "rec", "k", "v")
			got := corsResult(t, tt.method, srv.URL()+"/rec/k", tt.origin, tt.header)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s from %q mismatch (-want +got):\n%s", tt.method, tt.origin, diff)
			}
		})
	}
}

// TestCORSStrict: in strict mode preflights, which browsers never sign, are answered
// for the allowed origins, and refused for the others before any signature check.
func TestCORSStrict(t *testing.T) {
	srv := start(t, fakes3.Config{Strict: true, Credentials: testCreds, CORSOrigins: []string{dashboardOrigin}, Buckets: []string{"rec"}})
	preflight := http.Header{"Access-Control-Request-Method": {"GET"}}
	if got := corsResult(t, "OPTIONS", srv.URL()+"/rec/k", dashboardOrigin, preflight); got.Status != 200 || got.AllowOrigin != dashboardOrigin {
		t.Errorf("allowed preflight: %+v", got)
	}
	if got := corsResult(t, "OPTIONS", srv.URL()+"/rec/k", evilOrigin, preflight); got.Status != 403 || got.Code != "AccessForbidden" || got.AllowOrigin != "" {
		t.Errorf("foreign preflight: %+v", got)
	}
	if got := corsResult(t, "GET", srv.URL()+"/rec/k", dashboardOrigin, nil); got.Status != 403 || got.Code != "AccessDenied" || got.AllowOrigin != dashboardOrigin {
		t.Errorf("unsigned GET from the allowed origin: %+v; want AccessDenied, readable by the page", got)
	}
}

// TestCrossSitePage sends what any web page can send without a preflight (a form
// upload, a text/plain POST, a plain GET) from a foreign origin to a fake that needs
// no credentials, and checks that none of it read, wrote or deleted anything.
func TestCrossSitePage(t *testing.T) {
	srv := start(t, fakes3.Config{CORSOrigins: []string{dashboardOrigin}, Buckets: []string{"rec"}})
	c := srv.Client(testKey, testSecret)
	put(t, c, "rec", "keep.txt", "kept")

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("key", "planted.txt")
	fw, _ := mw.CreateFormFile("file", "planted.txt")
	fw.Write([]byte("planted by a page"))
	mw.Close()
	requests := []struct {
		name, method, path, contentType string
		body                            []byte
	}{
		{"form upload", "POST", "/rec", mw.FormDataContentType(), form.Bytes()},
		{"multi-object delete as text/plain", "POST", "/rec?delete", "text/plain", []byte(`<Delete><Object><Key>keep.txt</Key></Object></Delete>`)},
		{"read", "GET", "/rec/keep.txt", "", nil},
		{"list", "GET", "/rec", "", nil},
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			h := http.Header{"Origin": {evilOrigin}}
			if rq.contentType != "" {
				h.Set("Content-Type", rq.contentType)
			}
			res := do(t, rq.method, srv.URL()+rq.path, rq.body, h)
			if res.Status != http.StatusForbidden || res.Code != "AccessForbidden" {
				t.Errorf("%s %s from %s: %d %s, want 403 AccessForbidden", rq.method, rq.path, evilOrigin, res.Status, res.Code)
			}
		})
	}
	objs, err := srv.Objects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	if diff := cmp.Diff([]string{"keep.txt"}, keys); diff != "" {
		t.Errorf("objects after the cross-site requests mismatch (-want +got):\n%s", diff)
	}

	// The same form upload from the allowed origin goes through.
	res := do(t, "POST", srv.URL()+"/rec", form.Bytes(), http.Header{"Origin": {dashboardOrigin}, "Content-Type": {mw.FormDataContentType()}})
	if res.Status != http.StatusOK || get(t, c, "rec", "planted.txt") != "planted by a page" {
		t.Errorf("form upload from the allowed origin: %d %s", res.Status, res.Body)
	}
}

func TestCORSConfig(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:8080", "ftp://x", "http://x/path", "http://", "http://x?q=1"} {
		if _, err := fakes3.New(fakes3.Config{CORSOrigins: []string{bad}}); err == nil {
			t.Errorf("New accepted the CORS origin %q", bad)
		}
	}
}
