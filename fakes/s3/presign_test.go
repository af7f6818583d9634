package s3_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// TestStrictPresignedURLs checks presigned links fetched with plain
// net/http: the genuine link works, anything altered or late does not.
func TestStrictPresignedURLs(t *testing.T) {
	srv, clk := startStrict(t)
	c := srv.Client(testKey, testSecret)
	put(t, c, "rec", "calls/a.mp4", "video a")
	put(t, c, "rec", "calls/b.mp4", "video b")
	pc := s3.NewPresignClient(c)
	presign := func(key string, expires time.Duration) string {
		t.Helper()
		req, err := pc.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String(key)}, s3.WithPresignExpires(expires))
		if err != nil {
			t.Fatalf("PresignGetObject: %v", err)
		}
		return req.URL
	}
	link := presign("calls/a.mp4", time.Minute)
	alter := func(f func(u *url.URL)) string {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		f(u)
		return u.String()
	}
	setQuery := func(k, v string) func(*url.URL) {
		return func(u *url.URL) {
			q := u.Query()
			q.Set(k, v)
			u.RawQuery = q.Encode()
		}
	}

	for _, tc := range []struct {
		name string
		url  string
		want httpResult
	}{
		{"genuine", link, httpResult{Status: 200, Body: "video a"}},
		{"genuine, parameters reordered", alter(func(u *url.URL) { u.RawQuery = u.Query().Encode() }), httpResult{Status: 200, Body: "video a"}},
		{"other key", alter(func(u *url.URL) { u.Path = "/rec/calls/b.mp4" }), httpResult{Status: 403, Code: "SignatureDoesNotMatch"}},
		{"longer expiry", alter(setQuery("X-Amz-Expires", "3600")), httpResult{Status: 403, Code: "SignatureDoesNotMatch"}},
		{"extra parameter", alter(setQuery("response-content-type", "text/html")), httpResult{Status: 403, Code: "SignatureDoesNotMatch"}},
		{"other signature", alter(setQuery("X-Amz-Signature", strings.Repeat("0", 64))), httpResult{Status: 403, Code: "SignatureDoesNotMatch"}},
		{"unknown key", alter(func(u *url.URL) {
			q := u.Query()
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), testKey, "AKIDNOBODY", 1))
			u.RawQuery = q.Encode()
		}), httpResult{Status: 403, Code: "InvalidAccessKeyId"}},
		{"expiry over a week", alter(setQuery("X-Amz-Expires", "604801")), httpResult{Status: 400, Code: "AuthorizationQueryParametersError"}},
		{"no signature at all", srv.URL() + "/rec/calls/a.mp4", httpResult{Status: 403, Code: "AccessDenied"}},
		{"SigV2 link", srv.URL() + "/rec/calls/a.mp4?AWSAccessKeyId=" + testKey + "&Signature=abc%3D&Expires=9999999999", httpResult{Status: 400, Code: "InvalidRequest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := do(t, http.MethodGet, tc.url, nil, nil)
			if tc.want.Code != "" {
				got.Body = "" // compare the code, not the wording
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("GET mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		link := presign("calls/b.mp4", time.Minute)
		if got := do(t, http.MethodGet, link, nil, nil); got.Status != 200 {
			t.Fatalf("before expiry: %d %s", got.Status, got.Body)
		}
		clk.Advance(time.Hour)
		t.Cleanup(func() { clk.Advance(-time.Hour) })
		got := do(t, http.MethodGet, link, nil, nil)
		if got.Status != 403 || got.Code != "AccessDenied" || !strings.Contains(got.Body, "<Message>Request has expired</Message>") {
			t.Errorf("after expiry: %d %s", got.Status, got.Body)
		}
	})
}

// TestStrictUnsignedRequests sends plain HTTP without any signature.
func TestStrictUnsignedRequests(t *testing.T) {
	srv, _ := startStrict(t)
	put(t, srv.Client(testKey, testSecret), "rec", "k", "v")
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/rec/k"},
		{http.MethodGet, "/rec"},
		{http.MethodGet, "/"},
		{http.MethodPut, "/rec/new"},
		{http.MethodDelete, "/rec/k"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			got := do(t, tc.method, srv.URL()+tc.path, []byte("body"), nil)
			if got.Status != 403 || got.Code != "AccessDenied" {
				t.Errorf("unsigned %s %s = %d %s, want 403 AccessDenied", tc.method, tc.path, got.Status, got.Body)
			}
		})
	}
	// Still there: the refused DELETE did nothing.
	if got := get(t, srv.Client(testKey, testSecret), "rec", "k"); got != "v" {
		t.Errorf("object after refused DELETE = %q, want %q", got, "v")
	}
}
