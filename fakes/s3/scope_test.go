package s3_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

const (
	scopedKey    = "recmock"
	scopedSecret = "recmock-secret"
)

// TestCredentialBuckets: a key limited to some buckets works there and gets
// AccessDenied anywhere else, whatever the operation; an unlimited key works
// everywhere.
func TestCredentialBuckets(t *testing.T) {
	srv := start(t, fakes3.Config{
		Strict:            true,
		Credentials:       map[string]string{testKey: testSecret, scopedKey: scopedSecret},
		CredentialBuckets: map[string][]string{scopedKey: {"recordings"}},
		Buckets:           []string{"recordings", "private"},
	})
	ctx := context.Background()
	user, scoped := srv.Client(testKey, testSecret), srv.Client(scopedKey, scopedSecret)
	put(t, user, "private", "secret.txt", "not for the built-in key")

	put(t, scoped, "recordings", "a.mp4", "recording")
	if got := get(t, scoped, "recordings", "a.mp4"); got != "recording" {
		t.Errorf("scoped key reading its bucket: %q", got)
	}
	presigned, err := s3.NewPresignClient(scoped).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("recordings"), Key: aws.String("a.mp4")})
	if err != nil {
		t.Fatal(err)
	}
	if res := do(t, "GET", presigned.URL, nil, nil); res.Status != http.StatusOK || res.Body != "recording" {
		t.Errorf("presigned GET in its bucket: %d %s", res.Status, res.Body)
	}

	denied := []struct {
		name string
		call func() error
	}{
		{"PutObject", func() error {
			_, err := scoped.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("private"), Key: aws.String("x"), Body: strings.NewReader("x")})
			return err
		}},
		{"GetObject", func() error {
			_, err := scoped.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("private"), Key: aws.String("secret.txt")})
			return err
		}},
		{"DeleteObject", func() error {
			_, err := scoped.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("private"), Key: aws.String("secret.txt")})
			return err
		}},
		{"ListObjectsV2", func() error {
			_, err := scoped.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("private")})
			return err
		}},
		{"ListBuckets", func() error {
			_, err := scoped.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
		{"CreateBucket", func() error {
			_, err := scoped.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mine")})
			return err
		}},
		{"CopyObject from another bucket", func() error {
			_, err := scoped.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("recordings"), Key: aws.String("stolen"), CopySource: aws.String("private/secret.txt")})
			return err
		}},
		{"presigned GET", func() error {
			req, err := s3.NewPresignClient(scoped).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("private"), Key: aws.String("secret.txt")})
			if err != nil {
				return err
			}
			if res := do(t, "GET", req.URL, nil, nil); res.Status != http.StatusOK {
				return errors.New(res.Code)
			}
			return nil
		}},
	}
	for _, tc := range denied {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			code := apiCode(err)
			if code == "" && err != nil {
				code = err.Error()
			}
			if code != "AccessDenied" {
				t.Errorf("scoped key, %s outside its bucket: %v, want AccessDenied", tc.name, err)
			}
		})
	}
	if got := get(t, user, "private", "secret.txt"); got != "not for the built-in key" {
		t.Errorf("the private object changed: %q", got)
	}

	// The unlimited key may do all of it.
	put(t, user, "recordings", "b.mp4", "by the user")
	if _, err := user.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("unlimited key ListBuckets: %v", err)
	}
	if _, err := user.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("recordings"), Key: aws.String("copy"), CopySource: aws.String("private/secret.txt")}); err != nil {
		t.Errorf("unlimited key CopyObject across buckets: %v", err)
	}
}

func TestCredentialBucketsConfig(t *testing.T) {
	creds := map[string]string{scopedKey: scopedSecret}
	for name, scopes := range map[string]map[string][]string{
		"unknown key": {"nobody": {"recordings"}},
		"no buckets":  {scopedKey: {}},
		"bad bucket":  {scopedKey: {"NOT_VALID"}},
	} {
		if _, err := fakes3.New(fakes3.Config{Strict: true, Credentials: creds, CredentialBuckets: scopes}); !errors.Is(err, fakes3.ErrInvalidConfig) {
			t.Errorf("%s: New = %v, want ErrInvalidConfig", name, err)
		}
	}
}
