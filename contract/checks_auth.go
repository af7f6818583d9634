package contract

import (
	"bytes"
	"net/http"
)

func authChecks() []Check {
	return []Check{
		{
			ID:       "auth.missing-credentials",
			Question: "Is a GET without credentials answered with status -1 and no data?",
			Run: func(t *T) {
				t.expectUnauthorized(t.Do(Request{Auth: AuthNone}))
			},
		},
		{
			ID:       "auth.wrong-secret",
			Question: "Is a GET with the apiKey and a wrong secret answered with status -1?",
			Run: func(t *T) {
				if t.r.cfg.APIKey == "" {
					t.Skipf("needs --basic key:secret to know an apiKey")
				}
				t.expectUnauthorized(t.Do(Request{Auth: AuthWrongSecret}))
			},
		},
		{
			ID:       "auth.unknown-key",
			Question: "Is a GET with an apiKey no account has answered with status -1?",
			Run: func(t *T) {
				t.expectUnauthorized(t.Do(Request{Auth: AuthUnknownKey}))
			},
		},
		{
			ID:       "auth.bearer-refused",
			Question: "Is a GET with an unknown Bearer token instead of credentials answered with status -1?",
			Run: func(t *T) {
				t.expectUnauthorized(t.Do(Request{Auth: AuthNone, Header: http.Header{"Authorization": {"Bearer recmock-contract-invalid-token"}}}))
			},
		},
		{
			ID:       "auth.put-without-credentials",
			Question: "Is a PUT without credentials refused with status -1, changing nothing?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				before := t.get()
				t.expectUnauthorized(t.Do(Request{Method: http.MethodPut, Auth: AuthNone, Body: `{"notify":true,"url":"` + hookURL + `?unauthenticated"}`}))
				if after := t.get(); !bytes.Equal(before.Body, after.Body) {
					t.Diff("settings after an unauthenticated PUT", string(before.Body), string(after.Body))
				}
			},
		},
		{
			ID:       "auth.before-validation",
			Question: "Is a POST without credentials and with an invalid body answered with status -1, not 0?",
			Writes:   true,
			Run: func(t *T) {
				t.expectUnauthorized(t.Do(Request{Method: http.MethodPost, Auth: AuthNone, Body: `{"emails":1}`}))
			},
		},
	}
}
