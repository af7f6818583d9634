package s3_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// TestTLS: with a TLSConfig the fake serves HTTPS, and the AWS SDK, with an HTTP client that
// trusts the certificate, uploads, downloads and follows a presigned https:// link. The
// certificate is httptest's own, for 127.0.0.1, which its Client trusts.
func TestTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	defer ts.Close()
	srv := start(t, fakes3.Config{Strict: true, Credentials: testCreds, Buckets: []string{"rec"},
		TLSConfig: &tls.Config{Certificates: ts.TLS.Certificates}})
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https://127.0.0.1:port", srv.URL())
	}
	c := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL()),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testKey, testSecret, ""),
		HTTPClient:   ts.Client(),
	})
	put(t, c, "rec", "a.mp4", "video")
	if got := get(t, c, "rec", "a.mp4"); got != "video" {
		t.Errorf("GetObject = %q", got)
	}
	link, err := s3.NewPresignClient(c).PresignGetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String("a.mp4")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.URL, "https://") {
		t.Errorf("presigned %q, want https://", link.URL)
	}
	res, err := ts.Client().Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "video" {
		t.Errorf("presigned GET: %d %q", res.StatusCode, body)
	}
	// A plain-HTTP client reaches nothing but a refusal from the TLS server.
	if res, err := http.Get(strings.Replace(srv.URL(), "https", "http", 1) + "/rec/a.mp4"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the TLS port: %d, want 400", res.StatusCode)
		}
	}
}
