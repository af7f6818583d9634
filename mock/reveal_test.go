package mock_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/golden"
	"github.com/recmock/recmock/internal/settingstest"
	"github.com/recmock/recmock/mock"
)

// secretsIn returns the secret samples of settingstest that appear in body.
func secretsIn(body string) []string {
	var found []string
	for _, f := range settingstest.Fields() {
		if s, ok := f.Sample.(string); ok && f.Secret && strings.Contains(body, s) {
			found = append(found, f.Path)
		}
	}
	return found
}

// fullInput is settingstest.Full as the admin PUT body that stores it.
func fullInput(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(settingstest.Full(t).Input())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAdminAnswersMaskSecrets: every admin answer that carries settings masks every secret
// field unless ?reveal=1, and never carries an account's own secret; the masked answer, sent
// back, keeps the secret it stands for.
func TestAdminAnswersMaskSecrets(t *testing.T) {
	full := settingstest.Full(t)
	acct := recmock.Account{Username: full.Username, APIKey: "acct-key", Secret: "acct-basic-password"}
	c := newClient(t, mock.Config{Accounts: []recmock.Account{acct}})
	put := req{Method: "PUT", Path: "/_admin/settings/" + acct.Username, Body: fullInput(t), NoAuth: true}

	masked := map[string]string{
		"PUT answer":  string(c.mustDo(put).Body),
		"GET answer":  string(c.mustDo(req{Path: "/_admin/settings", NoAuth: true}).Body),
		"reveal=0":    string(c.mustDo(req{Path: "/_admin/settings?reveal=0", NoAuth: true}).Body),
		"journal":     string(c.mustDo(req{Path: "/_admin/requests", NoAuth: true}).Body),
		"link follow": string(c.mustDo(req{Path: "/_admin/settings", NoAuth: true, Header: map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}}).Body),
	}
	for name, body := range masked {
		if leaked := secretsIn(body); len(leaked) > 0 {
			t.Errorf("%s shows %v: %s", name, leaked, body)
		}
		if strings.Contains(body, acct.Secret) {
			t.Errorf("%s shows the account's own secret: %s", name, body)
		}
	}
	for _, name := range []string{"PUT answer", "GET answer"} {
		if !strings.Contains(masked[name], `"s3SecretAccessKey":"`+recmock.Redacted+`"`) {
			t.Errorf("%s does not show the secret as %q: %s", name, recmock.Redacted, masked[name])
		}
	}

	type entry struct {
		Username string            `json:"username"`
		APIKey   string            `json:"apiKey"`
		Settings *recmock.Settings `json:"settings"`
	}
	want := []entry{{Username: acct.Username, APIKey: acct.APIKey, Settings: &full}}
	for _, r := range []req{
		{Path: "/_admin/settings?reveal=1"},
		{Path: "/_admin/settings?reveal=true", Header: map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}},
		{Path: "/_admin/settings?reveal=1", Header: map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}},
	} {
		r.NoAuth = true
		body := c.mustDo(r).Body
		if strings.Contains(string(body), acct.Secret) {
			t.Errorf("%s shows the account's own secret: %s", r.Path, body)
		}
		got := decode[struct{ Accounts []entry }](t, body).Accounts
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %v mismatch (-want +got):\n%s", r.Path, r.Header, diff)
		}
	}
	put.Path += "?reveal=1"
	if got := data(t, c.mustDo(put).Body); !cmp.Equal(got, full) {
		t.Errorf("PUT ?reveal=1 answers %+v, want the settings unmasked", got)
	}

	// A link on another site that asks to reveal is refused, although the tab shows it only
	// to the user: the answer says why.
	res := c.do(req{Path: "/_admin/settings?reveal=1", NoAuth: true, Header: map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}})
	if res.Status != 403 || len(secretsIn(string(res.Body))) > 0 {
		t.Errorf("reveal from a link on another site: %d %s", res.Status, res.Body)
	}
	golden.Check(t, "envelopes/admin-reveal-cross-site.json", res.Body)
	if res := c.do(req{Path: "/_admin/settings?reveal=yes", NoAuth: true}); res.Status != 400 {
		t.Errorf("reveal=yes: %d %s, want 400", res.Status, res.Body)
	}
}

// TestAdminPutKeepsMaskedSecret: "***", what every admin answer shows, stands for the stored
// secret of the same access key and for nothing else.
func TestAdminPutKeepsMaskedSecret(t *testing.T) {
	full := settingstest.Full(t)
	c := newClient(t, mock.Config{})
	path := "/_admin/settings/temasys"
	s3 := func(key, secret string) string {
		return `{"notify":true,"s3Arn":"` + full.S3.ARN + `","s3AccessKeyId":"` + key + `","s3SecretAccessKey":"` + secret + `"}`
	}
	stored := func() recmock.Settings {
		t.Helper()
		s, err := c.srv.Store().Get(t.Context(), "temasys")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	res := c.do(req{Method: "PUT", Path: path, Body: s3("AKIA1", recmock.Redacted), NoAuth: true})
	if res.Status != 400 {
		t.Errorf("*** without a stored secret: %d %s, want 400", res.Status, res.Body)
	}
	golden.Check(t, "envelopes/admin-put-masked-secret-none-stored.json", res.Body)

	c.mustDo(req{Method: "PUT", Path: path, Body: s3("AKIA1", "the-real-secret"), NoAuth: true})
	// The dashboard sends back what it was answered, with another ARN.
	answered := data(t, c.mustDo(req{Method: "PUT", Path: path, Body: strings.Replace(s3("AKIA1", recmock.Redacted), full.S3.ARN, "arn:aws:s3:::other-bucket", 1), NoAuth: true}).Body)
	if answered.S3.SecretAccessKey != recmock.Redacted {
		t.Errorf("answer shows %q", answered.S3.SecretAccessKey)
	}
	want := recmock.S3Settings{ARN: "arn:aws:s3:::other-bucket", AccessKeyID: "AKIA1", SecretAccessKey: "the-real-secret"}
	if diff := cmp.Diff(want, *stored().S3); diff != "" {
		t.Errorf("stored S3 settings mismatch (-want +got):\n%s", diff)
	}

	res = c.do(req{Method: "PUT", Path: path, Body: s3("AKIA2", recmock.Redacted), NoAuth: true})
	if res.Status != 400 {
		t.Errorf("*** with another access key: %d %s, want 400", res.Status, res.Body)
	}
	golden.Check(t, "envelopes/admin-put-masked-secret-other-key.json", res.Body)
	if got := stored().S3.SecretAccessKey; got != "the-real-secret" {
		t.Errorf("a refused PUT changed the secret to %q", got)
	}

	// The vendor API stores what it is sent: "***" is a secret like any other there.
	c.mustDo(req{Method: "PUT", Body: s3("AKIA1", recmock.Redacted)})
	if got := stored().S3.SecretAccessKey; got != recmock.Redacted {
		t.Errorf("vendor PUT of ***: stored %q", got)
	}
}

// TestAdminRevealNeedsToken: with a token configured, ?reveal=1 is one more admin request
// that needs it; refusals are pinned.
func TestAdminRevealNeedsToken(t *testing.T) {
	c := newClient(t, mock.Config{AdminToken: testToken})
	if err := c.srv.Store().Put(t.Context(), settingstest.Full(t)); err != nil {
		t.Fatal(err)
	}
	res := c.do(req{Path: "/_admin/settings?reveal=1", NoAuth: true})
	if res.Status != 401 || len(secretsIn(string(res.Body))) > 0 {
		t.Errorf("reveal without the token: %d %s", res.Status, res.Body)
	}
	if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="recmock admin"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
	golden.Check(t, "envelopes/admin-no-token.json", res.Body)
	res = c.do(req{Path: "/_admin/settings?reveal=1", NoAuth: true, Header: map[string]string{"Authorization": "Bearer " + testToken}})
	if res.Status != 200 || len(secretsIn(string(res.Body))) != 1 {
		t.Errorf("reveal with the token: %d %s", res.Status, res.Body)
	}
	if res := c.do(req{Path: "/_admin/health", NoAuth: true}); res.Status != 200 || string(res.Body) != `{"status":"ok"}`+"\n" {
		t.Errorf("health without the token: %d %q", res.Status, res.Body)
	}
	// The vendor API never asks for it.
	if res := c.do(req{}); res.Status != 200 {
		t.Errorf("vendor GET with Basic only: %d %s", res.Status, res.Body)
	}

	for name, r := range map[string]req{
		"admin-cross-site-origin":  {Method: "POST", Path: "/_admin/reset", NoAuth: true, Header: map[string]string{"Origin": "https://evil.example"}},
		"admin-browser-text-plain": {Method: "POST", Path: "/_admin/faults", Body: `{"status":503}`, ContentType: "text/plain", NoAuth: true, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}},
		"admin-wrong-token":        {Path: "/_admin/settings", NoAuth: true, Header: map[string]string{"Authorization": "Bearer nope"}},
		"host-rebound":             {Host: "evil.example", NoAuth: true},
	} {
		res := c.do(r)
		if res.Status != http.StatusForbidden && res.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, res.Status)
		}
		golden.Check(t, "envelopes/"+name+".json", res.Body)
	}
}
