package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// signed is a hand-made request, signed like an SDK would sign it.
type signed struct {
	method, url string
	body        []byte
	payloadHash string // "" = hex SHA-256 of body
	header      http.Header
	secret      string    // "" = testSecret
	at          time.Time // zero = now
}

func (s signed) do(t *testing.T) httpResult {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, bytes.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	if s.payloadHash == "" {
		sum := sha256.Sum256(s.body)
		s.payloadHash = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", s.payloadHash)
	if s.secret == "" {
		s.secret = testSecret
	}
	if s.at.IsZero() {
		s.at = time.Now()
	}
	creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: s.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, s.payloadHash, "s3", "us-east-1", s.at, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{Status: resp.StatusCode, Code: xmlCode(b), Body: string(b)}
}

func TestStrictHeaderSignatures(t *testing.T) {
	srv, _ := startStrict(t)
	u := srv.URL() + "/rec/"
	sha := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

	for _, tc := range []struct {
		name     string
		req      signed
		wantCode string // "" = success
		stored   bool   // the object exists afterwards
	}{
		{"signed payload", signed{method: "PUT", url: u + "a", body: []byte("abc")}, "", true},
		{"unsigned payload", signed{method: "PUT", url: u + "b", body: []byte("abc"), payloadHash: "UNSIGNED-PAYLOAD"}, "", true},
		{"key needing escapes", signed{method: "PUT", url: u + "sp%20ace%2Bplus%21~", body: []byte("abc")}, "", true},
		{"payload differs from its hash", signed{method: "PUT", url: u + "c", body: []byte("abc"), payloadHash: sha("abd")}, "XAmzContentSHA256Mismatch", false},
		{"bogus payload hash", signed{method: "PUT", url: u + "d", body: []byte("abc"), payloadHash: "LOL"}, "InvalidArgument", false},
		{"wrong secret", signed{method: "PUT", url: u + "e", body: []byte("abc"), secret: "nope"}, "SignatureDoesNotMatch", false},
		{"too old", signed{method: "PUT", url: u + "f", body: []byte("abc"), at: time.Now().Add(-20 * time.Minute)}, "RequestTimeTooSkewed", false},
		{"too new", signed{method: "PUT", url: u + "g", body: []byte("abc"), at: time.Now().Add(20 * time.Minute)}, "RequestTimeTooSkewed", false},
		{"signed metadata", signed{method: "PUT", url: u + "h", body: []byte("abc"), header: http.Header{"X-Amz-Meta-Call": {"42"}}}, "", true},
		{"wrong CRC32 header", signed{method: "PUT", url: u + "i", body: []byte("abc"), header: http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}}, "BadDigest", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.req.do(t)
			if got.Code != tc.wantCode || (tc.wantCode == "") != (got.Status == 200) {
				t.Errorf("%s %s = %d %s, want code %q", tc.req.method, tc.req.url, got.Status, got.Body, tc.wantCode)
			}
			head := signed{method: "HEAD", url: tc.req.url}.do(t)
			if exists := head.Status == 200; exists != tc.stored {
				t.Errorf("object exists = %t (HEAD %d), want %t", exists, head.Status, tc.stored)
			}
		})
	}

	t.Run("SignatureDoesNotMatch explains itself", func(t *testing.T) {
		got := signed{method: "GET", url: u + "a", secret: "nope"}.do(t)
		var doc struct {
			AWSAccessKeyID   string `xml:"AWSAccessKeyId"`
			StringToSign     string
			CanonicalRequest string
		}
		if err := xml.Unmarshal([]byte(got.Body), &doc); err != nil {
			t.Fatalf("error body is not XML: %v\n%s", err, got.Body)
		}
		if doc.AWSAccessKeyID != testKey || !strings.HasPrefix(doc.StringToSign, "AWS4-HMAC-SHA256\n") || !strings.HasPrefix(doc.CanonicalRequest, "GET\n/rec/a\n") {
			t.Errorf("error body lacks the key, string to sign or canonical request:\n%+v", doc)
		}
	})
}

// TestSDKClockSkew: the SDK corrects its clock from the Date header after
// RequestTimeTooSkewed, as it does against AWS, because the fake's Date
// follows Config.Now.
func TestSDKClockSkew(t *testing.T) {
	srv, clk := startStrict(t)
	clk.Advance(time.Hour)

	once := s3.New(srv.Client(testKey, testSecret).Options(), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	_, err := once.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("rec")})
	if got, want := apiCode(err), "RequestTimeTooSkewed"; got != want {
		t.Errorf("without retries: code %q, want %q (err %v)", got, want, err)
	}

	if _, err := srv.Client(testKey, testSecret).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("rec")}); err != nil {
		t.Errorf("with the SDK's retries (skew correction): %v", err)
	}
}

// TestSDKChecksums: every flexible checksum the SDK computes is accepted
// (so the fake computes them the same way) and a wrong one is refused.
func TestSDKChecksums(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%t", strict), func(t *testing.T) {
			srv := start(t, fakes3.Config{Strict: strict, Credentials: testCreds, Buckets: []string{"rec"}})
			c := srv.Client(testKey, testSecret)
			for _, alg := range []types.ChecksumAlgorithm{
				types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
				types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
			} {
				key := "sum/" + string(alg)
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
					Bucket: aws.String("rec"), Key: aws.String(key), Body: strings.NewReader("checksummed " + key), ChecksumAlgorithm: alg,
				})
				if err != nil {
					t.Errorf("PutObject with %s: %v", alg, err)
				}
			}
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("rec"), Key: aws.String("sum/wrong"), Body: strings.NewReader("checksummed"), ChecksumCRC32: aws.String("AAAAAA=="),
			})
			if got, want := apiCode(err), "BadDigest"; got != want {
				t.Errorf("PutObject with a wrong CRC32: code %q, want %q (err %v)", got, want, err)
			}
		})
	}
}

// chunked encodes body as aws-chunked. With signer, chunks carry chained
// signatures; trailer lines, if any, follow the last chunk.
func chunked(t *testing.T, body []byte, size int, signer *v4.StreamSigner, at time.Time, trailer ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	emit := func(chunk []byte) {
		fmt.Fprintf(&b, "%x", len(chunk))
		if signer != nil {
			sig, err := signer.GetSignature(context.Background(), nil, chunk, at)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, ";chunk-signature=%x", sig)
		}
		b.WriteString("\r\n")
		b.Write(chunk)
		if len(chunk) > 0 {
			b.WriteString("\r\n")
		}
	}
	for rest := body; len(rest) > 0; {
		n := min(size, len(rest))
		emit(rest[:n])
		rest = rest[n:]
	}
	emit(nil)
	for _, l := range trailer {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func crc32b64(b []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)))
}

// TestAWSChunked sends the aws-chunked variants SDKs use for streaming
// uploads (over TLS, so not seen from the SDK in these plain-HTTP tests).
func TestAWSChunked(t *testing.T) {
	body := bytes.Repeat([]byte("chunky bytes! "), 1500) // 21000 bytes: 3 chunks of 8 KiB
	tamper := func(b []byte) []byte {
		c := bytes.Clone(b)
		i := bytes.Index(c, []byte("chunky"))
		c[i] = 'C'
		return c
	}

	for _, tc := range []struct {
		name     string
		strict   bool
		hash     string
		signed   bool                // chunk signatures
		trailer  []string            // trailer lines
		mangle   func([]byte) []byte // for tests that change the length: unsigned only
		extra    int                 // added to X-Amz-Decoded-Content-Length
		wantCode string
	}{
		{name: "signed chunks", strict: true, hash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signed: true},
		{name: "signed chunks, default mode", hash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signed: true},
		{name: "tampered signed chunk", strict: true, hash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signed: true, mangle: tamper, wantCode: "SignatureDoesNotMatch"},
		{name: "unsigned chunks with CRC32 trailer", strict: true, hash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", trailer: []string{"x-amz-checksum-crc32:" + crc32b64(body)}},
		{name: "unsigned chunks, wrong CRC32 trailer", strict: true, hash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", trailer: []string{"x-amz-checksum-crc32:AAAAAA=="}, wantCode: "BadDigest"},
		{name: "tampered unsigned chunk caught by trailer", strict: true, hash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", trailer: []string{"x-amz-checksum-crc32:" + crc32b64(body)}, mangle: tamper, wantCode: "BadDigest"},
		{name: "signed chunks with trailer", strict: true, hash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", signed: true, trailer: []string{"x-amz-checksum-crc32:" + crc32b64(body), "x-amz-trailer-signature:" + strings.Repeat("0", 64)}},
		{name: "shorter than declared", strict: true, hash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", extra: 1, wantCode: "IncompleteBody"},
		{name: "longer than declared", strict: true, hash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signed: true, extra: -1, wantCode: "IncompleteBody"},
		{name: "garbage framing", hash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", mangle: func(b []byte) []byte { return append([]byte("zz\r\n"), b...) }, wantCode: "IncompleteBody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, fakes3.Config{Strict: tc.strict, Credentials: testCreds, Buckets: []string{"rec"}})
			at := time.Now()
			for _, op := range []string{"PutObject", "UploadPart"} {
				t.Run(op, func(t *testing.T) {
					c := srv.Client(testKey, testSecret)
					url := srv.URL() + "/rec/chunked-" + op
					var uploadID *string
					if op == "UploadPart" {
						mp, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("rec"), Key: aws.String("chunked-" + op)})
						if err != nil {
							t.Fatalf("CreateMultipartUpload: %v", err)
						}
						uploadID = mp.UploadId
						url += "?partNumber=1&uploadId=" + *uploadID
					}
					req, err := http.NewRequest(http.MethodPut, url, nil)
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Encoding", "aws-chunked")
					req.Header.Set("X-Amz-Content-Sha256", tc.hash)
					req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(body)+tc.extra))
					if len(tc.trailer) > 0 {
						req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
					}
					// The encoded length is signed, so size it before signing.
					req.ContentLength = int64(len(chunked(t, body, 8192, nil, at, tc.trailer...)))
					if tc.signed {
						chunks := (len(body)+8191)/8192 + 1 // and the final empty one
						req.ContentLength += int64((len(";chunk-signature=") + 64) * chunks)
					}
					creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}
					if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, tc.hash, "s3", "us-east-1", at); err != nil {
						t.Fatal(err)
					}
					var signer *v4.StreamSigner
					if tc.signed {
						seed, err := v4.GetSignedRequestSignature(req)
						if err != nil {
							t.Fatal(err)
						}
						signer = v4.NewStreamSigner(creds, "s3", "us-east-1", seed)
					}
					enc := chunked(t, body, 8192, signer, at, tc.trailer...)
					if int64(len(enc)) != req.ContentLength {
						t.Fatalf("encoded %d bytes, signed Content-Length %d", len(enc), req.ContentLength)
					}
					if tc.mangle != nil {
						enc = tc.mangle(enc)
						req.ContentLength = int64(len(enc))
					}
					req.Body = io.NopCloser(bytes.NewReader(enc))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if got := xmlCode(b); got != tc.wantCode || (got == "") != (resp.StatusCode == 200) {
						t.Fatalf("PUT = %d %s, want code %q", resp.StatusCode, b, tc.wantCode)
					}
					if tc.wantCode != "" {
						return
					}
					if uploadID != nil {
						_, err := c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{
							Bucket: aws.String("rec"), Key: aws.String("chunked-" + op), UploadId: uploadID,
							MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(resp.Header.Get("ETag"))}}},
						})
						if err != nil {
							t.Fatalf("CompleteMultipartUpload: %v", err)
						}
					}
					if got := get(t, c, "rec", "chunked-"+op); got != string(body) {
						t.Errorf("stored %d bytes, want the %d decoded bytes", len(got), len(body))
					}
					out, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("rec"), Key: aws.String("chunked-" + op)})
					if err != nil {
						t.Fatal(err)
					}
					if ce := aws.ToString(out.ContentEncoding); ce != "" {
						t.Errorf("HeadObject Content-Encoding = %q; aws-chunked must not be stored", ce)
					}
				})
			}
		})
	}
}
