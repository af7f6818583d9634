package simulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/recmock/recmock"
)

// MaxRecordingBytes bounds a recording read by ReadRecording.
const MaxRecordingBytes = 256 << 20

// ErrNotMP4 is returned by ReadRecording for a file that is not an MP4.
var ErrNotMP4 = errors.New("simulator: not an MP4 file (it does not start with an ftyp box)")

// ReadRecording reads a file to upload instead of the sample (Config.Recording; serve's
// --recording-file). It must be an MP4, which integrators will try to play, and at most
// MaxRecordingBytes.
func ReadRecording(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("simulator: recording: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxRecordingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("simulator: recording %s: %w", path, err)
	}
	if len(b) > MaxRecordingBytes {
		return nil, fmt.Errorf("simulator: recording %s is larger than %d MiB", path, MaxRecordingBytes>>20)
	}
	if len(b) < 8 || string(b[4:8]) != "ftyp" {
		return nil, fmt.Errorf("%w: %s", ErrNotMP4, path)
	}
	return b, nil
}

// s3Target is where one account's recordings go, with the client that may write there.
type s3Target struct {
	loc       recmock.S3Location
	accessKey string // shown in messages; the secret never is
	isDefault bool   // recmock's own bucket, created when missing
	client    *s3.Client
	presigner *s3.PresignClient
	ttl       time.Duration
	timeout   time.Duration
	log       *slog.Logger
}

// checkEndpoint accepts an absolute http or https URL with a host.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	return nil
}

// clockPresigner signs at the Simulator's clock rather than the SDK's, so a fixed clock gives
// the same retrievalUrl every time.
type clockPresigner struct {
	signer *v4.Signer
	now    func() time.Time
}

func (p clockPresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return p.signer.PresignHTTP(ctx, creds, r, payloadHash, service, region, p.now().UTC(), optFns...)
}

func (s *Simulator) newS3Target(loc recmock.S3Location, accessKey, secretKey string, isDefault bool) *s3Target {
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(s.cfg.S3Endpoint),
		Region:       s.cfg.S3Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient:   s.client,
		// S3-compatible services (the fake, MinIO, ...) do not all take the SDK's default
		// trailing CRC32 checksums; a plain signed payload works everywhere.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           2,
	})
	return &s3Target{
		loc:       loc,
		accessKey: accessKey,
		isDefault: isDefault,
		client:    client,
		presigner: s3.NewPresignClient(client, func(o *s3.PresignOptions) {
			o.Presigner = clockPresigner{signer: v4.NewSigner(), now: s.now}
			o.Expires = s.cfg.PresignTTL
		}),
		ttl:     s.cfg.PresignTTL,
		timeout: s.cfg.Timeout,
		log:     s.log,
	}
}

// target is the S3 location and client for settings: its s3Arn with its credentials, or the
// default bucket. An s3Arn that does not parse yields the default target and the error, so the
// other channels can still go out with a well-formed retrievalUrl.
func (s *Simulator) target(settings recmock.Settings) (*s3Target, error) {
	if settings.S3 == nil {
		return s.def, nil
	}
	loc, err := recmock.ParseS3ARN(settings.S3.ARN)
	if err != nil {
		return s.def, fmt.Errorf("s3Arn: %w", err)
	}
	return s.newS3Target(loc, settings.S3.AccessKeyID, settings.S3.SecretAccessKey, false), nil
}

func objectName(meetingID string) string { return meetingID + ".mp4" }

// presign returns the GET URL of the meeting's recording. It is computed locally and works
// whether or not the object exists.
func (t *s3Target) presign(meetingID string) (string, error) {
	req, err := t.presigner.PresignGetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(t.loc.Bucket),
		Key:    aws.String(t.loc.Key(objectName(meetingID))),
	})
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

// upload puts the recording at <prefix>/<meetingId>.mp4. In the default bucket, a missing
// bucket is created and the upload tried once more; in an account's bucket it is a failure,
// as on AWS.
func (s *Simulator) upload(ctx context.Context, t *s3Target, meetingID string) recmock.S3Outcome {
	key := t.loc.Key(objectName(meetingID))
	out := recmock.S3Outcome{Bucket: t.loc.Bucket, Key: key}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	err := t.put(ctx, key, s.cfg.Recording)
	if err != nil && t.isDefault && apiCode(err) == "NoSuchBucket" {
		_, cerr := t.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(t.loc.Bucket)})
		var owned *types.BucketAlreadyOwnedByYou
		if cerr == nil || errors.As(cerr, &owned) || apiCode(cerr) == "BucketAlreadyExists" {
			err = t.put(ctx, key, s.cfg.Recording)
		} else {
			err = fmt.Errorf("create default bucket: %w", cerr)
		}
	}
	if err != nil {
		out.Outcome = recmock.Outcome{Status: recmock.OutcomeFailed, Message: t.explain(err)}
		s.log.LogAttrs(ctx, slog.LevelWarn, "s3 upload failed",
			slog.String("bucket", t.loc.Bucket), slog.String("key", key),
			slog.String("accessKeyId", t.accessKey), slog.String("secretAccessKey", recmock.Redacted),
			slog.String("error", out.Message))
		return out
	}
	out.Outcome = recmock.Outcome{Status: recmock.OutcomeOK}
	out.Size = int64(len(s.cfg.Recording))
	return out
}

func (t *s3Target) put(ctx context.Context, key string, body []byte) error {
	_, err := t.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(t.loc.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body), // seekable, so the SDK can sign and retry it
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("video/mp4"),
	})
	return err
}

// apiCode is the S3 error code ("NoSuchBucket", "AccessDenied", ...) in err, if any.
func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// explain words an upload error for the outcome: what S3 said and what to check. It names
// the access key, never the secret.
func (t *s3Target) explain(err error) string {
	code := apiCode(err)
	switch code {
	case "NoSuchBucket":
		return fmt.Sprintf("bucket %q does not exist (NoSuchBucket)", t.loc.Bucket)
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken":
		return fmt.Sprintf("S3 refused access key %q for bucket %q (%s): check s3AccessKeyId and s3SecretAccessKey", t.accessKey, t.loc.Bucket, code)
	case "":
		return fmt.Sprintf("upload to bucket %q failed: %v", t.loc.Bucket, err)
	}
	var api smithy.APIError
	errors.As(err, &api)
	return fmt.Sprintf("upload to bucket %q failed: %s: %s", t.loc.Bucket, code, api.ErrorMessage())
}
