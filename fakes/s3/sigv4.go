package s3

import (
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file only parses what a client claims (Authorization header or
// presigned query); verify.go checks the claim. Parsing is kept free of I/O
// and clocks so it can be fuzzed.

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateLayout  = "20060102T150405Z"
	scopeDateLen   = len("20060102")

	// MaxPresignExpiry is the longest X-Amz-Expires S3 accepts: one week.
	MaxPresignExpiry = 7 * 24 * time.Hour
	// MaxClockSkew is how far a header-signed request's X-Amz-Date may be
	// from the server clock before S3 answers RequestTimeTooSkewed.
	MaxClockSkew = 15 * time.Minute
)

// credentialScope is "AKID/20060102/region/service/aws4_request".
type credentialScope struct {
	AccessKey string
	Date      string // yyyymmdd
	Region    string
	Service   string
}

func (c credentialScope) String() string {
	return c.AccessKey + "/" + c.Date + "/" + c.Region + "/" + c.Service + "/aws4_request"
}

// authClaim is what a request says about its own signature.
type authClaim struct {
	Scope         credentialScope
	SignedHeaders []string // lower case, in the order the client sent them
	Signature     string   // 64 lower-case hex digits
	Presigned     bool
	Date          time.Time     // X-Amz-Date (presigned only; header auth reads it in verify)
	Expires       time.Duration // presigned only
}

// parseAuthorization parses a SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc...
func parseAuthorization(header string) (authClaim, error) {
	var claim authClaim
	rest, ok := strings.CutPrefix(header, sigV4Algorithm+" ")
	if !ok {
		if strings.HasPrefix(header, "AWS ") || strings.HasPrefix(header, "AWS4-ECDSA-P256-SHA256 ") {
			return claim, ErrInvalidRequest.with("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		return claim, ErrAuthHeaderMalformed.with("The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	var cred, signed, sig string
	var seenCred, seenSigned, seenSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return claim, ErrAuthHeaderMalformed.with("The authorization header is malformed; the authorization component \"" + part + "\" is malformed.")
		}
		var seen *bool
		switch k {
		case "Credential":
			cred, seen = v, &seenCred
		case "SignedHeaders":
			signed, seen = v, &seenSigned
		case "Signature":
			sig, seen = v, &seenSig
		default:
			return claim, ErrAuthHeaderMalformed.with("The authorization header is malformed; the authorization component \"" + part + "\" is malformed.")
		}
		if *seen {
			return claim, ErrAuthHeaderMalformed.with("The authorization header is malformed; " + k + " is repeated.")
		}
		*seen = true
	}
	if !seenCred || !seenSigned || !seenSig {
		return claim, ErrAuthHeaderMalformed.with("The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	var err error
	if claim.Scope, err = parseCredential(cred, ErrAuthHeaderMalformed); err != nil {
		return authClaim{}, err
	}
	if claim.SignedHeaders, err = parseSignedHeaders(signed, ErrAuthHeaderMalformed); err != nil {
		return authClaim{}, err
	}
	if claim.Signature, err = parseSignature(sig, ErrAuthHeaderMalformed); err != nil {
		return authClaim{}, err
	}
	return claim, nil
}

// Query parameters of a presigned URL.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
)

// isPresigned reports whether a query tries to authenticate (SigV4 or V2).
func isPresigned(q url.Values) bool {
	return q.Has(qAlgorithm) || q.Has(qSignature) || q.Has(qCredential) ||
		(q.Has("AWSAccessKeyId") && q.Has("Signature"))
}

// parsePresignedQuery parses the X-Amz-* parameters of a presigned URL.
func parsePresignedQuery(q url.Values) (authClaim, error) {
	claim := authClaim{Presigned: true}
	if q.Has("AWSAccessKeyId") && !q.Has(qAlgorithm) {
		// aws CLI v1 presigns with SigV2 when given --endpoint-url.
		return claim, ErrInvalidRequest.with("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256. (For `aws s3 presign`, set \"s3 =\\n    signature_version = s3v4\" in the CLI config.)")
	}
	one := func(name string) (string, error) {
		v := q[name]
		switch {
		case len(v) == 0:
			return "", ErrAuthQueryMalformed.with("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		case len(v) > 1:
			return "", ErrAuthQueryMalformed.with("The parameter " + name + " is repeated.")
		}
		return v[0], nil
	}
	var vals [6]string
	for i, name := range []string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature} {
		v, err := one(name)
		if err != nil {
			return authClaim{}, err
		}
		vals[i] = v
	}
	if vals[0] != sigV4Algorithm {
		return authClaim{}, ErrAuthQueryMalformed.with("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	var err error
	if claim.Scope, err = parseCredential(vals[1], ErrAuthQueryMalformed); err != nil {
		return authClaim{}, err
	}
	if claim.Date, err = parseAmzDate(vals[2]); err != nil {
		return authClaim{}, ErrAuthQueryMalformed.with("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	secs, err := strconv.ParseInt(vals[3], 10, 64)
	switch {
	case err != nil || secs < 0:
		return authClaim{}, ErrAuthQueryMalformed.with("X-Amz-Expires should be a number")
	case secs == 0 || time.Duration(secs)*time.Second > MaxPresignExpiry:
		return authClaim{}, ErrAuthQueryMalformed.with("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	claim.Expires = time.Duration(secs) * time.Second
	if claim.SignedHeaders, err = parseSignedHeaders(vals[4], ErrAuthQueryMalformed); err != nil {
		return authClaim{}, err
	}
	if claim.Signature, err = parseSignature(vals[5], ErrAuthQueryMalformed); err != nil {
		return authClaim{}, err
	}
	return claim, nil
}

func parseCredential(s string, malformed *Error) (credentialScope, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	c := credentialScope{AccessKey: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}
	switch {
	case c.AccessKey == "":
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; the access key ID is empty.")
	case len(c.Date) != scopeDateLen || !allDigits(c.Date):
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; incorrect date format \"" + c.Date + "\". This date in the credential must be in the format \"yyyyMMdd\".")
	case c.Region == "":
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; the region is empty.")
	case c.Service != "s3":
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; incorrect service \"" + c.Service + "\". This endpoint belongs to \"s3\".")
	case parts[4] != "aws4_request":
		return credentialScope{}, malformed.with("Error parsing the Credential parameter; incorrect terminal \"" + parts[4] + "\". This endpoint uses \"aws4_request\".")
	}
	return c, nil
}

func parseSignedHeaders(s string, malformed *Error) ([]string, error) {
	if s == "" {
		return nil, malformed.with("SignedHeaders is empty.")
	}
	names := strings.Split(s, ";")
	host := false
	for _, n := range names {
		if n == "" || !isLowerToken(n) {
			return nil, malformed.with("SignedHeaders must be lower-case header names separated by ';'.")
		}
		host = host || n == "host"
	}
	if !host {
		// S3 insists the Host is signed: without it a signature could be
		// replayed against another endpoint.
		return nil, ErrAccessDenied.with("There were headers present in the request which were not signed: host")
	}
	return names, nil
}

func parseSignature(s string, malformed *Error) (string, error) {
	if len(s) != 64 {
		return "", malformed.with("Signature must be 64 hexadecimal digits.")
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", malformed.with("Signature must be 64 hexadecimal digits.")
	}
	return strings.ToLower(s), nil
}

func parseAmzDate(s string) (time.Time, error) {
	return time.Parse(amzDateLayout, s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isLowerToken reports whether s is a lower-case RFC 9110 token.
func isLowerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
