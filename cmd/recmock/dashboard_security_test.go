package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// The browser tests of "what can a page of another site do": Chromium maps the attackers'
// names to 127.0.0.1, so a page of http://evil.example:port is really another site, and a page
// of http://rebound.example:<recmock's port> is what DNS rebinding makes of one.
var attackerNames = chromedp.Flag("host-resolver-rules", "MAP evil.example 127.0.0.1, MAP rebound.example 127.0.0.1")

// attackPage is a page that tries, against target, everything a page may send without
// asking: no-cors fetches with every simple body type, POSTs of forms (the JSON-in-text/plain
// trick among them) into hidden frames, and the CORS requests whose preflight must fail. It
// sets its title to "done" once every attempt has come back.
func attackPage(target string) string {
	t, _ := json.Marshal(target)
	// A text/plain form sends name=value: the name opens the JSON and the value closes it.
	form := func(path, enctype, name, value string) string {
		return fmt.Sprintf(`<form method="post" action=%q enctype=%q target="sink"><input name='%s' value='%s'></form>`, target+path, enctype, name, value)
	}
	return `<!DOCTYPE html><title>attacking</title>
<iframe name="sink"></iframe>
` + form("/_admin/faults", "text/plain", `{"status":503,"times":100,"path":"/rest/x`, `"}`) +
		form("/_admin/reset", "text/plain", `{"a":"`, `"}`) +
		form("/_admin/recordings", "text/plain", `{"username":"temasys","roomId":"evil`, `"}`) +
		form("/_admin/reset", "multipart/form-data", "x", "{}") +
		form("/_admin/reset", "application/x-www-form-urlencoded", "x", "{}") + `
<script>
const target = ` + string(t) + `;
const quiet = (p) => p.then(() => 'sent', (e) => 'refused: ' + e.message);
async function attack() {
  const log = [];
  const bodies = {
    '/_admin/reset': '{}',
    '/_admin/faults': '{"status":503,"times":100,"path":"/rest/*"}',
    '/_admin/recordings': '{"username":"temasys","roomId":"evil"}',
  };
  for (const [path, body] of Object.entries(bodies)) {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      log.push(path, await quiet(fetch(target + path, {method: 'POST', mode: 'no-cors', body, headers: {'Content-Type': type}})));
    }
    const fd = new FormData();
    fd.append('x', body);
    log.push(await quiet(fetch(target + path, {method: 'POST', mode: 'no-cors', body: fd})));
    log.push(await quiet(fetch(target + path, {method: 'POST', mode: 'no-cors', credentials: 'include'})));
    log.push(await quiet(fetch(target + path, {method: 'POST', body, credentials: 'include', headers: {'Content-Type': 'application/json'}})));
  }
  for (const [method, path] of [['PUT', '/_admin/settings/temasys'], ['DELETE', '/_admin/settings/temasys'], ['DELETE', '/_admin/faults']]) {
    log.push(await quiet(fetch(target + path, {method, body: method === 'PUT' ? '{"notify":false}' : undefined, credentials: 'include', headers: {'Content-Type': 'application/json'}})));
  }
  const sink = document.querySelector('iframe');
  for (const f of document.forms) {
    const loaded = new Promise((ok) => sink.addEventListener('load', ok, {once: true}));
    f.submit();
    await loaded;
  }
  document.title = 'done';
  return log;
}
attack();
</script>`
}

// serveAttack serves attackPage(target) at "/" and returns the server's port.
func serveAttack(t *testing.T, target string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, attackPage(target))
	}))
	t.Cleanup(srv.Close)
	return srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
}

// adminCall is call for the admin API of a serve that wants its token.
func adminCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// adminState is what the attacks aim at: settings (secrets revealed), faults, the objects a
// simulated recording would upload, and the deliveries it would log.
func adminState(t *testing.T, m *Main) string {
	t.Helper()
	var out []string
	for _, path := range []string{"/_admin/settings?reveal=1", "/_admin/faults", "/_admin/objects", "/_admin/deliveries"} {
		status, body := adminCall(t, "GET", m.URL()+path, m.AdminToken(), "")
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		out = append(out, path+" "+body)
	}
	return strings.Join(out, "\n")
}

// seed gives the default account settings with an S3 secret, and returns the state.
func seed(t *testing.T, m *Main) string {
	t.Helper()
	settings := `{"notify":true,"s3Arn":"arn:aws:s3:::qa-recordings/calls","s3AccessKeyId":"AKIAQAEXAMPLE","s3SecretAccessKey":"qa-secret-value"}`
	if status, body := adminCall(t, "PUT", m.URL()+"/_admin/settings/temasys", m.AdminToken(), settings); status != 200 {
		t.Fatalf("seeding: %d %s", status, body)
	}
	return adminState(t, m)
}

// attack opens the attack page of the given origin and waits until it is done.
func (b *browser) attack(t *testing.T, origin string) {
	t.Helper()
	b.do(t, chromedp.Navigate(origin+"/"))
	b.wait(t, `document.title === 'done'`)
}

// TestBrowserAttacks: a page of another site (and of another port of this host) tries every
// request a page can make a browser send to recmock's admin API, and a page of a rebound DNS
// name tries from what the browser takes for recmock's own origin; nothing changes.
func TestBrowserAttacks(t *testing.T) {
	b := newBrowser(t, attackerNames)
	b.tolerate("/_admin/") // the refusals the attacks provoke
	m, _ := startMain(t, serveConfig{})
	port := m.URL()[strings.LastIndexByte(m.URL(), ':')+1:]
	before := seed(t, m)
	attacker := serveAttack(t, m.URL())

	for _, origin := range []string{"http://evil.example:" + attacker, "http://127.0.0.1:" + attacker} {
		t.Run("from "+origin, func(t *testing.T) {
			b.attack(t, origin)
			if diff := cmp.Diff(before, adminState(t, m)); diff != "" {
				t.Errorf("the attack changed recmock's state (-before +after):\n%s", diff)
			}
		})
	}

	t.Run("DNS rebinding", func(t *testing.T) {
		refused := b.tolerate("rebound.example")
		b.do(t, chromedp.Navigate("http://rebound.example:"+port+"/"))
		if got := b.string(t, `document.body.textContent`); !strings.Contains(got, "Host rebound.example:"+port+" is not this server") {
			t.Errorf("the dashboard under a rebound name: %s", got)
		}
		// Scripts of that origin are same-origin with it in the browser's eyes.
		got := b.wait(t, `(async () => {
			const basic = {Authorization: 'Basic ' + btoa('demo-key:demo-secret')};
			const json = {'Content-Type': 'application/json'};
			const answers = await Promise.all([
				fetch('/_admin/settings?reveal=1'),
				fetch('/_admin/reset', {method: 'POST', headers: json}),
				fetch('/rest/recording/notifications', {headers: basic}),
				fetch('/rest/recording/notifications', {method: 'PUT', headers: {...basic, ...json}, body: '{"notify":false}'}),
			]);
			return answers.map((r) => r.status).join(' ');
		})()`)
		if got != "403 403 403 403" {
			t.Errorf("statuses from a rebound origin: %s, want every one 403", got)
		}
		if refused() == 0 {
			t.Error("the browser saw no refusal under the rebound name")
		}
		if diff := cmp.Diff(before, adminState(t, m)); diff != "" {
			t.Errorf("DNS rebinding changed recmock's state (-before +after):\n%s", diff)
		}
	})
}

// TestDashboardAdminToken: a serve that wants its token (as on a non-loopback address) asks
// for it in the dashboard, refuses a wrong one in place, and signs in with the right one; the
// one-time URL it prints signs in and leaves the address bar; signed in, a page of another site
// still changes nothing.
func TestDashboardAdminToken(t *testing.T) {
	m, startup := startMain(t, serveConfig{RequireToken: true})
	tok := m.AdminToken()
	oneTime := m.URL() + "/?token=" + tok
	for _, want := range []string{"  dashboard  " + oneTime + "   (open it once", "  admin API  " + m.URL() + "/_admin/   (needs Authorization: Bearer " + tok + ")"} {
		if !strings.Contains(startup, want) {
			t.Errorf("startup lines lack %q:\n%s", want, startup)
		}
	}
	before := seed(t, m)
	if status, body := adminCall(t, "GET", m.URL()+"/_admin/settings", "", ""); status != 401 {
		t.Errorf("GET /_admin/settings without the token: %d %s", status, body)
	}
	accounts := `document.querySelector('#ov-accounts').textContent.includes('AKIAQAEXAMPLE')`

	t.Run("the form", func(t *testing.T) {
		b := newBrowser(t)
		wrong := b.tolerate("?token=")
		b.do(t, chromedp.Navigate(m.URL()+"/"))
		b.wait(t, `!document.querySelector('#token-needed').hidden && document.activeElement.id === 'token-input' && document.querySelector('#live').textContent === 'Waiting for the admin token'`)
		b.shot(t, "token-needed")
		b.typeInto(t, "#token-input", "not-the-token-0123456789")
		b.do(t, chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
		if msg := b.wait(t, `(() => { const e = document.querySelector('#token-error'); return !e.hidden && e.textContent; })()`); msg != "That is not this recmock's admin token." {
			t.Errorf("wrong token: %q", msg)
		}
		if wrong() == 0 {
			t.Error("the wrong token was not refused")
		}
		b.typeInto(t, "#token-input", tok)
		b.do(t, chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
		b.wait(t, `document.querySelector('#token-needed').hidden && `+accounts)
		if got := b.string(t, `location.href + ' ' + JSON.stringify(document.cookie)`); got != m.URL()+`/ ""` {
			t.Errorf("signed in: address and script-visible cookies %s; want no token in either", got)
		}
		// Reveal asks the admin API, with the cookie.
		reveal := `#ov-accounts .secret-box button`
		b.do(t, chromedp.Click(chromedp.CSS(reveal)))
		b.wait(t, `document.querySelector('#ov-accounts .secret').textContent === 'qa-secret-value'`)
	})

	t.Run("the one-time URL", func(t *testing.T) {
		b := newBrowser(t, attackerNames)
		b.do(t, chromedp.Navigate(oneTime))
		b.wait(t, `location.href === '`+m.URL()+`/' && document.querySelector('#token-needed').hidden && `+accounts)
		if b.bool(t, `performance.getEntriesByType('navigation')[0].name.includes('token')`) {
			t.Error("the page's own URL still holds the token")
		}

		// Signed in, the browser holds the cookie: a page of another site still changes
		// nothing (SameSite=Strict keeps the cookie home, and the Origin is refused).
		b.tolerate("/_admin/")
		b.attack(t, "http://evil.example:"+serveAttack(t, m.URL()))
		if diff := cmp.Diff(before, adminState(t, m)); diff != "" {
			t.Errorf("an attack with the cookie in the browser changed the state (-before +after):\n%s", diff)
		}
		// The cookie is still good for the dashboard itself.
		b.do(t, chromedp.Navigate(m.URL()+"/"))
		b.wait(t, accounts)
	})
}
