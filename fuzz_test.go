package recmock_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recmock/recmock"
)

// FuzzDecodeSettingsInput: any body decodes or fails with an invalid-input error naming a
// field; what decodes either yields settings or fails the same way. Nothing panics.
func FuzzDecodeSettingsInput(f *testing.F) {
	for _, s := range []string{`{"notify":true}`, `{"notify":1,"email":"a@b.com;b@c.com"}`, `{"notify":0,"s3Arn":"arn:aws:s3:::b/p","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`, `{"notify":true,"url":"http://x"}`, `[]`, `{"notify":"1"}`, `{"x":1}`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := recmock.DecodeSettingsInput(body)
		if err != nil {
			checkInvalid(t, err)
			return
		}
		s, err := in.Settings("u")
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
	})
}

func checkInvalid(t *testing.T, err error) {
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
