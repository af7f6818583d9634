package s3

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

// Payload hash values S3 accepts in X-Amz-Content-Sha256 besides a hex SHA-256.
const (
	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// verifier checks SigV4 signatures by rebuilding the request the client
// signed and signing it again with the SDK's own signer.
type verifier struct {
	creds  map[string]string
	now    func() time.Time
	signer *v4.Signer
}

// identity is what a verified request proved; the chunk decoder needs it to
// check aws-chunked chunk signatures that chain from the seed signature.
type identity struct {
	AccessKey string
	Secret    string
	Region    string
	Date      time.Time
	Seed      []byte // the request's own signature, raw bytes
}

func newVerifier(creds map[string]string, now func() time.Time) *verifier {
	return &verifier{creds: creds, now: now, signer: v4.NewSigner()}
}

// verify authenticates r or returns the *Error S3 would answer with.
func (v *verifier) verify(r *http.Request) (identity, error) {
	q := r.URL.Query()
	auth := r.Header.Get("Authorization")
	switch {
	case auth != "" && isPresigned(q):
		return identity{}, ErrInvalidArgument.with("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case auth != "":
		return v.verifyHeader(r, auth)
	case isPresigned(q):
		return v.verifyPresigned(r, q)
	default:
		return identity{}, ErrAccessDenied
	}
}

func (v *verifier) verifyHeader(r *http.Request, auth string) (identity, error) {
	claim, err := parseAuthorization(auth)
	if err != nil {
		return identity{}, err
	}
	rawDate := r.Header.Get("X-Amz-Date")
	if rawDate == "" {
		return identity{}, ErrAccessDenied.with("AWS authentication requires a valid Date or x-amz-date header")
	}
	date, err := parseAmzDate(rawDate)
	if err != nil {
		return identity{}, ErrAccessDenied.with("AWS authentication requires a valid Date or x-amz-date header")
	}
	if claim.Scope.Date != date.Format("20060102") {
		return identity{}, ErrAuthHeaderMalformed.with("Invalid credential date \"" + claim.Scope.Date + "\". This date is not the same as X-Amz-Date: \"" + date.Format("20060102") + "\".")
	}
	secret, ok := v.creds[claim.Scope.AccessKey]
	if !ok {
		return identity{}, ErrInvalidAccessKeyID.withDetail("AWSAccessKeyId", claim.Scope.AccessKey)
	}
	now := v.now()
	if skew := now.Sub(date); skew > MaxClockSkew || skew < -MaxClockSkew {
		return identity{}, ErrRequestTimeTooSkewed.
			withDetail("RequestTime", rawDate).
			withDetail("ServerTime", now.UTC().Format(time.RFC3339)).
			withDetail("MaxAllowedSkewMilliseconds", strconv.FormatInt(MaxClockSkew.Milliseconds(), 10))
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		return identity{}, ErrInvalidRequest.with("Missing required header for this request: x-amz-content-sha256")
	}
	if !validPayloadHash(payloadHash) {
		return identity{}, ErrInvalidArgument.with("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}

	req, err := v.rebuild(r, claim, r.URL.RawQuery)
	if err != nil {
		return identity{}, err
	}
	capture := &signingCapture{}
	creds := aws.Credentials{AccessKeyID: claim.Scope.AccessKey, SecretAccessKey: secret}
	if err := v.signer.SignHTTP(r.Context(), creds, req, payloadHash, "s3", claim.Scope.Region, date, capture.options); err != nil {
		return identity{}, fmt.Errorf("s3: re-signing request: %w", err)
	}
	got, err := v4.GetSignedRequestSignature(req)
	if err != nil {
		return identity{}, fmt.Errorf("s3: re-signing request: %w", err)
	}
	want, _ := hex.DecodeString(claim.Signature) // parseSignature checked the hex
	if !hmac.Equal(got, want) {
		return identity{}, capture.mismatch(claim)
	}
	return identity{AccessKey: claim.Scope.AccessKey, Secret: secret, Region: claim.Scope.Region, Date: date, Seed: want}, nil
}

func (v *verifier) verifyPresigned(r *http.Request, q url.Values) (identity, error) {
	claim, err := parsePresignedQuery(q)
	if err != nil {
		return identity{}, err
	}
	if claim.Scope.Date != claim.Date.Format("20060102") {
		return identity{}, ErrAuthQueryMalformed.with("Invalid credential date \"" + claim.Scope.Date + "\". This date is not the same as X-Amz-Date: \"" + claim.Date.Format("20060102") + "\".")
	}
	secret, ok := v.creds[claim.Scope.AccessKey]
	if !ok {
		return identity{}, ErrInvalidAccessKeyID.withDetail("AWSAccessKeyId", claim.Scope.AccessKey)
	}
	now := v.now()
	if claim.Date.Sub(now) > MaxClockSkew {
		return identity{}, ErrAccessDenied.with("Request is not valid yet")
	}
	if expiry := claim.Date.Add(claim.Expires); now.After(expiry) {
		return identity{}, ErrRequestExpired.
			withDetail("Expires", expiry.UTC().Format(time.RFC3339)).
			withDetail("ServerTime", now.UTC().Format(time.RFC3339))
	}

	// Everything but the signature is part of the canonical query, and the
	// signer re-adds the X-Amz-* parameters from what we pass it. Removing
	// the parameter from the raw query keeps the client's own encoding of
	// every other parameter.
	rawQuery := removeQueryParam(r.URL.RawQuery, qSignature)
	req, err := v.rebuild(r, claim, rawQuery)
	if err != nil {
		return identity{}, err
	}
	payloadHash := q.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		payloadHash = unsignedPayload
	}
	capture := &signingCapture{}
	creds := aws.Credentials{AccessKeyID: claim.Scope.AccessKey, SecretAccessKey: secret}
	signed, _, err := v.signer.PresignHTTP(r.Context(), creds, req, payloadHash, "s3", claim.Scope.Region, claim.Date, capture.options)
	if err != nil {
		return identity{}, fmt.Errorf("s3: re-signing presigned request: %w", err)
	}
	u, err := url.Parse(signed)
	if err != nil {
		return identity{}, fmt.Errorf("s3: re-signing presigned request: %w", err)
	}
	got, err := hex.DecodeString(u.Query().Get(qSignature))
	if err != nil {
		return identity{}, fmt.Errorf("s3: re-signing presigned request: %w", err)
	}
	want, _ := hex.DecodeString(claim.Signature)
	if !hmac.Equal(got, want) {
		return identity{}, capture.mismatch(claim)
	}
	return identity{AccessKey: claim.Scope.AccessKey, Secret: secret, Region: claim.Scope.Region, Date: claim.Date, Seed: want}, nil
}

// rebuild makes the request the client signed: same method, the path exactly
// as it came over the wire, the given raw query, and only the headers named
// in SignedHeaders. The SDK signer always signs Host, and Content-Length when
// ContentLength > 0, so ContentLength is only set when the client signed it.
func (v *verifier) rebuild(r *http.Request, claim authClaim, rawQuery string) (*http.Request, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, scheme+"://placeholder/", nil)
	if err != nil {
		return nil, fmt.Errorf("s3: rebuilding request: %w", err)
	}
	// Opaque ("//host/path") makes the signer take the path verbatim
	// rather than re-escaping r.URL.Path.
	req.URL.Host = r.Host
	req.URL.Opaque = "//" + r.Host + wirePath(r)
	req.URL.RawQuery = rawQuery
	req.Host = r.Host
	req.Header = make(http.Header, len(claim.SignedHeaders))
	req.ContentLength = 0
	for _, name := range claim.SignedHeaders {
		switch name {
		case "host":
		case "content-length":
			if n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64); err == nil {
				req.ContentLength = n
			} else if r.ContentLength > 0 {
				req.ContentLength = r.ContentLength
			}
		default:
			key := http.CanonicalHeaderKey(name)
			if vals := r.Header.Values(key); len(vals) > 0 {
				req.Header[key] = vals
			}
		}
	}
	return req, nil
}

// wirePath is the request path exactly as the client sent it, which is what
// both the SDK and botocore put in the canonical request for S3.
func wirePath(r *http.Request) string {
	uri := r.RequestURI
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	if strings.HasPrefix(uri, "/") {
		return uri
	}
	if u, err := url.ParseRequestURI(uri); err == nil && u.Host != "" {
		return u.EscapedPath()
	}
	return r.URL.EscapedPath()
}

// removeQueryParam drops every name=value pair named name from a raw query,
// leaving the others byte for byte.
func removeQueryParam(rawQuery, name string) string {
	var kept []string
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(kept, "&")
}

func validPayloadHash(h string) bool {
	switch h {
	case unsignedPayload, streamingSigned, streamingSignedTrailer, streamingUnsignedTrailer:
		return true
	}
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// signingCapture collects the canonical request and string to sign that the
// SDK signer logs, so a SignatureDoesNotMatch can carry them as S3 does.
type signingCapture struct {
	canonical, stringToSign string
}

var _ logging.Logger = (*signingCapture)(nil)

func (c *signingCapture) options(o *v4.SignerOptions) {
	o.DisableURIPathEscaping = true // S3 signs the path as sent
	o.DisableHeaderHoisting = true  // keep headers where the client put them
	o.LogSigning = true
	o.Logger = c
}

// Logf receives the signer's debug message; its first two arguments are the
// canonical request and the string to sign (see logSignInfoMsg in the SDK).
func (c *signingCapture) Logf(_ logging.Classification, _ string, v ...any) {
	if len(v) >= 2 {
		c.canonical, _ = v[0].(string)
		c.stringToSign, _ = v[1].(string)
	}
}

func (c *signingCapture) mismatch(claim authClaim) *Error {
	e := ErrSignatureDoesNotMatch.withDetail("AWSAccessKeyId", claim.Scope.AccessKey)
	if c.stringToSign != "" {
		e = e.withDetail("StringToSign", c.stringToSign)
	}
	if c.canonical != "" {
		e = e.withDetail("CanonicalRequest", c.canonical)
	}
	return e
}
