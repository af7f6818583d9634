package s3_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// crossSiteScript is what a page tries against the fake S3 at s3: every request a
// script can make, reporting for each whether the page could read the answer. A
// preflighted request the fake refuses, or an answer without CORS allowance, is a
// TypeError; no-cors requests always "succeed" without anything readable, so their
// effect is checked on the server.
const crossSiteScript = `(async (s3) => {
  const out = {};
  const tryit = async (name, f) => {
    try { out[name] = await f(); } catch (e) { out[name] = 'blocked'; }
  };
  await tryit('read', async () => (await fetch(s3 + '/rec/keep.txt')).text());
  await tryit('put', async () => (await fetch(s3 + '/rec/put.txt', {method: 'PUT', body: 'from the page'})).status);
  await tryit('readBack', async () => (await fetch(s3 + '/rec/put.txt')).text());
  await tryit('delete', async () => (await fetch(s3 + '/rec/keep.txt', {method: 'DELETE'})).status);
  await tryit('postDelete', async () => (await fetch(s3 + '/rec?delete', {method: 'POST', mode: 'no-cors',
    headers: {'Content-Type': 'text/plain'}, body: '<Delete><Object><Key>keep.txt</Key></Object></Delete>'})).type);
  const form = new FormData();
  form.append('key', 'form.txt');
  form.append('file', new Blob(['from a form']), 'form.txt');
  await tryit('formUpload', async () => (await fetch(s3 + '/rec', {method: 'POST', mode: 'no-cors', body: form})).type);
  return JSON.stringify(out);
})`

// TestCORSInBrowser runs crossSiteScript in Chromium, from a page of an allowed origin
// and from a page of another one.
func TestCORSInBrowser(t *testing.T) {
	ctx := newChromium(t)
	page := func() *httptest.Server {
		p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<!doctype html><title>page</title>"))
		}))
		t.Cleanup(p.Close)
		return p
	}
	allowed, foreign := page(), page()
	srv := start(t, fakes3.Config{CORSOrigins: []string{allowed.URL}, Buckets: []string{"rec"}})

	run := func(t *testing.T, pageURL string) map[string]any {
		t.Helper()
		if err := srv.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		put(t, srv.Client(testKey, testSecret), "rec", "keep.txt", "kept")
		if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.Run(ctx, chromedp.Evaluate[string](crossSiteScript+`("`+srv.URL()+`")`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(res), &out); err != nil {
			t.Fatalf("%v: %s", err, res)
		}
		return out
	}
	keys := func(t *testing.T) []string {
		t.Helper()
		objs, err := srv.Objects(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, o := range objs {
			out = append(out, o.Key)
		}
		return out
	}

	t.Run("foreign page", func(t *testing.T) {
		got := run(t, foreign.URL)
		want := map[string]any{"read": "blocked", "put": "blocked", "readBack": "blocked", "delete": "blocked", "postDelete": "opaque", "formUpload": "opaque"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("what a foreign page could do mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"keep.txt"}, keys(t)); diff != "" {
			t.Errorf("objects after the foreign page mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("allowed page", func(t *testing.T) {
		got := run(t, allowed.URL)
		// The page may do anything, and reads the answers; its no-cors requests run too.
		want := map[string]any{"read": "kept", "put": 200.0, "readBack": "from the page", "delete": 204.0, "postDelete": "opaque", "formUpload": "opaque"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("what the allowed page could do mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"form.txt", "put.txt"}, keys(t)); diff != "" {
			t.Errorf("objects after the allowed page mismatch (-want +got):\n%s", diff)
		}
	})
}

// newChromium starts a headless Chromium for the test, or skips it.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("no Chromium on PATH (apt-get install chromium)")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true))
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	// Each step gets its own deadline: one on the first Run would stop the browser.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}
