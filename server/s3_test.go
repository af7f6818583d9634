package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/recmock/recmock/server"
	"github.com/recmock/recmock/simulator"
)

func start(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestBuiltinS3KeyLimitedToDefaultBucket: in strict mode the key recmock prints on
// start writes and reads the default bucket only; the user's own keys go everywhere.
func TestBuiltinS3KeyLimitedToDefaultBucket(t *testing.T) {
	srv := start(t, server.Config{S3Strict: true, S3Credentials: map[string]string{"mine": "my-secret"}})
	ctx := context.Background()
	builtin := srv.S3.Client(simulator.DefaultAccessKey, simulator.DefaultSecretKey)
	mine := srv.S3.Client("mine", "my-secret")
	putObj := func(c *s3.Client, bucket string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v")})
		return err
	}

	if err := putObj(builtin, server.DefaultBucket); err != nil {
		t.Errorf("built-in key, default bucket: %v", err)
	}
	if _, err := builtin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(server.DefaultBucket), Key: aws.String("k")}); err != nil {
		t.Errorf("built-in key reading the default bucket: %v", err)
	}
	if _, err := mine.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	if err := putObj(mine, "other"); err != nil {
		t.Errorf("user key, another bucket: %v", err)
	}
	if err := putObj(mine, server.DefaultBucket); err != nil {
		t.Errorf("user key, default bucket: %v", err)
	}
	if got := s3Code(putObj(builtin, "other")); got != "AccessDenied" {
		t.Errorf("built-in key writing another bucket: code %q, want AccessDenied", got)
	}
	_, err := builtin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other"), Key: aws.String("k")})
	if got := s3Code(err); got != "AccessDenied" {
		t.Errorf("built-in key reading another bucket: code %q, want AccessDenied", got)
	}

	if _, err := server.Start(server.Config{S3Strict: true, S3Credentials: map[string]string{simulator.DefaultAccessKey: "x"}}); err == nil {
		t.Errorf("Start accepted S3 credentials that reuse the built-in key")
	}
}

// TestS3AllowsTheDashboard: the fake S3 answers CORS for the dashboard's origin and
// the origins configured, and refuses others.
func TestS3AllowsTheDashboard(t *testing.T) {
	srv := start(t, server.Config{S3CORSOrigins: []string{"http://app.test:3000"}})
	localhost := strings.Replace(srv.URL(), "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{srv.URL(), http.StatusOK},
		{localhost, http.StatusOK},
		{"http://app.test:3000", http.StatusOK},
		{"http://evil.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("OPTIONS", srv.S3.URL()+"/"+server.DefaultBucket+"/k", nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		allowed := res.Header.Get("Access-Control-Allow-Origin")
		if res.StatusCode != tc.want || (tc.want == http.StatusOK) != (allowed == tc.origin) {
			t.Errorf("preflight from %s: %d, Access-Control-Allow-Origin %q; want %d", tc.origin, res.StatusCode, allowed, tc.want)
		}
	}
}
