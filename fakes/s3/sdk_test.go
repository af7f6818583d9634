package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// TestSDK runs the SDK's everyday operations against both modes.
func TestSDK(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  fakes3.Config
	}{
		{"default", fakes3.Config{}},
		{"strict", fakes3.Config{Strict: true, Credentials: testCreds, Buckets: []string{"rec"}}},
		{"bolt", fakes3.Config{DataPath: t.TempDir() + "/s3.db", Buckets: []string{"rec"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, tc.cfg)
			c := srv.Client(testKey, testSecret)
			ctx := context.Background()

			put(t, c, "rec", "calls/2024/a.mp4", "video a")
			put(t, c, "rec", "calls/2024/b.mp4", "video b")
			put(t, c, "rec", "other/c.txt", "c")
			put(t, c, "rec", "calls/2024/a.mp4", "video a, again") // overwrite

			if got, want := get(t, c, "rec", "calls/2024/a.mp4"), "video a, again"; got != want {
				t.Errorf("GetObject = %q, want %q", got, want)
			}

			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rec"), Key: aws.String("calls/2024/b.mp4")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if got, want := aws.ToInt64(head.ContentLength), int64(len("video b")); got != want {
				t.Errorf("HeadObject ContentLength = %d, want %d", got, want)
			}
			// The fake must not echo request-only headers as metadata.
			raw, _ := awsmiddleware.GetRawResponse(head.ResultMetadata).(*smithyhttp.Response)
			if raw == nil {
				t.Fatalf("HeadObject: no raw response")
			}
			for k := range raw.Header {
				if strings.HasPrefix(k, "X-Amz-Checksum-") || k == "X-Amz-Content-Sha256" || k == "X-Amz-Date" {
					t.Errorf("HeadObject echoes request header %s", k)
				}
			}

			list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("rec"), Prefix: aws.String("calls/")})
			if err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			var keys []string
			for _, o := range list.Contents {
				keys = append(keys, aws.ToString(o.Key))
			}
			if diff := cmp.Diff([]string{"calls/2024/a.mp4", "calls/2024/b.mp4"}, keys); diff != "" {
				t.Errorf("ListObjectsV2 keys mismatch (-want +got):\n%s", diff)
			}

			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String("missing")})
			if got, want := apiCode(err), "NoSuchKey"; got != want {
				t.Errorf("GetObject missing key: code %q, want %q (err %v)", got, want, err)
			}

			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("rec"), Key: aws.String("other/c.txt")}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rec"), Key: aws.String("other/c.txt")})
			if err == nil {
				t.Errorf("HeadObject after DeleteObject succeeded")
			}
		})
	}
}

func TestSDKMultipart(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%t", strict), func(t *testing.T) {
			srv := start(t, fakes3.Config{Strict: strict, Credentials: testCreds, Buckets: []string{"rec"}})
			c := srv.Client(testKey, testSecret)
			ctx := context.Background()

			// 11 MiB in three parts sent at once, as the SDK's upload managers send them.
			body := bytes.Repeat([]byte("0123456789abcdef"), (11<<20)/16)
			big, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("big.mp4")})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			const partSize = 5 << 20
			etags := make([]*string, 3)
			var wg sync.WaitGroup
			for i := range etags {
				wg.Go(func() {
					part := body[i*partSize : min((i+1)*partSize, len(body))]
					res, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("big.mp4"), UploadId: big.UploadId,
						PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(part)})
					if err != nil {
						t.Errorf("UploadPart %d: %v", i+1, err)
						return
					}
					etags[i] = res.ETag
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			var done []types.CompletedPart
			for i, e := range etags {
				done = append(done, types.CompletedPart{ETag: e, PartNumber: aws.Int32(int32(i + 1))})
			}
			out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("big.mp4"), UploadId: big.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if !strings.HasSuffix(aws.ToString(out.ETag), `-3"`) {
				t.Errorf("ETag %s is not a 3-part multipart ETag", aws.ToString(out.ETag))
			}
			if got := get(t, c, "rec", "big.mp4"); got != string(body) {
				t.Errorf("GetObject after multipart upload: %d bytes, want %d", len(got), len(body))
			}

			// The explicit calls, with a part re-uploaded under the same number.
			create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("parts.txt")})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			var parts []types.CompletedPart
			for i, p := range []string{"first ", "second"} {
				n := aws.Int32(int32(i + 1))
				if i == 0 { // overwritten below
					if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("parts.txt"), UploadId: create.UploadId, PartNumber: n, Body: strings.NewReader("junk")}); err != nil {
						t.Fatalf("UploadPart: %v", err)
					}
				}
				res, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("parts.txt"), UploadId: create.UploadId, PartNumber: n, Body: strings.NewReader(p)})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				parts = append(parts, types.CompletedPart{ETag: res.ETag, PartNumber: n})
			}
			if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
				Bucket: aws.String("rec"), Key: aws.String("parts.txt"), UploadId: create.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
			}); err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got, want := get(t, c, "rec", "parts.txt"), "first second"; got != want {
				t.Errorf("GetObject = %q, want %q", got, want)
			}
		})
	}
}

func TestSDKPresign(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%t", strict), func(t *testing.T) {
			srv := start(t, fakes3.Config{Strict: strict, Credentials: testCreds, Buckets: []string{"rec"}})
			c := srv.Client(testKey, testSecret)
			pc := s3.NewPresignClient(c)
			ctx := context.Background()

			for _, key := range []string{"up/load.mp4", "réunion/a b+c=d&e.mp4", "odd/~!*'()[]$;,@:"} {
				putReq, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rec"), Key: aws.String(key)}, s3.WithPresignExpires(time.Hour))
				if err != nil {
					t.Fatalf("PresignPutObject: %v", err)
				}
				res := do(t, putReq.Method, putReq.URL, []byte("uploaded via presigned PUT"), putReq.SignedHeader)
				if res.Status != http.StatusOK {
					t.Fatalf("presigned PUT of %q: %d %s", key, res.Status, res.Body)
				}

				getReq, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String(key)}, s3.WithPresignExpires(time.Hour))
				if err != nil {
					t.Fatalf("PresignGetObject: %v", err)
				}
				res = do(t, http.MethodGet, getReq.URL, nil, nil)
				if diff := cmp.Diff(httpResult{Status: 200, Body: "uploaded via presigned PUT"}, res); diff != "" {
					t.Errorf("presigned GET of %q mismatch (-want +got):\n%s", key, diff)
				}
				if got := get(t, c, "rec", key); got != "uploaded via presigned PUT" {
					t.Errorf("GetObject of %q = %q", key, got)
				}
			}
		})
	}
}

// TestStrictRejects checks what a client with the wrong credentials sees.
func TestStrictRejects(t *testing.T) {
	srv, _ := startStrict(t)
	put(t, srv.Client(testKey, testSecret), "rec", "k", "v")

	for _, tc := range []struct {
		name, key, secret, bucket string
		wantCode                  string
		wantStatus                int
	}{
		{"right credentials", testKey, testSecret, "rec", "", 200},
		{"wrong secret", testKey, "not-the-secret", "rec", "SignatureDoesNotMatch", 403},
		{"unknown key", "AKIDUNKNOWN", testSecret, "rec", "InvalidAccessKeyId", 403},
		{"missing bucket", testKey, testSecret, "nope", "NoSuchBucket", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(tc.key, tc.secret)
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(tc.bucket), Key: aws.String("k2"), Body: strings.NewReader("v2")})
			if got := apiCode(err); got != tc.wantCode {
				t.Errorf("PutObject code = %q, want %q (err %v)", got, tc.wantCode, err)
			}
			if got := httpStatus(err); err != nil && got != tc.wantStatus {
				t.Errorf("PutObject status = %d, want %d", got, tc.wantStatus)
			}
		})
	}
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestDefaultModeCreatesBucketOnWrite(t *testing.T) {
	srv := start(t, fakes3.Config{})
	c := srv.Client("any", "thing")
	ctx := context.Background()

	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("fresh")}); err == nil {
		t.Fatalf("HeadBucket before any write succeeded; reads must not create buckets")
	}
	put(t, c, "fresh", "k", "v")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("fresh")}); err != nil {
		t.Errorf("HeadBucket after PutObject: %v", err)
	}
	if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("fresh2"), Key: aws.String("k")}); err != nil {
		t.Errorf("CreateMultipartUpload into a new bucket: %v", err)
	}
	// Anonymous plain HTTP works too.
	if res := do(t, http.MethodGet, srv.URL()+"/fresh/k", nil, nil); res.Status != 200 || res.Body != "v" {
		t.Errorf("anonymous GET = %d %q, want 200 \"v\"", res.Status, res.Body)
	}
}

func TestStrictMissingBucket(t *testing.T) {
	srv, _ := startStrict(t)
	c := srv.Client(testKey, testSecret)
	_, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("absent"), Key: aws.String("k")})
	if got, want := apiCode(err), "NoSuchBucket"; got != want {
		t.Errorf("CreateMultipartUpload code = %q, want %q (err %v)", got, want, err)
	}
}
