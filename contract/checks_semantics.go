package contract

import (
	"bytes"
	"net/http"

	"github.com/recmock/recmock"
)

// articleSend is the vendor article's send example with notify off, so nothing is delivered
// to the article's addresses (site.com, b.com) should a recording complete during the run.
const articleSend = `{
"notify": false,
"url": "https://site.com/events",
"email": "a@b.com,b@c.com",
"s3Arn": "arn:aws:s3:region::folder_name/objectpath",
"s3AccessKeyId": "akewjdwifuendjf",
"s3SecretAccessKey": "iewmdfuasfwnwksd"
}`

// withoutSettingsChecks can only be asked of an account that has never had settings, so they
// run first; on any other account they are skipped.
func withoutSettingsChecks() []Check {
	return []Check{
		{
			ID:       "semantics.get-without-settings",
			Question: "Does GET on an account without settings answer status 0?",
			Run: func(t *T) {
				t.needNoSettings()
				t.expectRefused(t.get(), http.StatusNotFound)
			},
		},
		{
			ID:       "decision.get-without-settings-404",
			Question: "Is GET on an account without settings answered with HTTP 404?",
			Run: func(t *T) {
				t.needNoSettings()
				t.expectHTTP(t.get(), http.StatusNotFound)
			},
		},
		{
			ID:       "semantics.put-without-settings",
			Question: "Is PUT on an account without settings refused with status 0, creating none?",
			Writes:   true,
			Run: func(t *T) {
				t.needNoSettings()
				t.expectRefused(t.send(http.MethodPut, offBody), http.StatusNotFound)
				if res := t.get(); statusOf(res.Body) != recmock.StatusFailed {
					t.Errorf("after the PUT, GET answers HTTP %d with status %s: the PUT created settings", res.Status, orMissing(rawStatus(res.Body)))
				}
			},
		},
		{
			ID:       "decision.put-without-settings-404",
			Question: "Is PUT on an account without settings answered with HTTP 404?",
			Writes:   true,
			Run: func(t *T) {
				t.needNoSettings()
				t.expectHTTP(t.send(http.MethodPut, offBody), http.StatusNotFound)
			},
		},
		{
			ID:       "semantics.post-creates",
			Question: "Does POST on an account without settings create them, as GET then reads them?",
			Writes:   true,
			Run: func(t *T) {
				t.needNoSettings()
				const u, addr = hookURL + "?Created=POST&Sig=x%2Fy", "Ann.Lee+Rec@Example.com"
				post := t.expectSuccess(t.send(http.MethodPost, body("notify", 0, "url", u, "email", addr)))
				t.Diff("POST answer", want(post, recmock.Settings{URL: u, Email: []string{addr}}), post)
				t.Diff("GET after POST", post, t.expectSuccess(t.get()))
			},
		},
	}
}

func semanticsChecks() []Check {
	return []Check{
		{
			ID:       "semantics.post-on-existing-refused",
			Question: "Is POST on an account that has settings refused with status 0, changing nothing?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				before := t.get()
				t.expectRefused(t.send(http.MethodPost, `{"notify":false,"url":"`+hookURL+`?post"}`), http.StatusConflict)
				if after := t.get(); !bytes.Equal(before.Body, after.Body) {
					t.Diff("settings after POST on existing ones", string(before.Body), string(after.Body))
				}
			},
		},
		{
			ID:       "semantics.put-replaces-whole",
			Question: "Does PUT replace the whole setting, clearing every field it leaves out?",
			Writes:   true,
			Run: func(t *T) {
				t.expectSuccess(t.put(`{"notify":true,"url":"` + hookURL + `","email":"ann@example.com","s3Arn":"` + testARN + `","s3AccessKeyId":"` + testKeyID + `","s3SecretAccessKey":"` + testSecret + `"}`))
				s, _, _ := t.putOK(`{"notify":0}`)
				t.Diff("settings", want(s, recmock.Settings{}), s)
			},
		},
		{
			ID:       "semantics.refused-put-changes-nothing",
			Question: "Does a PUT with one invalid field among valid ones leave the settings as they were?",
			Writes:   true,
			Run: func(t *T) {
				t.putRefused(`{"notify":true,"url":"`+hookURL+`?refused","email":"not-an-address"}`, "email")
			},
		},
		{
			ID:       "semantics.article-example",
			Question: "Is the article's send example (with notify off) answered as the article's response example?",
			Writes:   true,
			Run: func(t *T) {
				s, _, _ := t.putOK(articleSend)
				t.Diff("settings", want(s, recmock.Settings{
					URL:   "https://site.com/events",
					Email: []string{"a@b.com", "b@c.com"},
					S3:    &recmock.S3Settings{ARN: "arn:aws:s3:region::folder_name/objectpath", AccessKeyID: "akewjdwifuendjf", SecretAccessKey: "iewmdfuasfwnwksd"},
				}), s)
			},
		},
	}
}
