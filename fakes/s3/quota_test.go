package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// unit is one test object: 1000 bytes, and what it costs against MaxBytes.
const (
	unitSize = 1000
	unitCost = unitSize + fakes3.ObjectOverhead
)

func putSize(c *s3.Client, bucket, key string, n int) error {
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(make([]byte, n))})
	return err
}

// TestMaxBytes fills a fake holding three objects' worth and checks, with the SDK,
// that the bound holds and its accounts stay right through overwrites, deletes,
// multi-object deletes, copies, multipart uploads and Reset.
func TestMaxBytes(t *testing.T) {
	srv := start(t, fakes3.Config{MaxBytes: 3 * unitCost, Buckets: []string{"rec"}})
	c := srv.Client(testKey, testSecret)
	ctx := context.Background()
	usage := func(t *testing.T, want int64) {
		t.Helper()
		if used, _ := srv.Usage(); used != want {
			t.Errorf("Usage = %d, want %d", used, want)
		}
	}
	full := func(t *testing.T, what string, err error) {
		t.Helper()
		if apiCode(err) != "XMinioStorageFull" || httpStatus(err) != http.StatusInsufficientStorage {
			t.Errorf("%s on a full fake: %v, want XMinioStorageFull (507)", what, err)
		}
	}

	for _, k := range []string{"a", "b", "c"} {
		if err := putSize(c, "rec", k, unitSize); err != nil {
			t.Fatalf("PutObject %s: %v", k, err)
		}
	}
	usage(t, 3*unitCost)
	full(t, "PutObject", putSize(c, "rec", "d", unitSize))
	full(t, "PutObject of an empty object", putSize(c, "rec", "d", 0))
	if err := putSize(c, "rec", "a", unitSize); err != nil {
		t.Errorf("overwriting an object with one of the same size on a full fake: %v", err)
	}
	if err := putSize(c, "rec", "a", unitSize/2); err != nil {
		t.Errorf("overwriting an object with a smaller one: %v", err)
	}
	usage(t, 3*unitCost-unitSize/2)
	if got := apiCode(putSize(c, "rec", "huge", 3*unitCost)); got != "EntityTooLarge" {
		t.Errorf("an object larger than the whole fake: code %q, want EntityTooLarge", got)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("rec"), Key: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	usage(t, 2*unitCost-unitSize/2)
	if err := putSize(c, "rec", "d", unitSize); err != nil {
		t.Errorf("PutObject after a delete made room: %v", err)
	}
	_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("rec"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("c")}, {Key: aws.String("never")}}}})
	if err != nil {
		t.Fatal(err)
	}
	usage(t, unitCost)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("rec"), Key: aws.String("copy"), CopySource: aws.String("rec/d")}); err != nil {
		t.Errorf("CopyObject with room: %v", err)
	}
	usage(t, 2*unitCost)

	// A multipart upload counts from its creation, each part as it comes.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	usage(t, 2*unitCost+fakes3.ObjectOverhead)
	part := func(n int32, size int) (*s3.UploadPartOutput, error) {
		return c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("mp"), UploadId: mp.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(make([]byte, size))})
	}
	p1, err := part(1, unitSize)
	if err != nil {
		t.Fatal(err)
	}
	_, err = part(2, unitSize)
	full(t, "UploadPart", err)
	usage(t, 3*unitCost)
	full(t, "CopyObject", func() error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("rec"), Key: aws.String("copy2"), CopySource: aws.String("rec/d")})
		return err
	}())
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("mp"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}}}}); err != nil {
		t.Fatalf("CompleteMultipartUpload on a full fake: %v", err)
	}
	usage(t, 3*unitCost)

	mp2, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("mp2")})
	full(t, "CreateMultipartUpload", err)
	_ = mp2
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("rec"), Key: aws.String("mp")}); err != nil {
		t.Fatal(err)
	}
	mp3, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("mp3")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("mp3"), UploadId: mp3.UploadId}); err != nil {
		t.Fatal(err)
	}
	usage(t, 2*unitCost)
	// A part for an upload that does not exist is refused, and not counted.
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("x"), UploadId: aws.String("999"), PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, 10))}); apiCode(err) != "NoSuchUpload" {
		t.Errorf("UploadPart to no upload: %v", err)
	}
	usage(t, 2*unitCost)

	if err := srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	usage(t, 0)
}

// TestMaxBytesConcurrent: uploads racing for the last room never pass the bound, and
// the accounts match what is stored once they are over.
func TestMaxBytesConcurrent(t *testing.T) {
	srv := start(t, fakes3.Config{MaxBytes: 10 * unitCost, Buckets: []string{"rec"}})
	c := srv.Client(testKey, testSecret)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				// Some keys are shared, so some uploads overwrite.
				putSize(c, "rec", fmt.Sprintf("k%d", (g*10+i)%25), unitSize)
			}
		})
	}
	wg.Wait()
	objs, err := srv.Objects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	used, max := srv.Usage()
	// Racing reservations may refuse an upload that would just have fitted, so the
	// fake may hold fewer than ten.
	if want := int64(len(objs)) * unitCost; used != want || used > max || len(objs) == 0 {
		t.Errorf("Usage %d (bound %d) for %d objects, want %d", used, max, len(objs), want)
	}
}

// TestMaxBytesAfterRestart: with DataPath, what was stored counts after a restart.
func TestMaxBytesAfterRestart(t *testing.T) {
	cfg := fakes3.Config{MaxBytes: 2 * unitCost, DataPath: filepath.Join(t.TempDir(), "s3.db"), Buckets: []string{"rec"}}
	first, err := fakes3.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := first.Client(testKey, testSecret)
	for _, k := range []string{"a", "b"} {
		if err := putSize(c, "rec", k, unitSize); err != nil {
			t.Fatal(err)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := start(t, cfg)
	if used, _ := second.Usage(); used != 2*unitCost {
		t.Errorf("Usage after restart = %d, want %d", used, 2*unitCost)
	}
	if got := apiCode(putSize(second.Client(testKey, testSecret), "rec", "c", unitSize)); got != "XMinioStorageFull" {
		t.Errorf("PutObject past the bound after a restart: code %q, want XMinioStorageFull", got)
	}
}
