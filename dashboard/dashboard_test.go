package dashboard_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/dashboard"
)

// get serves one request and returns the response with its body read.
func get(t *testing.T, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	dashboard.Handler().ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var nonceAttr = regexp.MustCompile(`nonce="([A-Za-z0-9_-]{20,})"`)

func TestPage(t *testing.T) {
	res, body := get(t, "GET", "/", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET /: %d %s", res.StatusCode, body)
	}
	m := nonceAttr.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page carries no nonce:\n%s", body)
	}
	want := map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-store",
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + m[1] + "'; " +
			"img-src 'self' data:; media-src 'self'; connect-src 'self'; frame-src 'self'; " +
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "no-referrer",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = res.Header.Get(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(body, `<span class="version">`+recmock.Version()+`</span>`) {
		t.Errorf("the page does not show the version %q", recmock.Version())
	}

	_, again := get(t, "GET", "/", nil)
	if m2 := nonceAttr.FindStringSubmatch(again); m2 == nil || m2[1] == m[1] {
		t.Errorf("two responses share the nonce %q", m[1])
	}

	res, body = get(t, "HEAD", "/", nil)
	if res.StatusCode != 200 || body != "" || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("HEAD /: %d, %d bytes, CSP %q", res.StatusCode, len(body), res.Header.Get("Content-Security-Policy"))
	}
}

// TestNoInlineCode: the policy refuses inline scripts, styles and handlers, so the page must
// have none, and the scripts build the page from text nodes, never from HTML strings.
func TestNoInlineCode(t *testing.T) {
	_, page := get(t, "GET", "/", nil)
	for _, re := range []string{`\sstyle=`, `<style`, `\son[a-z]+=`, `<script(?:\s[^>]*)?>[^<]`, `javascript:`} {
		if loc := regexp.MustCompile(`(?i)` + re).FindStringIndex(page); loc != nil {
			t.Errorf("the page has inline code (%s) at %q", re, page[loc[0]:min(loc[1]+40, len(page))])
		}
	}
	for _, tag := range regexp.MustCompile(`(?i)<script[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(tag, ` src="/ui/`) {
			t.Errorf("inline script: %s", tag)
		}
	}
	scripts, _ := filepath.Glob("static/*.js")
	for _, name := range scripts {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []string{`innerHTML`, `outerHTML\s*=`, `insertAdjacentHTML`, `document\.write`, `\beval\(`, `new Function`, `\.style\.[a-zA-Z]+\s*=`, `setAttribute\('style'`} {
			if loc := regexp.MustCompile(re).FindIndex(src); loc != nil {
				t.Errorf("%s builds markup or inline style from a string (%s)", name, re)
			}
		}
	}
}

func TestAssets(t *testing.T) {
	tests := []struct {
		path, ctype string
	}{
		{"/ui/app.js", "text/javascript; charset=utf-8"},
		{"/ui/inbox.js", "text/javascript; charset=utf-8"},
		{"/ui/style.css", "text/css; charset=utf-8"},
		{"/ui/favicon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, body := get(t, "GET", tt.path, nil)
			want, err := os.ReadFile(filepath.Join("static", strings.TrimPrefix(tt.path, "/ui/")))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 || body != string(want) {
				t.Fatalf("GET %s: %d, %d bytes, want the %d bytes of the file", tt.path, res.StatusCode, len(body), len(want))
			}
			etag := res.Header.Get("ETag")
			got := []string{res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), res.Header.Get("X-Content-Type-Options")}
			if diff := cmp.Diff([]string{tt.ctype, "no-cache", "nosniff"}, got); diff != "" || etag == "" {
				t.Errorf("Content-Type, Cache-Control, nosniff mismatch (-want +got):\n%sETag %q", diff, etag)
			}
			res, body = get(t, "GET", tt.path, http.Header{"If-None-Match": {etag}})
			if res.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("revalidation with the ETag: %d, %d bytes; want 304", res.StatusCode, len(body))
			}
		})
	}
}

// TestReferencesResolve: every asset the page links and every module a script imports is
// served, and every embedded file is used.
func TestReferencesResolve(t *testing.T) {
	_, page := get(t, "GET", "/", nil)
	refs := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/ui/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		refs[m[1]] = true
	}
	scripts, _ := filepath.Glob("static/*.js")
	for _, name := range scripts {
		src, _ := os.ReadFile(name)
		for _, m := range regexp.MustCompile(`(?m)^import .* from '\./([^']+)';$`).FindAllStringSubmatch(string(src), -1) {
			refs["/ui/"+m[1]] = true
		}
	}
	for ref := range refs {
		if res, _ := get(t, "GET", ref, nil); res.StatusCode != 200 {
			t.Errorf("%s is referenced but answers %d", ref, res.StatusCode)
		}
	}
	fs.WalkDir(os.DirFS("static"), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && name != "index.html" && !refs["/ui/"+name] {
			t.Errorf("static/%s is embedded but nothing references it", name)
		}
		return err
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		allow        string
		body         string
	}{
		{"GET", "/ui/nope.js", 404, "", `{"status":0,"content":{"message":"not found: no dashboard page or asset at /ui/nope.js"}}`},
		{"GET", "/ui/", 404, "", `{"status":0,"content":{"message":"not found: no dashboard page or asset at /ui/"}}`},
		{"GET", "/ui/index.html", 404, "", `{"status":0,"content":{"message":"not found: no dashboard page or asset at /ui/index.html"}}`},
		{"GET", "/ui/../dashboard.go", 404, "", `{"status":0,"content":{"message":"not found: no dashboard page or asset at /ui/../dashboard.go"}}`},
		{"POST", "/", 405, "GET, HEAD", `{"status":0,"content":{"message":"method not allowed: POST /; allowed: GET, HEAD"}}`},
		{"DELETE", "/ui/app.js", 405, "GET, HEAD", `{"status":0,"content":{"message":"method not allowed: DELETE /ui/app.js; allowed: GET, HEAD"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res, body := get(t, tt.method, tt.path, nil)
			got := []string{res.Header.Get("Content-Type"), res.Header.Get("Allow"), strings.TrimSpace(body)}
			want := []string{"application/json", tt.allow, tt.body}
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Content-Type, Allow, body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
