package s3

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// Error is an S3 error as it goes over the wire: a code a client switches on,
// a human message and the HTTP status. The package's sentinels are *Error
// values; errors.Is matches any *Error with the same Code, so a sentinel
// matches the same failure with a more specific message.
type Error struct {
	Code    string
	Message string
	Status  int

	// Extra XML elements real S3 adds for some codes (StringToSign and
	// CanonicalRequest on SignatureDoesNotMatch, ServerTime on
	// RequestTimeTooSkewed). They help people debug their signer; they
	// never contain a secret.
	details []xmlElement
}

var (
	_ error                       = (*Error)(nil)
	_ interface{ Is(error) bool } = (*Error)(nil)
)

func (e *Error) Error() string { return "s3: " + e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// with returns a copy of e with another message; the sentinel stays intact.
func (e *Error) with(message string) *Error {
	c := *e
	c.Message = message
	c.details = nil
	return &c
}

// withDetail returns a copy of e with an extra XML element appended.
func (e *Error) withDetail(name, value string) *Error {
	c := *e
	c.details = append(append([]xmlElement(nil), e.details...), xmlElement{XMLName: xml.Name{Local: name}, Value: value})
	return &c
}

// The errors strict mode and the body checks answer with. Codes, statuses and
// messages are the ones AWS S3 uses, so SDKs surface them unchanged.
var (
	ErrAccessDenied          = &Error{Code: "AccessDenied", Message: "Access Denied", Status: http.StatusForbidden}
	ErrRequestExpired        = &Error{Code: "AccessDenied", Message: "Request has expired", Status: http.StatusForbidden}
	ErrSignatureDoesNotMatch = &Error{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.", Status: http.StatusForbidden}
	ErrInvalidAccessKeyID    = &Error{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records.", Status: http.StatusForbidden}
	ErrRequestTimeTooSkewed  = &Error{Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large.", Status: http.StatusForbidden}
	ErrAuthHeaderMalformed   = &Error{Code: "AuthorizationHeaderMalformed", Message: "The authorization header is malformed.", Status: http.StatusBadRequest}
	ErrAuthQueryMalformed    = &Error{Code: "AuthorizationQueryParametersError", Message: "Error parsing the X-Amz-Credential parameter.", Status: http.StatusBadRequest}
	ErrInvalidRequest        = &Error{Code: "InvalidRequest", Message: "Invalid Request", Status: http.StatusBadRequest}
	ErrInvalidArgument       = &Error{Code: "InvalidArgument", Message: "Invalid Argument", Status: http.StatusBadRequest}
	ErrContentSHA256Mismatch = &Error{Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed.", Status: http.StatusBadRequest}
	ErrBadDigest             = &Error{Code: "BadDigest", Message: "The checksum you specified did not match the calculated checksum.", Status: http.StatusBadRequest}
	ErrEntityTooLarge        = &Error{Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size", Status: http.StatusBadRequest}
	ErrRequestTimeout        = &Error{Code: "RequestTimeout", Message: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.", Status: http.StatusBadRequest}
	ErrIncompleteBody        = &Error{Code: "IncompleteBody", Message: "You did not provide the number of bytes specified by the Content-Length HTTP header.", Status: http.StatusBadRequest}
	ErrInvalidBucketName     = &Error{Code: "InvalidBucketName", Message: "The specified bucket is not valid.", Status: http.StatusBadRequest}
)

// Errors of the Go API, not of the wire.
var (
	ErrServerStarted = errors.New("s3: server already started")
	ErrServerClosed  = errors.New("s3: server closed")
)

type xmlElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Details   []xmlElement
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// writeError answers with the S3 XML error document. HEAD responses carry no
// body, as on S3; clients then go by the status alone.
func writeError(w http.ResponseWriter, r *http.Request, e *Error, requestID string) {
	body, err := xml.Marshal(xmlError{Code: e.Code, Message: e.Message, Details: e.details, RequestID: requestID, HostID: requestID})
	if err != nil { // cannot happen: every field is a string
		body = nil
	}
	doc := append([]byte(xml.Header), body...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-amz-request-id", requestID)
	h.Del("ETag")
	h.Del("Last-Modified")
	if r.Method == http.MethodHead {
		h.Del("Content-Length")
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(doc)
}
