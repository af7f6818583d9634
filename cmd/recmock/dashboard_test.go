package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/dashboard"
	"github.com/recmock/recmock/mock"
)

// The browser tests drive the dashboard in headless Chromium against the whole serve wiring.
// Screenshots of every view go to the test's temporary directory (their paths are logged), or
// to $RECMOCK_SCREENSHOTS when set, which keeps them. RECMOCK_SCREENSHOT=path also writes the
// overview, the README's picture, there:
//
//	RECMOCK_SCREENSHOT=../../docs/dashboard.png go test -run TestDashboard ./cmd/recmock

// TestDashboardServed: serve mounts the dashboard at "/" with its security headers and prints
// its address; no browser needed.
func TestDashboardServed(t *testing.T) {
	m, startup := startMain(t, serveConfig{})
	if want := "  dashboard  " + m.URL() + "/\n"; !strings.Contains(startup, want) {
		t.Errorf("startup lines lack %q:\n%s", want, startup)
	}
	res, err := http.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("GET /: Content-Security-Policy %q", csp)
	}
	if !bytes.Contains(body, []byte(`<script type="module" src="/ui/app.js">`)) {
		t.Errorf("GET /: the page does not load /ui/app.js:\n%s", body)
	}
	// The dashboard is not the API: loading it leaves the request journal alone.
	if status, body := call(t, "GET", m.URL()+"/_admin/requests", ""); status != 200 || !strings.Contains(body, `"total":0`) {
		t.Errorf("journal after loading the dashboard: %d %s", status, body)
	}
}

// TestDashboard: a person sets up an account, simulates a recording and watches the webhook
// delivery, the e-mail and the upload appear without reloading; a bad e-mail address is
// refused next to its field; every view renders on a laptop and on a phone, without a
// console error.
func TestDashboard(t *testing.T) {
	b := newBrowser(t)
	received := make(chan []byte, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case received <- body:
		default: // the test reads the first only
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(receiver.Close)
	hook := receiver.URL + "/hooks/recmock"
	m, _ := startMain(t, serveConfig{})

	b.do(t, chromedp.Navigate(m.URL()+"/#accounts"))
	form := `form[data-username="temasys"]`
	b.do(t, chromedp.WaitVisible(chromedp.CSS(form)))
	if got := b.string(t, `document.title`); got != "Accounts and settings · recmock" {
		t.Errorf("title %q", got)
	}

	t.Run("bad e-mail is refused next to its field", func(t *testing.T) {
		b.typeInto(t, form+` [name="url"]`, hook)
		b.typeInto(t, form+` [name="email"]`, "qa@example.com, not-an-address")
		b.do(t, chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
		msg := b.wait(t, `(() => { const e = document.querySelector('#acct-0-email-err'); return !e.hidden && e.textContent; })()`)
		if !strings.Contains(msg, `"not-an-address" is not a valid e-mail address`) {
			t.Errorf("error next to the e-mail field: %q", msg)
		}
		if got := b.string(t, `document.querySelector('#acct-0-email').getAttribute('aria-invalid') + ' ' + document.activeElement.id + ' ' + document.querySelector('#acct-0-url-err').hidden`); got != "true acct-0-email true" {
			t.Errorf("aria-invalid, focus, url error hidden = %q; want the e-mail field invalid and focused, the url without error", got)
		}
		if status, body := call(t, "GET", m.URL()+"/_admin/settings", ""); status != 200 || strings.Contains(body, `"settings"`) {
			t.Errorf("refused settings were stored: %d %s", status, body)
		}
		b.shot(t, "accounts-invalid-email")
	})

	t.Run("settings are saved", func(t *testing.T) {
		b.typeInto(t, form+` [name="email"]`, "qa@example.com; ops@example.com")
		b.typeInto(t, form+` [name="s3Arn"]`, "arn:aws:s3:::qa-recordings/calls")
		b.typeInto(t, form+` [name="s3AccessKeyId"]`, "AKIAQAEXAMPLE")
		b.typeInto(t, form+` [name="s3SecretAccessKey"]`, "qa-secret-value")
		b.do(t, chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
		b.wait(t, `document.querySelector('`+form+` .saved').textContent.startsWith('Saved')`)
		b.wait(t, fmt.Sprintf(`(() => { const t = document.querySelector('article.account[data-username="temasys"] .current').textContent; return t.includes(%q) && t.includes('qa@example.com') && t.includes('ops@example.com'); })()`, hook))
		if !b.bool(t, `document.querySelector('#acct-0-email-err').hidden && !document.querySelector('#acct-0-email').hasAttribute('aria-invalid')`) {
			t.Error("the e-mail error is still shown after a good save")
		}
		storedSecret := func() string {
			t.Helper()
			_, body := call(t, "GET", m.URL()+"/_admin/settings?reveal=1", "")
			if !strings.Contains(body, `"url":"`+hook+`"`) || !strings.Contains(body, `"email":["qa@example.com","ops@example.com"]`) {
				t.Errorf("stored settings: %s", body)
			}
			secret, _, _ := strings.Cut(strings.SplitN(body, `"s3SecretAccessKey":"`, 2)[1], `"`)
			return secret
		}
		if got := storedSecret(); got != "qa-secret-value" {
			t.Errorf("stored S3 secret %q", got)
		}
		if _, body := call(t, "GET", m.URL()+"/_admin/settings", ""); strings.Contains(body, "qa-secret-value") {
			t.Errorf("GET /_admin/settings shows the secret: %s", body)
		}

		// The S3 secret is masked until revealed, everywhere it is shown, and the page never
		// had it before: the admin API answers it only to ?reveal=1.
		secrets := `[...document.querySelectorAll('[data-secret-of="temasys"] .secret')].map((e) => e.textContent).join(' ')`
		if got := b.string(t, secrets); got != "•••••••• ••••••••" {
			t.Errorf("S3 secrets shown as %q, want masked on the overview and the accounts page", got)
		}
		if b.bool(t, `document.documentElement.outerHTML.includes('qa-secret-value')`) {
			t.Error("the page holds the secret before Reveal")
		}
		reveal := `article.account[data-username="temasys"] .secret-box button`
		b.do(t, chromedp.Click(chromedp.CSS(reveal)))
		b.wait(t, secrets+` + ' ' + document.querySelector('`+reveal+`').getAttribute('aria-pressed') === 'qa-secret-value qa-secret-value true'`)
		b.shot(t, "accounts")
		b.do(t, chromedp.Click(chromedp.CSS(reveal)))
		if got := b.string(t, secrets); got != "•••••••• ••••••••" {
			t.Errorf("after Hide: %q", got)
		}

		// Saved again as shown (the secret field holds the masked "***"), the secret stays.
		if got := b.string(t, `document.querySelector('`+form+` [name="s3SecretAccessKey"]').value`); got != recmock.Redacted {
			t.Errorf("the form's secret field holds %q, want the masked %q", got, recmock.Redacted)
		}
		b.eval(t, `document.querySelector('`+form+` .saved').textContent = ''`)
		b.do(t, chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
		b.wait(t, `document.querySelector('`+form+` .saved').textContent.startsWith('Saved')`)
		if got := storedSecret(); got != "qa-secret-value" {
			t.Errorf("saving the form unchanged stored the S3 secret %q", got)
		}
	})

	var room string
	simulated := t.Run("simulate shows each channel", func(t *testing.T) {
		b.open(t, "simulate")
		room = b.string(t, `document.querySelector('#sim-roomId').value`)
		if !regexp.MustCompile(`^[a-z]+(-[a-z]+)*-\d+$`).MatchString(room) {
			t.Errorf("room pre-filled with %q, want a random room name", room)
		}
		b.do(t, chromedp.Click(chromedp.CSS(`#sim-submit`)))
		got := b.wait(t, `(() => { const e = document.querySelector('#sim-error'); if (!e.hidden) return 'error: ' + e.textContent; return document.querySelector('#sim-result .outcomes') ? 'done' : ''; })()`)
		if got != "done" {
			t.Fatalf("POST /_admin/recordings from the dashboard: %s\n(serve must wire the simulator: grep -n simulator cmd/recmock/serve.go)", got)
		}
		for _, ch := range []string{"S3 upload", "Webhook", "E-mail"} {
			if s := b.string(t, `document.querySelector('#sim-result [data-channel="`+ch+`"] .badge').textContent`); s != "ok" {
				t.Errorf("%s outcome %q, want ok: %s", ch, s, b.string(t, `document.querySelector('#sim-result').textContent`))
			}
		}
		select {
		case body := <-received:
			if !strings.Contains(string(body), `"roomId":"`+room+`"`) {
				t.Errorf("the receiver got %s", body)
			}
		case <-time.After(10 * time.Second):
			t.Error("the receiver got no webhook")
		}
		b.shot(t, "simulate")
	})
	if !simulated {
		t.Fatal("the rest of the test needs the simulated recording")
	}

	t.Run("deliveries", func(t *testing.T) {
		b.open(t, "deliveries")
		b.wait(t, fmt.Sprintf(`(() => { const d = document.querySelector('#deliveries li.delivery'); return d && d.textContent.includes(%q) && d.textContent.includes('200') && d.textContent.includes(%q); })()`, hook, room))
		b.do(t, chromedp.Click(chromedp.CSS(`#deliveries li.delivery summary`)), chromedp.WaitVisible(chromedp.CSS(`#deliveries li.delivery pre`)))
		text := b.string(t, `document.querySelector('#deliveries li.delivery .item-body').textContent`)
		for _, want := range []string{`"roomId": "` + room + `"`, `"retrievalUrl"`, `"received": true`} {
			if !strings.Contains(text, want) {
				t.Errorf("the delivery's details lack %s:\n%s", want, text)
			}
		}
		b.shot(t, "deliveries")
	})

	t.Run("inbox", func(t *testing.T) {
		b.open(t, "inbox")
		b.wait(t, `(() => { const r = document.querySelector('#mail-list .mail-row[aria-current="true"]'); return r && r.textContent.includes('Recording ready: `+room+`'); })()`)
		b.do(t, chromedp.WaitVisible(chromedp.CSS(`#mail-view iframe.mail-html`)))
		frame := b.string(t, `(() => { const f = document.querySelector('#mail-view iframe.mail-html'); return JSON.stringify([f.getAttribute('sandbox'), f.srcdoc.includes('`+room+`'), /<style nonce="[^"]+">/.test(f.srcdoc), / style=/.test(f.srcdoc)]); })()`)
		if frame != `["",true,true,false]` {
			t.Errorf("HTML frame [sandbox, has the room, styles carry the nonce, inline style left] = %s", frame)
		}
		link := b.string(t, `document.querySelector('#mail-view .recording-link').href`)
		if !strings.Contains(link, "X-Amz-Signature=") {
			t.Errorf("recording link %q, want the presigned retrievalUrl", link)
		}
		view := b.string(t, `document.querySelector('#mail-view').textContent`)
		if !strings.Contains(view, "qa@example.com, ops@example.com") || !strings.Contains(view, "The recording of room "+room+" is ready.") {
			t.Errorf("message view:\n%s", view)
		}
		b.shot(t, "inbox")
	})

	t.Run("live updates without reloading", func(t *testing.T) {
		b.eval(t, `window.recmockStillHere = true`)
		status, body := call(t, "POST", m.URL()+"/_admin/recordings", `{"username":"temasys","roomId":"live-check-7"}`)
		if status != 200 {
			t.Fatalf("POST /_admin/recordings: %d %s", status, body)
		}
		// The inbox is showing: the new message arrives at the top and is opened.
		b.wait(t, `document.querySelector('#mail-list .mail-row[aria-current="true"]').textContent.includes('live-check-7')`)
		b.wait(t, `document.querySelector('[data-count="deliveries"]').textContent === '2' && document.querySelector('#deliveries').textContent.includes('live-check-7')`)
		if !b.bool(t, `window.recmockStillHere === true`) {
			t.Error("the page reloaded")
		}
	})

	t.Run("recordings", func(t *testing.T) {
		b.open(t, "recordings")
		b.wait(t, `document.querySelectorAll('#objects li.object').length === 2`)
		href := b.string(t, `document.querySelector('#objects li.object a[download]').getAttribute('href')`)
		res, err := http.Get(m.URL() + href)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(got, recmock.SampleRecording()) {
			t.Errorf("download link %s: %d, %d bytes, want the sample MP4", href, res.StatusCode, len(got))
		}
		b.do(t, chromedp.Click(chromedp.CSS(`#objects li.object button`)), chromedp.WaitVisible(chromedp.CSS(`#objects li.object video`)))
		b.shot(t, "recordings")
	})

	t.Run("requests highlight validation errors", func(t *testing.T) {
		if status, _ := call(t, "PUT", m.URL()+"/rest/recording/notifications", `{"notify":"yes","emails":"a@b.com"}`); status != 400 {
			t.Errorf("bad PUT: %d", status)
		}
		call(t, "GET", m.URL()+"/rest/recording/notifications", "")
		b.open(t, "requests")
		b.wait(t, `document.querySelectorAll('#requests li.request').length === 2`)
		bad := b.string(t, `document.querySelector('#requests li.has-errors .errors').textContent`)
		if !strings.Contains(bad, "emails is not a known field") || !strings.Contains(bad, "notify must be true, false, 1 or 0") {
			t.Errorf("highlighted errors: %q", bad)
		}
		b.shot(t, "requests")
	})

	t.Run("tabs work from the keyboard", func(t *testing.T) {
		b.do(t,
			chromedp.Focus(chromedp.CSS(`.tabs a[data-view="overview"]`)),
			chromedp.KeyEvent(kb.Tab),
			chromedp.KeyEvent(kb.Tab),
		)
		if got := b.string(t, `document.activeElement.dataset.view + ' ' + getComputedStyle(document.activeElement).outlineStyle`); got != "simulate solid" {
			t.Errorf("after two Tabs from Overview: focus and outline %q, want the Simulate tab with a visible outline", got)
		}
		b.do(t, chromedp.KeyEvent(kb.Enter))
		b.wait(t, `location.hash === '#simulate' && !document.querySelector('#view-simulate').hidden`)
	})

	t.Run("overview", func(t *testing.T) {
		b.open(t, "overview")
		b.wait(t, `document.querySelectorAll('#ov-deliveries .row').length === 2 && document.querySelectorAll('#ov-emails .row').length === 2 && document.querySelector('#ov-accounts').textContent.includes('ops@example.com')`)
		png := b.shot(t, "overview")
		if path := os.Getenv("RECMOCK_SCREENSHOT"); path != "" {
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("README screenshot: %s", path)
		}
	})

	t.Run("phone", func(t *testing.T) {
		b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		for _, view := range []string{"overview", "accounts", "simulate", "deliveries", "inbox", "recordings", "requests"} {
			b.eval(t, `location.hash = '`+view+`'`)
			b.wait(t, `!document.querySelector('#view-`+view+`').hidden`)
			if w := b.string(t, `document.documentElement.scrollWidth + ' <= ' + window.innerWidth`); !phoneFits(w) {
				t.Errorf("%s on a phone scrolls sideways: %s", view, w)
			}
			b.shot(t, "phone-"+view)
		}
		b.do(t, chromedp.ResetViewport())
	})
}

// TestDashboardShowsErrors: against a mock without a simulator, SMTP sink or fake S3, the
// dashboard says so instead of failing silently.
func TestDashboardShowsErrors(t *testing.T) {
	b := newBrowser(t)
	mk, err := mock.New(mock.Config{UI: dashboard.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mk)
	t.Cleanup(srv.Close)

	b.do(t, chromedp.Navigate(srv.URL+"/#simulate"), chromedp.WaitVisible(chromedp.CSS(`#sim-submit`)))
	b.wait(t, `document.querySelector('#sim-username').value === 'temasys'`)
	b.do(t, chromedp.Click(chromedp.CSS(`#sim-submit`)))
	msg := b.wait(t, `(() => { const e = document.querySelector('#sim-error'); return !e.hidden && e.textContent; })()`)
	if !strings.Contains(msg, "not implemented") || !strings.Contains(msg, "without the event simulator") {
		t.Errorf("simulate without a simulator: %q", msg)
	}
	b.shot(t, "simulate-unavailable")

	b.open(t, "inbox")
	notice := b.wait(t, `(() => { const e = document.querySelector('#inbox-notice'); return !e.hidden && e.textContent; })()`)
	if !strings.Contains(notice, "not available") {
		t.Errorf("inbox notice: %q", notice)
	}
	b.shot(t, "inbox-unavailable")
}

func phoneFits(s string) bool {
	var scroll, inner int
	_, err := fmt.Sscanf(s, "%d <= %d", &scroll, &inner)
	return err == nil && scroll <= inner
}

// browser is one headless Chromium for a test function, shared by its subtests.
type browser struct {
	ctx   context.Context
	shots string

	mu        sync.Mutex
	problems  []string       // console errors and uncaught exceptions not yet reported
	tolerated map[string]int // problems expected, by a part of their text: how many came
}

// newBrowser starts Chromium, or skips the test when there is none. The test fails on any
// console error, uncaught exception or failed load, except an admin API answer that the
// dashboard shows (a 400 for a bad e-mail, a 501 for a missing part). Options are added to
// the command line.
func newBrowser(t *testing.T, opts ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("no Chromium (chromium, chromium-browser or google-chrome) on PATH: the dashboard's browser tests need one (apt-get install chromium; .ci/run does)")
	}
	b := &browser{shots: os.Getenv("RECMOCK_SCREENSHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	} else if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// This machine's network is closed: Chromium must not try to reach Google.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
	}, opts...)...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	// Screenshots show the page at rest: the highlight of a new item is an animation.
	reduce := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, reduce); err != nil {
		t.Fatal(err)
	}
	b.ctx = ctx
	t.Cleanup(func() { b.report(t) })
	return b
}

// listen runs on chromedp's event loop: it only notes what went wrong.
func (b *browser) listen(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = "uncaught exception: " + d.Text
		if d.Exception != nil {
			p += " " + d.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Level != cdplog.EntryLevelError || e.Source == cdplog.EntrySourceNetwork && strings.Contains(e.URL, "/_admin/") {
			return
		}
		p = fmt.Sprintf("%s error: %s %s", e.Source, e.Text, e.URL)
	}
	if p == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for want := range b.tolerated {
		if strings.Contains(p, want) {
			b.tolerated[want]++
			return
		}
	}
	b.problems = append(b.problems, p)
}

// tolerate makes the problems that contain want (refusals the test provokes) expected
// rather than failures, from now on; the returned func counts those seen so far.
func (b *browser) tolerate(want string) func() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tolerated == nil {
		b.tolerated = map[string]int{}
	}
	b.tolerated[want] = 0
	return func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.tolerated[want]
	}
}

// report fails t with every console problem seen since the last report.
func (b *browser) report(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	ps := b.problems
	b.problems = nil
	b.mu.Unlock()
	for _, p := range ps {
		t.Errorf("browser: %s", p)
	}
}

func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.report(t)
		t.Fatalf("browser: %v", err)
	}
	b.report(t)
}

// open shows a view by clicking its tab, and waits until it shows (the fragment changes
// asynchronously).
func (b *browser) open(t *testing.T, view string) {
	t.Helper()
	b.do(t, chromedp.Click(chromedp.CSS(`.tabs a[data-view="`+view+`"]`)))
	b.wait(t, `!document.querySelector('#view-`+view+`').hidden`)
}

// typeInto empties the field sel and types text into it, key by key.
func (b *browser) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	b.eval(t, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ''; e.focus(); })()`, sel))
	b.do(t, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (b *browser) eval(t *testing.T, js string) {
	t.Helper()
	b.do(t, chromedp.Evaluate[chromedp.Void](js))
}

func evalIn[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.report(t)
		t.Fatalf("browser: %v", err)
	}
	return v
}

func (b *browser) string(t *testing.T, js string) string {
	t.Helper()
	return evalIn(t, b, chromedp.Evaluate[string](js))
}

func (b *browser) bool(t *testing.T, js string) bool {
	t.Helper()
	return evalIn(t, b, chromedp.Evaluate[bool](js))
}

// wait polls js until it is truthy and returns its value as text. It fails the test after 15
// seconds with a screenshot of the page.
func (b *browser) wait(t *testing.T, js string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Poll[json.RawMessage](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		b.report(t)
		b.shot(t, "failed-"+strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
		t.Fatalf("waiting for %s: %v", js, err)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	return s
}

// shot saves a PNG of the whole page under the test's screenshot directory and returns it.
func (b *browser) shot(t *testing.T, name string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, fullPage)
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return nil
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return png
}

// fullPage captures the whole page as PNG: the document's full size, clipped from its top,
// however far it is scrolled and however tall the window is.
func fullPage(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	size, err := chromedp.Evaluate[[2]float64](`window.scrollTo(0, 0), [document.documentElement.scrollWidth, document.documentElement.scrollHeight]`)(ctx, t)
	if err != nil {
		return nil, err
	}
	res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		Clip:                  &page.Viewport{Width: size[0], Height: size[1], Scale: 1},
		FromSurface:           new(true),
		CaptureBeyondViewport: new(true),
	})
	return res.Data, err
}
