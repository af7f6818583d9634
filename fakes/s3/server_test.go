package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s3.db")
	cfg := fakes3.Config{DataPath: path, Buckets: []string{"rec"}}

	first, err := fakes3.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	put(t, first.Client(testKey, testSecret), "rec", "kept.mp4", "survives restarts")
	put(t, first.Client(testKey, testSecret), "auto", "also.txt", "auto-created bucket too")
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := start(t, cfg)
	c := second.Client(testKey, testSecret)
	if got, want := get(t, c, "rec", "kept.mp4"), "survives restarts"; got != want {
		t.Errorf("after restart: %q, want %q", got, want)
	}
	if got, want := get(t, c, "auto", "also.txt"), "auto-created bucket too"; got != want {
		t.Errorf("after restart: %q, want %q", got, want)
	}
}

func TestResetAndObjects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dataPath bool
	}{{"memory", false}, {"bolt", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
			clk := newFakeClock(t0)
			cfg := fakes3.Config{Buckets: []string{"rec"}, Now: clk.Now}
			if tc.dataPath {
				cfg.DataPath = filepath.Join(t.TempDir(), "s3.db")
			}
			srv := start(t, cfg)
			c := srv.Client(testKey, testSecret)
			ctx := context.Background()
			put(t, c, "rec", "b.mp4", "bb")
			put(t, c, "rec", "a.mp4", "a")
			put(t, c, "other", "x/y.txt", "xyz")

			got, err := srv.Objects(ctx)
			if err != nil {
				t.Fatalf("Objects: %v", err)
			}
			want := []fakes3.Object{
				{Bucket: "other", Key: "x/y.txt", Size: 3, LastModified: t0, ETag: `"d16fb36f0911f878998c136191af705e"`},
				{Bucket: "rec", Key: "a.mp4", Size: 1, LastModified: t0, ETag: `"0cc175b9c0f1b6a831c399e269772661"`},
				{Bucket: "rec", Key: "b.mp4", Size: 2, LastModified: t0, ETag: `"21ad0bd836b90d08f4cf640b4c298e7c"`},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Objects mismatch (-want +got):\n%s", diff)
			}

			mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("pending")})
			if err != nil {
				t.Fatal(err)
			}

			if err := srv.Reset(ctx); err != nil {
				t.Fatalf("Reset: %v", err)
			}
			got, err = srv.Objects(ctx)
			if err != nil {
				t.Fatalf("Objects: %v", err)
			}
			if diff := cmp.Diff([]fakes3.Object{}, got); diff != "" {
				t.Errorf("Objects after Reset mismatch (-want +got):\n%s", diff)
			}
			if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("rec")}); err != nil {
				t.Errorf("configured bucket not re-created by Reset: %v", err)
			}
			if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("other")}); err == nil {
				t.Errorf("bucket \"other\" survived Reset")
			}
			_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("pending"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
			if got, want := apiCode(err), "NoSuchUpload"; got != want {
				t.Errorf("UploadPart to an upload started before Reset: code %q, want %q", got, want)
			}
		})
	}
}

func TestCreateBucket(t *testing.T) {
	srv, err := fakes3.New(fakes3.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		bucket  string
		wantErr error
	}{
		{"new", "recordings", nil},
		{"again", "recordings", nil},
		{"too short", "ab", fakes3.ErrInvalidBucketName},
		{"upper case", "Recordings", fakes3.ErrInvalidBucketName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := srv.CreateBucket(ctx, tc.bucket); !errors.Is(err, tc.wantErr) {
				t.Errorf("CreateBucket(%q) = %v, want %v", tc.bucket, err, tc.wantErr)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  fakes3.Config
		want error
	}{
		{"strict without credentials", fakes3.Config{Strict: true}, fakes3.ErrNoCredentials},
		{"empty secret", fakes3.Config{Credentials: map[string]string{"k": ""}}, fakes3.ErrInvalidCredential},
		{"bad bucket", fakes3.Config{Buckets: []string{"NO"}}, fakes3.ErrInvalidConfig},
		{"negative limit", fakes3.Config{MaxObjectBytes: -1}, fakes3.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := fakes3.New(tc.cfg); !errors.Is(err, tc.want) {
				t.Errorf("New = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	srv, err := fakes3.New(fakes3.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if srv.URL() != "" || srv.Addr() != "" {
		t.Errorf("before Start: URL %q, Addr %q; want empty", srv.URL(), srv.Addr())
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if want := "http://" + srv.Addr(); srv.URL() != want || !strings.HasPrefix(want, "http://127.0.0.1:") || strings.HasSuffix(want, "/") {
		t.Errorf("URL = %q, Addr %q", srv.URL(), srv.Addr())
	}
	if err := srv.Start(); !errors.Is(err, fakes3.ErrServerStarted) {
		t.Errorf("second Start = %v, want %v", err, fakes3.ErrServerStarted)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := srv.Start(); !errors.Is(err, fakes3.ErrServerClosed) {
		t.Errorf("Start after Close = %v, want %v", err, fakes3.ErrServerClosed)
	}
	if _, err := srv.Objects(context.Background()); !errors.Is(err, fakes3.ErrServerClosed) {
		t.Errorf("Objects after Close = %v, want %v", err, fakes3.ErrServerClosed)
	}
}

// TestHandler serves the fake with httptest instead of Start.
func TestHandler(t *testing.T) {
	srv, err := fakes3.New(fakes3.Config{Strict: true, Credentials: testCreds, Buckets: []string{"rec"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })

	c := srv.ClientFor(ts.URL, testKey, testSecret)
	put(t, c, "rec", "k", "via httptest")
	if got := get(t, c, "rec", "k"); got != "via httptest" {
		t.Errorf("GetObject = %q", got)
	}
	_, err = srv.ClientFor(ts.URL, testKey, "bad").ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("rec")})
	if got, want := apiCode(err), "SignatureDoesNotMatch"; got != want {
		t.Errorf("wrong secret: code %q, want %q", got, want)
	}
}

func TestMaxObjectBytes(t *testing.T) {
	srv := start(t, fakes3.Config{MaxObjectBytes: 1000, Buckets: []string{"rec"}})
	c := srv.Client(testKey, testSecret)
	ctx := context.Background()
	putN := func(key string, n int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rec"), Key: aws.String(key), Body: bytes.NewReader(make([]byte, n))})
		return err
	}
	if err := putN("fits", 1000); err != nil {
		t.Errorf("PutObject of exactly MaxObjectBytes: %v", err)
	}
	if got, want := apiCode(putN("too-big", 1001)), "EntityTooLarge"; got != want {
		t.Errorf("PutObject over MaxObjectBytes: code %q, want %q", got, want)
	}

	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	part := func(n int32, size int) error {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rec"), Key: aws.String("parts"), UploadId: mp.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(make([]byte, size))})
		return err
	}
	for _, tc := range []struct {
		part     int32
		size     int
		wantCode string
	}{
		{1, 600, ""},
		{2, 600, "EntityTooLarge"}, // 1200 in all
		{1, 300, ""},               // replaces part 1
		{2, 700, ""},               // 1000 in all
		{3, 1, "EntityTooLarge"},
	} {
		if got := apiCode(part(tc.part, tc.size)); got != tc.wantCode {
			t.Errorf("UploadPart %d of %d bytes: code %q, want %q", tc.part, tc.size, got, tc.wantCode)
		}
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("parts"), UploadId: mp.UploadId}); err != nil {
		t.Errorf("AbortMultipartUpload: %v", err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("rec"), Key: aws.String("parts"), UploadId: mp.UploadId})
	if got, want := apiCode(err), "NoSuchUpload"; got != want {
		t.Errorf("ListParts after abort: code %q, want %q (err %v)", got, want, err)
	}
}

// TestSecretsNotLogged drives requests that succeed and fail and checks
// the log never holds a secret or a presigned signature.
func TestSecretsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := fakes3.Config{Strict: true, Credentials: testCreds, Buckets: []string{"rec"}, Logger: logger}
	srv := start(t, cfg)
	ctx := context.Background()

	put(t, srv.Client(testKey, testSecret), "rec", "k", "v")
	_, _ = srv.Client(testKey, "wrong-secret-value").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String("k")})
	req, err := s3.NewPresignClient(srv.Client(testKey, testSecret)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	do(t, http.MethodGet, req.URL, nil, nil)
	logger.Info("config", "cfg", cfg)

	sig := req.URL[strings.LastIndex(req.URL, "=")+1:]
	printed := fmt.Sprint(cfg) + fmt.Sprintf("%+v %#v %s", cfg, cfg, cfg)
	for _, secret := range []string{testSecret, "wrong-secret-value", sig} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q:\n%s", secret, logs.String())
		}
		if strings.Contains(printed, secret) {
			t.Errorf("printed Config contains %q: %s", secret, printed)
		}
	}
	for _, want := range []string{"SignatureDoesNotMatch", "X-Amz-Signature=%2A%2A%2A", testKey + "=***"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
