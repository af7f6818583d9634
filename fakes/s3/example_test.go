package s3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// A test starts the fake in-process, uploads with the SDK, and downloads
// through a presigned URL with plain net/http.
func Example() {
	srv, err := fakes3.NewServer(fakes3.Config{Buckets: []string{"recordings"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	client := srv.Client("AKIDEXAMPLE", "any-secret-works-by-default")
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("recordings"),
		Key:    aws.String("2024/call.mp4"),
		Body:   strings.NewReader("not really an mp4"),
	})
	if err != nil {
		log.Fatal(err)
	}

	link, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("recordings"),
		Key:    aws.String("2024/call.mp4"),
	}, s3.WithPresignExpires(15*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(body))
	// Output:
	// 200 OK
	// not really an mp4
}

// In strict mode a client with the wrong secret fails as it would on AWS.
func Example_strict() {
	srv, err := fakes3.NewServer(fakes3.Config{
		Strict:      true,
		Credentials: map[string]string{"AKIDEXAMPLE": "the-right-secret"},
		Buckets:     []string{"recordings"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	upload := func(secret string) error {
		_, err := srv.Client("AKIDEXAMPLE", secret).PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("recordings"),
			Key:    aws.String("call.mp4"),
			Body:   strings.NewReader("bytes"),
		})
		return err
	}

	var apiErr smithy.APIError
	if err := upload("a-wrong-secret"); errors.As(err, &apiErr) {
		fmt.Println("wrong secret:", apiErr.ErrorCode())
	}
	fmt.Println("right secret error:", upload("the-right-secret"))
	// Output:
	// wrong secret: SignatureDoesNotMatch
	// right secret error: <nil>
}

// Handler serves the fake from an httptest.Server; ClientFor points the SDK
// at it.
func ExampleServer_Handler() {
	srv, err := fakes3.New(fakes3.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	ctx := context.Background()
	client := srv.ClientFor(ts.URL, "AKIDEXAMPLE", "secret")
	// Default mode creates the bucket on the first write.
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("new-bucket"), Key: aws.String("hello.txt"), Body: strings.NewReader("hi")})
	if err != nil {
		log.Fatal(err)
	}
	objects, err := srv.Objects(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objects {
		fmt.Println(o.Bucket, o.Key, o.Size)
	}
	// Output:
	// new-bucket hello.txt 2
}

// Reset empties the fake between tests and re-creates Config.Buckets.
func ExampleServer_Reset() {
	srv, err := fakes3.NewServer(fakes3.Config{Buckets: []string{"recordings"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	client := srv.Client("AKIDEXAMPLE", "secret")
	for _, key := range []string{"a.mp4", "b.mp4"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("recordings"), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			log.Fatal(err)
		}
	}
	before, _ := srv.Objects(ctx)
	if err := srv.Reset(ctx); err != nil {
		log.Fatal(err)
	}
	after, _ := srv.Objects(ctx)
	_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("recordings")})
	fmt.Println(len(before), len(after), err == nil)
	// Output:
	// 2 0 true
}

// A key can be limited to some buckets, as an IAM policy would limit it, and
// MaxBytes bounds what the fake holds; Usage says how much of it is taken.
func ExampleConfig_limits() {
	srv, err := fakes3.NewServer(fakes3.Config{
		Strict:            true,
		Credentials:       map[string]string{"app": "app-secret", "admin": "admin-secret"},
		CredentialBuckets: map[string][]string{"app": {"recordings"}},
		MaxBytes:          1 << 20,
		Buckets:           []string{"recordings", "billing"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	upload := func(key, bucket string, size int) {
		_, err := srv.Client(key, key+"-secret").PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("f"), Body: strings.NewReader(strings.Repeat("x", size)),
		})
		var ae smithy.APIError
		if errors.As(err, &ae) {
			fmt.Printf("%s to %s: %s\n", key, bucket, ae.ErrorCode())
			return
		}
		fmt.Printf("%s to %s: ok\n", key, bucket)
	}
	upload("app", "recordings", 1000)
	upload("app", "billing", 1000)
	upload("admin", "billing", 1000)
	upload("admin", "recordings", 1<<20)
	used, max := srv.Usage()
	fmt.Println(used, "of", max, "bytes used")
	// Output:
	// app to recordings: ok
	// app to billing: AccessDenied
	// admin to billing: ok
	// admin to recordings: EntityTooLarge
	// 10192 of 1048576 bytes used
}
