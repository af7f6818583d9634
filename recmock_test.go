package recmock_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
)

func TestSpecYAMLIsTheFile(t *testing.T) {
	file, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, recmock.SpecYAML()) {
		t.Error("SpecYAML differs from openapi.yaml")
	}
	doc, err := recmock.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q, want 3.0.3 (3.1 validates ~30x slower in kin-openapi)", doc.OpenAPI)
	}
	for _, m := range []string{"post", "put"} {
		op := doc.Paths.Value("/rest/recording/notifications").GetOperation(strings.ToUpper(m))
		cb := op.Callbacks["recordingCompleted"]
		if cb == nil || cb.Value == nil || cb.Value.Value("{$request.body#/url}") == nil {
			t.Errorf("%s has no recordingCompleted callback on {$request.body#/url}", m)
		}
	}
}

func TestSplitEmails(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		invalid int
	}{
		{"", []string{}, 0},
		{"a@b.com", []string{"a@b.com"}, 0},
		{"a@b.com,b@c.com", []string{"a@b.com", "b@c.com"}, 0},
		{"a@b.com; b@c.com  c@d.com", []string{"a@b.com", "b@c.com", "c@d.com"}, 0},
		{",;a@b.com;;,\t\nb@c.com,", []string{"a@b.com", "b@c.com"}, 0},
		{"a@b.com A@B.COM a@b.com", []string{"a@b.com"}, 0},
		{"first.last+tag@sub.example.co.uk", []string{"first.last+tag@sub.example.co.uk"}, 0},
		{"x", []string{}, 1},
		{"a@b.com x@ @y.com a@b", []string{"a@b.com"}, 3},
		{"<a@b.com>", []string{}, 1},
		{"a@b.com.", []string{}, 1},
		{strings.Repeat("a", 250) + "@b.com", []string{}, 1},
	}
	for _, tt := range tests {
		got, errs := recmock.SplitEmails(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("SplitEmails(%q) (-want +got):\n%s", tt.in, diff)
		}
		if len(errs) != tt.invalid {
			t.Errorf("SplitEmails(%q): %d errors %v, want %d", tt.in, len(errs), errs, tt.invalid)
		}
		for _, e := range errs {
			if e.Field != "email" {
				t.Errorf("error names field %q, want email", e.Field)
			}
		}
	}
}

func TestParseS3ARN(t *testing.T) {
	tests := []struct {
		arn     string
		want    recmock.S3Location
		wantErr string
	}{
		{arn: "arn:aws:s3:::bucket", want: recmock.S3Location{Partition: "aws", Bucket: "bucket"}},
		{arn: "arn:aws:s3:region::folder_name/objectpath", want: recmock.S3Location{Partition: "aws", Region: "region", Bucket: "folder_name", Prefix: "objectpath"}},
		{arn: "arn:aws:s3:us-east-1:123456789012:my.bucket/a/b/", want: recmock.S3Location{Partition: "aws", Region: "us-east-1", AccountID: "123456789012", Bucket: "my.bucket", Prefix: "a/b"}},
		{arn: "arn:aws-us-gov:s3:::b-1", want: recmock.S3Location{Partition: "aws-us-gov", Bucket: "b-1"}},
		{arn: "bucket", wantErr: "is not an ARN"},
		{arn: "arn:aws:s3:::", wantErr: "must name a bucket"},
		{arn: "arn:aws:s3:::/prefix", wantErr: "must name a bucket"},
		{arn: "arn:aws:iam:::bucket", wantErr: `service "iam" is not s3`},
		{arn: "arn:azure:s3:::bucket", wantErr: "partition"},
		{arn: "arn:aws:s3:US_EAST:123:bucket", wantErr: "region"},
		{arn: "arn:aws:s3::12ab:bucket", wantErr: "account ID"},
		{arn: "arn:aws:s3:::Bucket", wantErr: "lower-case"},
		{arn: "arn:aws:s3:::b", wantErr: "3 to 63"},
		{arn: "arn:aws:s3:::" + strings.Repeat("b", 64), wantErr: "3 to 63"},
		{arn: "arn:aws:s3:::10.0.0.1", wantErr: "IP address"},
		{arn: "arn:aws:s3:::a..b", wantErr: "two dots"},
		{arn: "arn:aws:s3:::-ab", wantErr: "start and end"},
	}
	for _, tt := range tests {
		got, err := recmock.ParseS3ARN(tt.arn)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseS3ARN(%q) error %v, want one containing %q", tt.arn, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseS3ARN(%q): %v", tt.arn, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseS3ARN(%q) (-want +got):\n%s", tt.arn, diff)
		}
	}
	loc, _ := recmock.ParseS3ARN("arn:aws:s3:::bkt/p/q")
	if got := loc.Key("m.mp4"); got != "p/q/m.mp4" {
		t.Errorf("Key: %q", got)
	}
	loc, _ = recmock.ParseS3ARN("arn:aws:s3:::bkt")
	if got := loc.Key("m.mp4"); got != "m.mp4" {
		t.Errorf("Key without prefix: %q", got)
	}
}

func TestParseAccount(t *testing.T) {
	got, err := recmock.ParseAccount("acme:key:sec:ret")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recmock.Account{Username: "acme", APIKey: "key", Secret: "sec:ret"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "acme", "acme:key", "acme:key:", ":key:secret", "acme::secret"} {
		_, err := recmock.ParseAccount(bad)
		if err == nil {
			t.Errorf("ParseAccount(%q) accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "secret") && strings.Contains(bad, "secret") && !strings.Contains(err.Error(), "***") {
			t.Errorf("ParseAccount(%q) error shows the secret: %v", bad, err)
		}
	}
}

func TestErrorEnvelope(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		want       recmock.Envelope
	}{
		{"invalid", recmock.Invalid(recmock.FieldError{Field: "url", Message: "bad"}), 400,
			recmock.Envelope{Status: 0, Content: recmock.Content{Message: "invalid input: url: bad", Errors: []recmock.FieldError{{Field: "url", Message: "bad"}}}}},
		{"unauthorized is -1", &recmock.Error{Code: recmock.CodeUnauthorized, Message: "no"}, 401,
			recmock.Envelope{Status: -1, Content: recmock.Content{Message: "not authorized: no"}}},
		{"wrapped", errors.Join(errors.New("ctx"), recmock.Errorf(recmock.CodeConflict, "exists")), 409,
			recmock.Envelope{Status: 0, Content: recmock.Content{Message: "conflict: exists"}}},
		{"unclassified errors hide their text", errors.New("db password is hunter2"), 500,
			recmock.Envelope{Status: 0, Content: recmock.Content{Message: "internal error: the request could not be completed"}}},
	}
	for _, tt := range tests {
		status, env := recmock.ErrorEnvelope(tt.err)
		if status != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, status, tt.wantStatus)
		}
		if diff := cmp.Diff(tt.want, env); diff != "" {
			t.Errorf("%s: envelope (-want +got):\n%s", tt.name, diff)
		}
	}
	cause := errors.New("cause")
	e := recmock.Errorf(recmock.CodeInternal, "wrapping: %w", cause)
	if !errors.Is(e, cause) {
		t.Error("Errorf with %w does not unwrap to its cause")
	}
	for code, status := range map[recmock.Code]int{recmock.CodeForbidden: 403, recmock.CodeMethodNotAllowed: 405, recmock.CodeTooLarge: 413, recmock.CodeMediaType: 415, recmock.CodeNotImplemented: 501, recmock.CodeBadGateway: 502, recmock.CodeGatewayTimeout: 504, "nonsense": 500} {
		if got := code.HTTPStatus(); got != status {
			t.Errorf("%s.HTTPStatus() = %d, want %d", code, got, status)
		}
	}
}
