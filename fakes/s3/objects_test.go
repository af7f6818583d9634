package s3_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestObjectsHandler: the operator's view lists what real clients stored and serves the
// bytes, even in strict mode, with Range support.
func TestObjectsHandler(t *testing.T) {
	srv, _ := startStrict(t)
	c := srv.Client(testKey, testSecret)
	put(t, c, "rec", "acme/2026/m-1.mp4", "0123456789")
	put(t, c, "rec", "z.txt", "z")
	ts := httptest.NewServer(http.StripPrefix("/_admin/objects", srv.ObjectsHandler()))
	t.Cleanup(ts.Close)

	res := do(t, "GET", ts.URL+"/_admin/objects", nil, nil)
	var list struct {
		Total int
		Items []struct {
			Bucket, Key string
			Size        int64
		}
	}
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || res.Status != 200 {
		t.Fatalf("list: %d %s (%v)", res.Status, res.Body, err)
	}
	type item = struct {
		Bucket, Key string
		Size        int64
	}
	if diff := cmp.Diff([]item{{"rec", "acme/2026/m-1.mp4", 10}, {"rec", "z.txt", 1}}, list.Items); diff != "" || list.Total != 2 {
		t.Errorf("list (-want +got):\n%s", diff)
	}

	dl := ts.URL + "/_admin/objects/download?" + url.Values{"bucket": {"rec"}, "key": {"acme/2026/m-1.mp4"}}.Encode()
	if res := do(t, "GET", dl, nil, nil); res.Status != 200 || res.Body != "0123456789" {
		t.Errorf("download: %d %q", res.Status, res.Body)
	}
	if res := do(t, "GET", dl, nil, http.Header{"Range": {"bytes=2-4"}}); res.Status != 206 || res.Body != "234" {
		t.Errorf("range: %d %q, want 206 \"234\"", res.Status, res.Body)
	}
	for _, tt := range []struct {
		url    string
		status int
		msg    string
	}{
		{ts.URL + "/_admin/objects/download?bucket=rec&key=nope", 404, `no object "nope"`},
		{ts.URL + "/_admin/objects/download?bucket=rec", 400, "bucket and key"},
		{ts.URL + "/_admin/objects/elsewhere", 404, "no object endpoint"},
	} {
		res := do(t, "GET", tt.url, nil, nil)
		var env struct {
			Status  *int
			Content struct{ Message string }
		}
		err := json.Unmarshal([]byte(res.Body), &env)
		if err != nil || res.Status != tt.status || env.Status == nil || *env.Status != 0 || !strings.Contains(env.Content.Message, tt.msg) {
			t.Errorf("%s: %d %s; want %d naming %q in the envelope", tt.url, res.Status, res.Body, tt.status, tt.msg)
		}
	}
}
