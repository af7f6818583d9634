package contract

import (
	"bytes"
	"encoding/base64"
	"net/http"

	"github.com/recmock/recmock"
)

// accountChecks ask whether two accounts are kept apart: what one reads, what one writes and
// which credentials open which. They need a second account (Config.OtherAPIKey).
func accountChecks() []Check {
	return []Check{
		{
			ID:       "accounts.own-username",
			Question: "Does each account's data name its own username (--username, --other-username), the two accounts different ones?",
			Run: func(t *T) {
				other := t.needOther()
				t.needSettings()
				t.needSettingsOf(other)
				// Do holds every answer to its account's username, given or pinned; what is
				// left is that the two differ.
				mine := t.expectSuccess(t.get())
				theirs := t.expectSuccess(t.getAs(other))
				if mine.Username == theirs.Username {
					t.Errorf("both accounts' data name %q: one account is answered as the other", mine.Username)
				}
			},
		},
		{
			ID:       "accounts.reads-isolated",
			Question: "Does each account read back its own last write, never the other account's?",
			Writes:   true,
			Run: func(t *T) {
				other := t.needOther()
				mine := body("notify", true, "url", hookURL+"/Main?Account=Main", "email", "Main.Account+Rec@Example.com")
				theirs := body("notify", false, "url", hookURL+"/Other?Account=Other", "email", "Other.Account+Rec@Example.org",
					"s3Arn", testARN, "s3AccessKeyId", testKeyID, "s3SecretAccessKey", testSecret)
				a := t.expectSuccess(t.putAs(t.r.accts[0], mine))
				b := t.expectSuccess(t.putAs(other, theirs))
				t.Diff("the account's GET after the other account's PUT", a, t.expectSuccess(t.get()))
				t.Diff("the other account's GET after both PUTs", b, t.expectSuccess(t.getAs(other)))
			},
		},
		{
			ID:       "accounts.writes-isolated",
			Question: "Do writes to one account, accepted or refused, leave the other's settings byte for byte as they were?",
			Writes:   true,
			Run: func(t *T) {
				other := t.needOther()
				accts := []*account{t.r.accts[0], other}
				for i, from := range accts {
					to := accts[1-i]
					t.needSettingsOf(to)
					t.needSettingsOf(from)
					before := t.getAs(to)
					t.expectSuccess(t.putAs(from, body("notify", true, "url", hookURL+"/Isolated?From=Other", "email", "Writes.Isolated@Example.com")))
					t.expectRefused(t.Do(Request{Method: http.MethodPut, Auth: from.auth, Body: body("notify", false, "email", "not-an-address")}), http.StatusBadRequest, "email")
					t.expectRefused(t.Do(Request{Method: http.MethodPost, Auth: from.auth, Body: body("notify", true, "url", hookURL+"/Isolated?Post=1")}), http.StatusConflict)
					if after := t.getAs(to); !bytes.Equal(before.Body, after.Body) {
						t.Errorf("writes as %s changed what GET answers %s", from.label, to.label)
						t.Diff("settings of "+to.label, string(before.Body), string(after.Body))
					}
				}
			},
		},
		{
			ID:       "accounts.crossed-credentials-refused",
			Question: "Is one account's apiKey sent with the other account's secret refused with status -1?",
			Run: func(t *T) {
				other := t.needOther()
				main := t.r.accts[0]
				if main.key == "" {
					t.Skipf("needs --basic key:secret to know the account's apiKey")
				}
				for _, pair := range [][2]string{{main.key, other.secret}, {other.key, main.secret}} {
					basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(pair[0]+":"+pair[1]))
					res := t.Do(Request{Auth: AuthNone, Header: http.Header{"Authorization": {basic}}})
					if statusOf(res.Body) == recmock.StatusSuccess {
						t.Errorf("apiKey %s with the other account's secret was answered with settings", pair[0])
					}
					t.expectUnauthorized(res)
				}
			},
		},
	}
}

// needOther is the second account; without one, the check is skipped.
func (t *T) needOther() *account {
	other := t.r.other()
	if other == nil {
		t.Skipf("needs a second account: --other-basic KEY:SECRET")
	}
	return other
}

// getAs reads an account's settings.
func (t *T) getAs(a *account) *Response { return t.Do(Request{Auth: a.auth}) }

// putAs replaces an account's settings with body, creating some first when it has none.
func (t *T) putAs(a *account, body string) *Response {
	t.needSettingsOf(a)
	return t.Do(Request{Method: http.MethodPut, Body: body, Auth: a.auth})
}
