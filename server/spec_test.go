package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/server"
)

// TestMountedAnswersMatchTheSpec: the admin API's mounted parts (the SMTP sink's e-mail, the
// fake S3's objects, the simulator's deliveries) are served by packages that import nothing
// of openapi.yaml, so the mock's own spec checks never see their answers. Here each of their
// operations is called on a whole assembly, after a recording went through every channel,
// and every answer is checked against openapi.yaml, 304s included.
func TestMountedAnswersMatchTheSpec(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	t.Cleanup(hook.Close)
	srv := start(t, server.Config{WebhookRetries: -1})
	base := srv.URL()
	v, err := wire.Spec()
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string, header http.Header) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range header {
			req.Header[k] = vs
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		route, err := v.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s is not in openapi.yaml: %v", method, path, err)
		}
		if _, err := v.ValidateResponse(req.Context(), req, route, res.StatusCode, res.Header, raw); err != nil {
			t.Errorf("%s %s answered %d, which breaks openapi.yaml: %v\n%.300s", method, path, res.StatusCode, err, raw)
		}
		res.Body = io.NopCloser(strings.NewReader(string(raw)))
		return res
	}
	do("PUT", "/_admin/settings/temasys", `{"notify":true,"url":"`+hook.URL+`/hook","email":"ann@example.com"}`, nil)
	var result struct {
		Event struct{ MeetingID string }
		S3    struct{ Bucket, Key string }
	}
	if err := json.NewDecoder(do("POST", "/_admin/recordings", `{"username":"temasys"}`, nil).Body).Decode(&result); err != nil {
		t.Fatal(err)
	}
	list := do("GET", "/_admin/emails", "", nil)
	var page struct{ Items []struct{ ID string } }
	if err := json.NewDecoder(list.Body).Decode(&page); err != nil || len(page.Items) != 1 {
		t.Fatalf("e-mail list: %v, %d items", err, len(page.Items))
	}
	etag := list.Header.Get("ETag")
	if res := do("GET", "/_admin/emails", "", http.Header{"If-None-Match": {etag}}); etag == "" || res.StatusCode != http.StatusNotModified {
		t.Errorf("the list with If-None-Match %q answered %d, want 304", etag, res.StatusCode)
	}
	id := url.PathEscape(page.Items[0].ID)
	do("GET", "/_admin/emails/"+id, "", nil)
	do("GET", "/_admin/emails/"+id+"/raw", "", nil)
	do("GET", "/_admin/emails/wait?to=ann@example.com&timeout=1s", "", nil)
	do("GET", "/_admin/emails/nope", "", nil)
	do("GET", "/_admin/objects", "", nil)
	do("GET", "/_admin/objects/download?"+url.Values{"bucket": {result.S3.Bucket}, "key": {result.S3.Key}}.Encode(), "", nil)
	do("GET", "/_admin/objects/download?bucket=nope&key=nope", "", nil)
	do("GET", "/_admin/deliveries", "", nil)
	do("DELETE", "/_admin/emails/"+id, "", nil)
	do("DELETE", "/_admin/emails", "", nil)
	do("DELETE", "/_admin/deliveries", "", nil)
}
