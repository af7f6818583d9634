package recmock_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
)

// FuzzParseSettings: any JSON body yields settings or an invalid-input error naming its fields;
// accepted settings are valid, and their Input stores them again unchanged. Nothing panics.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{`{"notify":true}`, `{"notify":1,"email":"a@b.com;b@c.com"}`, `{"notify":0,"s3Arn":"arn:aws:s3:::b/p","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`, `{"notify":true,"url":"http://x"}`, `[]`, `{"notify":"1"}`, `{"x":1}`, `{"notify":true,"s3Arn":5}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, ok := decode(body)
		if !ok {
			return
		}
		s, err := recmock.ParseSettings(v, "u")
		if err != nil {
			checkInvalid(t, err)
			return
		}
		if s.Email == nil || s.Username != "u" {
			t.Fatalf("settings %+v: email must be non-nil and username set", s)
		}
		if s.S3 != nil {
			if _, err := recmock.ParseS3ARN(s.S3.ARN); err != nil {
				t.Fatalf("accepted ARN %q does not parse: %v", s.S3.ARN, err)
			}
		}
		again, err := json.Marshal(s.Input())
		if err != nil {
			t.Fatal(err)
		}
		v, _ = decode(again)
		got, err := recmock.ParseSettings(v, "u")
		if err != nil {
			t.Fatalf("%s: the Input of accepted settings is refused: %v", again, err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("%s: stored again differently (-want +got):\n%s", again, diff)
		}
	})
}

// decode reads a body as the API does: one JSON value, numbers as json.Number.
func decode(b []byte) (any, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return v, dec.Decode(&v) == nil
}

// FuzzRedactBody: whatever the body, a secret member's value never survives redaction, however
// its name is cased or escaped, and everything else is kept.
func FuzzRedactBody(f *testing.F) {
	f.Add("s3SecretAccessKey", "hunter2-secret", "other", "value", false)
	f.Add("S3SECRETACCESSKEY", "hunter2-secret", "url", "http://x", true)
	f.Fuzz(func(t *testing.T, name, secret, key, value string, escape bool) {
		recmock.RedactBody([]byte(name + secret + key + value)) // any text: no panic
		if !recmock.IsSecret(name) || len(secret) < 4 || strings.Contains(name+key+value, secret) || recmock.IsSecret(key) || key == name || !utf8.ValidString(key) || !utf8.ValidString(value) {
			return
		}
		nameJSON, _ := json.Marshal(name)
		if escape { // write the name's first letter as a \u escape
			nameJSON = []byte(fmt.Sprintf(`"\u%04x%s`, name[0], nameJSON[2:]))
		}
		doc := map[string]any{key: value}
		keyJSON, _ := json.Marshal(key)
		secretJSON, _ := json.Marshal(secret)
		valueJSON, _ := json.Marshal(value)
		body := fmt.Sprintf(`{%s:%s,%s:{"nested":[%s]}}`, keyJSON, valueJSON, nameJSON, secretJSON)
		got := recmock.RedactBody([]byte(body))
		var back map[string]any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("RedactBody(%s) = %s: no longer JSON: %v", body, got, err)
		}
		if back[name] != recmock.Redacted {
			t.Fatalf("RedactBody(%s) = %s: the secret survived", body, got)
		}
		if back[key] != doc[key] {
			t.Fatalf("RedactBody(%s) = %s: changed %s", body, got, key)
		}
	})
}

func checkInvalid(t testing.TB, err error) {
	t.Helper()
	var e *recmock.Error
	if !errors.As(err, &e) || e.Code != recmock.CodeInvalid || len(e.Fields) == 0 {
		t.Fatalf("error %v is not an invalid-input error naming a field", err)
	}
	for _, f := range e.Fields {
		if f.Field == "" || f.Message == "" {
			t.Fatalf("field error %+v names no field or rule", f)
		}
	}
}

// FuzzSplitEmails: every address kept is valid, unique, and was in the input.
func FuzzSplitEmails(f *testing.F) {
	for _, s := range []string{"a@b.com", "a@b.com; b@c.com  c@d.com", "x", "", ",,;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _ := recmock.SplitEmails(s)
		seen := map[string]bool{}
		for _, a := range got {
			if !strings.Contains(s, a) || seen[strings.ToLower(a)] {
				t.Fatalf("SplitEmails(%q) = %q: %q is duplicated or was not sent", s, got, a)
			}
			seen[strings.ToLower(a)] = true
			if again, errs := recmock.SplitEmails(a); len(errs) != 0 || len(again) != 1 {
				t.Fatalf("kept address %q does not validate alone: %v", a, errs)
			}
		}
	})
}

// FuzzParseS3ARN: a parsed ARN's bucket is a valid bucket and the location round-trips.
func FuzzParseS3ARN(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::bucket", "arn:aws:s3:region::folder_name/objectpath", "arn:aws:s3:::", "arn:aws:s3:us-east-1:123456789012:b.c/d/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := recmock.ParseS3ARN(s)
		if err != nil {
			return
		}
		if len(loc.Bucket) < 3 || len(loc.Bucket) > 63 || strings.ContainsAny(loc.Bucket, "/:") {
			t.Fatalf("ParseS3ARN(%q) accepted bucket %q", s, loc.Bucket)
		}
		if strings.HasPrefix(loc.Prefix, "/") || strings.HasSuffix(loc.Prefix, "/") {
			t.Fatalf("prefix %q has outer slashes", loc.Prefix)
		}
	})
}
