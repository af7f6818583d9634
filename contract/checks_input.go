package contract

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/recmock/recmock"
)

// notifyAccepted PUTs notify as sent, after setting the opposite value so a server that
// ignores the field cannot pass, and wants it answered and read back as a JSON boolean.
func notifyAccepted(sent string, want bool) func(t *T) {
	return func(t *T) {
		t.expectSuccess(t.put(fmt.Sprintf(`{"notify":%t}`, !want)))
		put := t.send(http.MethodPut, `{"notify":`+sent+`}`)
		get := t.get()
		// The raw values first: an answer that is not a boolean fails decoding below.
		for _, a := range answers(put, get) {
			if v := dataValue(a.res.Body, "notify"); v != want {
				t.Errorf("%s answered notify as %v, want the JSON boolean %t", a.name, v, want)
				t.Diff(a.name+" data.notify", want, v)
			}
		}
		s := t.expectSuccess(put)
		t.Diff("GET after PUT", s, t.expectSuccess(get))
	}
}

func notifyChecks() []Check {
	return []Check{
		{ID: "notify.accepts-true", Question: "Is notify sent as true answered as true?", Writes: true, Run: notifyAccepted("true", true)},
		{ID: "notify.accepts-false", Question: "Is notify sent as false answered as false?", Writes: true, Run: notifyAccepted("false", false)},
		{ID: "notify.accepts-1", Question: "Is notify sent as 1 answered as true?", Writes: true, Run: notifyAccepted("1", true)},
		{ID: "notify.accepts-0", Question: "Is notify sent as 0 answered as false?", Writes: true, Run: notifyAccepted("0", false)},
		{ID: "notify.required", Question: "Is a body without notify refused with status 0 naming notify?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"url":"`+hookURL+`"}`, "notify") }},
		{ID: "notify.string-refused", Question: `Is notify sent as the string "true" refused with status 0 naming notify?`, Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":"true"}`, "notify") }},
		{ID: "notify.out-of-range-refused", Question: "Is notify sent as 2 refused with status 0 naming notify?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":2}`, "notify") }},
		{ID: "notify.null-refused", Question: "Is notify sent as null refused with status 0 naming notify?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":null}`, "notify") }},
	}
}

func urlChecks() []Check {
	return []Check{
		{
			ID:       "url.accepts-https",
			Question: "Is an https URL answered and read back exactly as sent?",
			Writes:   true,
			Run:      urlEcho(hookURL + "?token=abc&x=1"),
		},
		{
			ID:       "url.case-kept",
			Question: "Is a URL with upper-case letters and escapes in its path and query answered and read back exactly as sent, not lower-cased or re-encoded?",
			Writes:   true,
			Run:      urlEcho(hookURL + "/CamelCase/%7EUser?Token=AbC&Mode=UPPER%2Flower%2fMixed&Q=a+b~C"),
		},
		{
			ID:       "url.max-length",
			Question: "Is a URL of 2048 characters, the longest allowed, answered and read back whole?",
			Writes:   true,
			Run:      urlEcho(maxURL),
		},
		{
			ID:       "url.omitted-when-empty",
			Question: `Is url left out of the answer (not "" or null) once it is sent empty, or not sent?`,
			Writes:   true,
			Run: func(t *T) {
				for _, body := range []string{`{"notify":false,"url":""}`, `{"notify":false}`} {
					t.expectSuccess(t.put(`{"notify":false,"url":"` + hookURL + `"}`))
					_, put, get := t.putOK(body)
					for _, a := range answers(put, get) {
						t.diffAbsent(a, "url", "PUT "+body)
					}
				}
			},
		},
		{ID: "url.scheme-refused", Question: "Is a URL that is not http or https (ftp://) refused with status 0 naming url?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":false,"url":"ftp://contract.recmock.invalid/hook"}`, "url") }},
		{ID: "url.relative-refused", Question: "Is a URL without a scheme (host/path) refused with status 0 naming url?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":false,"url":"contract.recmock.invalid/hook"}`, "url") }},
	}
}

// urlEcho PUTs a URL and wants it answered and read back exactly as sent.
func urlEcho(u string) func(t *T) {
	return func(t *T) {
		s, _, _ := t.putOK(body("notify", false, "url", u))
		t.Diff("settings", want(s, recmock.Settings{URL: u}), s)
	}
}

// emailSplit PUTs an email string and wants it answered and read back as addrs.
func emailSplit(sent string, addrs ...string) func(t *T) {
	return func(t *T) {
		s, _, _ := t.putOK(body("notify", false, "email", sent))
		t.Diff("email", addrs, s.Email)
	}
}

func emailChecks() []Check {
	hundred, hundredAddrs := maxEmails(recmock.MaxEmails)
	return []Check{
		{ID: "email.split-commas", Question: `Is "Ann.Lee+Rec@Example.com,bob@example.org" answered as an array of the two addresses, as written?`, Writes: true,
			Run: emailSplit("Ann.Lee+Rec@Example.com,bob@example.org", "Ann.Lee+Rec@Example.com", "bob@example.org")},
		{ID: "email.split-mixed-separators", Question: "Are commas, semicolons and spaces, in any mix, all taken as separators, the order kept?", Writes: true,
			Run: emailSplit("Eve@Example.org; bob@EXAMPLE.org  Cy.Lee+rec@example.net,ann@example.com ;Dee_O'Brien@Example.com",
				"Eve@Example.org", "bob@EXAMPLE.org", "Cy.Lee+rec@example.net", "ann@example.com", "Dee_O'Brien@Example.com")},
		{ID: "email.duplicates-dropped", Question: "Are repeated addresses dropped, in the order they first appear?", Writes: true,
			Run: emailSplit("bob@example.org,Ann@Example.com;bob@example.org Cy@Example.net,Ann@Example.com", "bob@example.org", "Ann@Example.com", "Cy@Example.net")},
		{ID: "email.duplicates-ignore-case", Question: "Are addresses that differ only in case taken as one, the first one kept as written?", Writes: true,
			Run: emailSplit("Ann.Lee@Example.com; ann.lee@example.COM, BOB@example.org,Bob@Example.Org ANN.LEE@EXAMPLE.COM",
				"Ann.Lee@Example.com", "BOB@example.org")},
		{ID: "email.max-length", Question: "Is an address of 254 characters, with a 64-character local part of unusual but valid characters, answered whole?", Writes: true,
			Run: emailSplit(maxEmail, maxEmail)},
		{ID: "email.max-count", Question: fmt.Sprintf("Are %d addresses, the most allowed, all answered in order?", recmock.MaxEmails), Writes: true,
			Run: emailSplit(hundred, hundredAddrs...)},
		{
			ID:       "email.empty-array",
			Question: "Is email answered as [] (not left out or null) when no address is set?",
			Writes:   true,
			Run: func(t *T) {
				t.expectSuccess(t.put(`{"notify":false,"email":"ann@example.com"}`))
				for _, body := range []string{`{"notify":false,"email":""}`, `{"notify":false}`} {
					put := t.put(body)
					get := t.get()
					for _, a := range answers(put, get) {
						if raw, _ := dataField(a.res.Body, "email"); string(raw) != "[]" {
							t.Errorf("after PUT %s, %s answers email as %s, want []", body, a.name, orMissing(raw))
							t.Diff(a.name+" data.email", []any{}, dataValue(a.res.Body, "email"))
						}
					}
					t.Diff("GET after PUT", t.expectSuccess(put), t.expectSuccess(get))
				}
			},
		},
		{ID: "email.invalid-refused", Question: "Is an invalid address among valid ones refused with status 0 naming email?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":false,"email":"Ann@Example.com,not-an-address"}`, "email") }},
		{ID: "email.array-refused", Question: "Is email sent as a JSON array, not a string, refused with status 0 naming email?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":false,"email":["ann@example.com"]}`, "email") }},
	}
}

// s3Body is a PUT body with the given S3 fields; an empty value leaves the field out.
func s3Body(arn, keyID, secret string) string {
	pairs := []any{"notify", false}
	for _, f := range [][2]string{{"s3Arn", arn}, {"s3AccessKeyId", keyID}, {"s3SecretAccessKey", secret}} {
		if f[1] != "" {
			pairs = append(pairs, f[0], f[1])
		}
	}
	return body(pairs...)
}

func s3Checks() []Check {
	full := s3Body(testARN, testKeyID, testSecret)
	return []Check{
		{
			ID:       "s3.nested-when-set",
			Question: "Are the three S3 fields sent flat answered nested in s3Settings, the secret included?",
			Writes:   true,
			Run: func(t *T) {
				s, _, _ := t.putOK(full)
				t.Diff("settings", want(s, recmock.Settings{S3: &recmock.S3Settings{ARN: testARN, AccessKeyID: testKeyID, SecretAccessKey: testSecret}}), s)
			},
		},
		{
			ID:       "s3.max-lengths",
			Question: "Are S3 settings at their longest (a 63-character bucket, a 256-character key ID and secret) answered whole?",
			Writes:   true,
			Run: func(t *T) {
				s, _, _ := t.putOK(s3Body(maxS3ARN, maxS3KeyID, maxS3Secret))
				t.Diff("settings", want(s, recmock.Settings{S3: &recmock.S3Settings{ARN: maxS3ARN, AccessKeyID: maxS3KeyID, SecretAccessKey: maxS3Secret}}), s)
			},
		},
		{
			ID:       "s3.omitted-when-absent",
			Question: "Is s3Settings left out of the answer (not null or empty) when no S3 settings are set?",
			Writes:   true,
			Run: func(t *T) {
				t.expectSuccess(t.put(full))
				_, put, get := t.putOK(`{"notify":false}`)
				for _, a := range answers(put, get) {
					t.diffAbsent(a, "s3Settings", `PUT {"notify":false}`)
				}
			},
		},
		{ID: "s3.partial-refused", Question: "Is s3Arn without the two keys refused with status 0 naming the missing fields?", Writes: true,
			Run: func(t *T) { t.putRefused(s3Body(testARN, "", ""), "s3AccessKeyId", "s3SecretAccessKey") }},
		{ID: "s3.keys-without-arn-refused", Question: "Are the two S3 keys without s3Arn refused with status 0 naming s3Arn?", Writes: true,
			Run: func(t *T) { t.putRefused(s3Body("", testKeyID, testSecret), "s3Arn") }},
		{ID: "s3.bad-arn-refused", Question: "Is an s3Arn of another service (arn:aws:sqs:...) refused with status 0 naming s3Arn?", Writes: true,
			Run: func(t *T) { t.putRefused(s3Body("arn:aws:sqs:::recmock-contract", testKeyID, testSecret), "s3Arn") }},
		{ID: "s3.bad-bucket-refused", Question: "Is an s3Arn whose bucket name is invalid (upper case) refused with status 0 naming s3Arn?", Writes: true,
			Run: func(t *T) { t.putRefused(s3Body("arn:aws:s3:::Recmock-Contract", testKeyID, testSecret), "s3Arn") }},
		{
			ID:       "s3.article-arn-accepted",
			Question: "Is the article's own example s3Arn (arn:aws:s3:region::folder_name/objectpath) accepted?",
			Writes:   true,
			Run: func(t *T) {
				const arn = "arn:aws:s3:region::folder_name/objectpath"
				s, _, _ := t.putOK(s3Body(arn, testKeyID, testSecret))
				t.Diff("settings", want(s, recmock.Settings{S3: &recmock.S3Settings{ARN: arn, AccessKeyID: testKeyID, SecretAccessKey: testSecret}}), s)
			},
		},
	}
}

func inputChecks() []Check {
	return []Check{
		{ID: "input.unknown-field-refused", Question: "Is a misspelt field (emails) refused with status 0 naming it?", Writes: true,
			Run: func(t *T) { t.putRefused(`{"notify":false,"emails":"ann@example.com"}`, "emails") }},
		{ID: "input.nested-s3settings-refused", Question: "Is s3Settings sent nested, as GET answers it, refused with status 0?", Writes: true,
			Run: func(t *T) {
				t.putRefused(`{"notify":false,"s3Settings":{"s3Arn":"`+testARN+`","s3AccessKeyId":"`+testKeyID+`","s3SecretAccessKey":"`+testSecret+`"}}`, "s3Settings")
			}},
		{ID: "input.not-json-refused", Question: "Is a body that is not JSON refused with status 0?", Writes: true,
			Run: func(t *T) { t.putRefused(`notify=true`) }},
		{
			ID:       "input.text-plain-refused",
			Question: "Is a JSON body declared as Content-Type text/plain refused with status 0?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectRefused(t.Do(textPlain()), http.StatusUnsupportedMediaType)
			},
		},
		{
			ID:       "input.too-large-refused",
			Question: "Is a 2 MiB body refused with status 0?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectRefused(t.Do(tooLarge()), http.StatusRequestEntityTooLarge)
			},
		},
	}
}

func textPlain() Request {
	return Request{Method: http.MethodPut, Body: `{"notify":false}`, Header: http.Header{"Content-Type": {"text/plain"}}}
}

// tooLarge is a PUT of a valid body padded to 2 MiB, twice recmock's 1 MiB limit.
func tooLarge() Request {
	return Request{Method: http.MethodPut, Body: `{"notify":false,"email":"` + strings.Repeat(" ", 2<<20) + `"}`}
}
