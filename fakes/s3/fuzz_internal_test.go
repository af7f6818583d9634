package s3

// White-box on purpose: the parsers are unexported, and fuzzing them
// directly is orders of magnitude faster than going through HTTP.

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// formatAuthorization is the inverse of parseAuthorization.
func formatAuthorization(c authClaim) string {
	return sigV4Algorithm + " Credential=" + c.Scope.String() + ", SignedHeaders=" + strings.Join(c.SignedHeaders, ";") + ", Signature=" + c.Signature
}

// checkParseError fails unless err is an S3 client error.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if e.Status != 400 && e.Status != 403 {
		t.Fatalf("error %v has status %d, want 400 or 403", err, e.Status)
	}
}

func checkClaim(t *testing.T, c authClaim) {
	t.Helper()
	if len(c.Signature) != 64 || strings.ToLower(c.Signature) != c.Signature {
		t.Fatalf("signature %q is not 64 lower-case hex digits", c.Signature)
	}
	if c.Scope.Service != "s3" || c.Scope.AccessKey == "" || strings.Contains(c.Scope.AccessKey, "/") {
		t.Fatalf("bad scope %+v", c.Scope)
	}
	host := false
	for _, h := range c.SignedHeaders {
		host = host || h == "host"
	}
	if !host {
		t.Fatalf("signed headers %q lack host", c.SignedHeaders)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + strings.Repeat("ab", 32),
		"AWS4-HMAC-SHA256 Credential=A/20240101/r/s3/aws4_request,SignedHeaders=host,Signature=" + strings.Repeat("0", 64),
		"AWS4-HMAC-SHA256 Credential=A/2024/r/s3/aws4_request, SignedHeaders=, Signature=zz",
		"AWS AKIDEXAMPLE:c2lnbmF0dXJl",
		"AWS4-HMAC-SHA256 ",
		"AWS4-HMAC-SHA256 Credential=a=b=c",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		c, err := parseAuthorization(header)
		if err != nil {
			checkParseError(t, err)
			return
		}
		checkClaim(t, c)
		again, err := parseAuthorization(formatAuthorization(c))
		if err != nil {
			t.Fatalf("re-parsing %q: %v", formatAuthorization(c), err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Fatalf("round trip mismatch (-first +again):\n%s", diff)
		}
	})
}

func FuzzParsePresignedQuery(f *testing.F) {
	for _, s := range []string{
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("ab", 32),
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=604801",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=x",
		"AWSAccessKeyId=AKID&Signature=abc&Expires=1",
		"X-Amz-Expires=-1&X-Amz-Date=2024",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c, err := parsePresignedQuery(q)
		if err != nil {
			checkParseError(t, err)
			return
		}
		checkClaim(t, c)
		if !c.Presigned || c.Expires <= 0 || c.Expires > MaxPresignExpiry || c.Date.IsZero() {
			t.Fatalf("bad presigned claim %+v", c)
		}
	})
}

// FuzzChunkedReader feeds arbitrary bodies to the aws-chunked decoder: it
// must not panic, must stop with an error or EOF, and must never yield more
// than the declared decoded length.
func FuzzChunkedReader(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), int64(5))
	f.Add([]byte("5;chunk-signature="+strings.Repeat("0", 64)+"\r\nhello\r\n0;chunk-signature="+strings.Repeat("0", 64)+"\r\n\r\n"), int64(5))
	f.Add([]byte("fffffffffffffff\r\n"), int64(1<<20))
	f.Add([]byte("0\r\n"), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, decoded int64) {
		if decoded < 0 || decoded > 1<<20 {
			return
		}
		for _, ident := range []*identity{nil, {AccessKey: "AKID", Secret: "s", Region: "us-east-1", Date: time.Unix(0, 0), Seed: make([]byte, 32)}} {
			r := newChunkedReader(bytes.NewReader(body), decoded, ident)
			out, err := io.ReadAll(io.LimitReader(r, decoded+1))
			if int64(len(out)) > decoded {
				t.Fatalf("decoded %d bytes, declared %d", len(out), decoded)
			}
			if err != nil {
				checkParseError(t, err)
			}
		}
	})
}
