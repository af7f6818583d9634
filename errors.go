package recmock

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Code classifies an Error. Each code is one failure a client can tell apart, and maps to
// exactly one HTTP status in HTTPStatus.
type Code string

// The error codes. Where the vendor's article is silent, the HTTP statuses they map to are
// recmock's decisions, documented in openapi.yaml and the README.
const (
	CodeInvalid          Code = "invalid"                // 400
	CodeUnauthorized     Code = "unauthorized"           // 401
	CodeForbidden        Code = "forbidden"              // 403
	CodeNotFound         Code = "not_found"              // 404
	CodeMethodNotAllowed Code = "method_not_allowed"     // 405
	CodeConflict         Code = "conflict"               // 409
	CodeTooLarge         Code = "too_large"              // 413
	CodeMediaType        Code = "unsupported_media_type" // 415
	CodeInternal         Code = "internal"               // 500
	CodeNotImplemented   Code = "not_implemented"        // 501
	CodeBadGateway       Code = "bad_gateway"            // 502
	CodeGatewayTimeout   Code = "gateway_timeout"        // 504
)

// codes is the one table that maps error codes to HTTP statuses and message prefixes.
var codes = map[Code]struct {
	status int
	prefix string
}{
	CodeInvalid:          {http.StatusBadRequest, "invalid input"},
	CodeUnauthorized:     {http.StatusUnauthorized, "not authorized"},
	CodeForbidden:        {http.StatusForbidden, "forbidden"},
	CodeNotFound:         {http.StatusNotFound, "not found"},
	CodeMethodNotAllowed: {http.StatusMethodNotAllowed, "method not allowed"},
	CodeConflict:         {http.StatusConflict, "conflict"},
	CodeTooLarge:         {http.StatusRequestEntityTooLarge, "request body too large"},
	CodeMediaType:        {http.StatusUnsupportedMediaType, "unsupported media type"},
	CodeInternal:         {http.StatusInternalServerError, "internal error"},
	CodeNotImplemented:   {http.StatusNotImplemented, "not implemented"},
	CodeBadGateway:       {http.StatusBadGateway, "bad gateway"},
	CodeGatewayTimeout:   {http.StatusGatewayTimeout, "gateway timeout"},
}

// HTTPStatus is the HTTP status that answers an error of this code.
func (c Code) HTTPStatus() int {
	if e, ok := codes[c]; ok {
		return e.status
	}
	return http.StatusInternalServerError
}

// FieldError is one broken rule: the field, as a JSON name or dotted path, and the rule.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (f FieldError) String() string {
	if f.Field == "" {
		return f.Message
	}
	return f.Field + ": " + f.Message
}

// Error is a failure a client should see: a code, a message naming the field and the rule,
// the fields in detail, and the cause, which is never shown to clients.
type Error struct {
	Code    Code
	Message string       // overrides the message built from Fields, when set
	Fields  []FieldError // one entry per broken rule
	Err     error        // the cause, for logs and errors.Is; never sent to clients
}

var _ error = (*Error)(nil)

// Error reads "<what happened>: <message>", e.g. "invalid input: email: ...".
func (e *Error) Error() string {
	prefix := string(e.Code)
	if c, ok := codes[e.Code]; ok {
		prefix = c.prefix
	}
	msg := e.Message
	if msg == "" {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.String()
		}
		msg = strings.Join(parts, "; ")
	}
	if msg == "" {
		return prefix
	}
	return prefix + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given code with a formatted message. A %w verb sets the
// cause as well.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Invalid returns a CodeInvalid error for the given broken rules.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, and CodeInternal when there
// is none: an error we did not classify is our fault, not the client's.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodeInternal
}

// ErrorEnvelope is what a client receives for err: the HTTP status and the failure envelope.
// Errors that are not an *Error are answered as a generic internal error, so no internal
// detail leaks.
func ErrorEnvelope(err error) (int, Envelope) {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		e = &Error{Code: CodeInternal, Message: "the request could not be completed"}
	}
	status := StatusFailed
	if e.Code == CodeUnauthorized {
		status = StatusUnauthorized
	}
	return e.Code.HTTPStatus(), Envelope{
		Status:  status,
		Content: Content{Message: e.Error(), Errors: e.Fields},
	}
}
