package recmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// SettingsInput is the body of POST and PUT as sent: notify in any accepted form, email as
// one string, the S3 fields flat. Absent fields are nil.
type SettingsInput struct {
	Notify            *Notify `json:"notify,omitempty"`
	URL               *string `json:"url,omitempty"`
	Email             *string `json:"email,omitempty"`
	S3Arn             *string `json:"s3Arn,omitempty"`
	S3AccessKeyID     *string `json:"s3AccessKeyId,omitempty"`
	S3SecretAccessKey *string `json:"s3SecretAccessKey,omitempty"`
}

// Notify is the notify flag, sent as true, false, 1 or 0 and always answered as a boolean.
type Notify bool

// errNotify is returned by Notify.UnmarshalJSON; DecodeSettingsInput names the field.
var errNotify = errors.New("must be true, false, 1 or 0")

// UnmarshalJSON accepts exactly true, false, 1 and 0.
func (n *Notify) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", "1":
		*n = true
	case "false", "0":
		*n = false
	default:
		return errNotify
	}
	return nil
}

// DecodeSettingsInput decodes a POST or PUT body strictly: one JSON object, no unknown fields,
// every field of the right type. Errors are an *Error of CodeInvalid naming the field.
func DecodeSettingsInput(body []byte) (SettingsInput, error) {
	var in SettingsInput
	if err := DecodeJSON(body, &in); err != nil {
		return SettingsInput{}, err
	}
	return in, nil
}

// SettingsInputFromJSON is DecodeSettingsInput(b.Raw) for a body Validator.ValidateRequestJSON
// has checked against NotificationSettingsInput: the same result, without decoding the body a
// second time. Whatever it cannot take from b.Value with certainty (duplicate or unknown
// names, escaped strings, a notify other than true, false, 1 or 0, data after the object) it
// leaves to DecodeSettingsInput, errors included.
func SettingsInputFromJSON(b JSONBody) (SettingsInput, error) {
	m, ok := b.Value.(map[string]any)
	if !b.plain || !ok || !onlySpace(b.Raw[b.end:]) {
		return DecodeSettingsInput(b.Raw)
	}
	var in SettingsInput
	for k, v := range m {
		var dst **string
		switch k {
		case "notify":
			var n Notify
			switch x := v.(type) {
			case bool:
				n = Notify(x)
			case json.Number:
				if x != "1" && x != "0" {
					return DecodeSettingsInput(b.Raw)
				}
				n = x == "1"
			default:
				return DecodeSettingsInput(b.Raw)
			}
			in.Notify = &n
			continue
		case "url":
			dst = &in.URL
		case "email":
			dst = &in.Email
		case "s3Arn":
			dst = &in.S3Arn
		case "s3AccessKeyId":
			dst = &in.S3AccessKeyID
		case "s3SecretAccessKey":
			dst = &in.S3SecretAccessKey
		default:
			return DecodeSettingsInput(b.Raw)
		}
		s, ok := v.(string)
		if !ok {
			return DecodeSettingsInput(b.Raw)
		}
		*dst = &s
	}
	return in, nil
}

// DecodeJSON decodes body into v strictly: exactly one JSON value, no unknown fields. Errors
// are an *Error of CodeInvalid naming the field and the rule.
func DecodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Invalid(jsonFieldError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid(FieldError{Field: "body", Message: "unexpected data after the JSON value"})
	}
	return nil
}

// jsonFieldError turns an encoding/json error into the field and rule a client can act on.
func jsonFieldError(err error) FieldError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return FieldError{Field: "body", Message: "is empty; send a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return FieldError{Field: "body", Message: "invalid JSON: unexpected end of input"}
	case errors.Is(err, errNotify):
		return FieldError{Field: "notify", Message: errNotify.Error()}
	case errors.As(err, &syntax):
		return FieldError{Field: "body", Message: fmt.Sprintf("invalid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return FieldError{Field: "body", Message: "must be a JSON object, not " + jsonKind(typ.Value)}
		}
		if typ.Field == "notify" {
			return FieldError{Field: "notify", Message: errNotify.Error()}
		}
		return FieldError{Field: typ.Field, Message: "must be a " + typ.Type.String() + ", not " + jsonKind(typ.Value)}
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "emails"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, uerr := strconv.Unquote(name); uerr == nil {
			name = f
		}
		if name == "" {
			return FieldError{Field: "body", Message: "has a field with an empty name"}
		}
		return FieldError{Field: name, Message: "is not a known field"}
	}
	return FieldError{Field: "body", Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func jsonKind(v string) string {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return "a number"
	case v == "object", v == "array", v == "string", v == "bool":
		if v == "bool" {
			return "a boolean"
		}
		if v == "array" || v == "object" {
			return "an " + v
		}
		return "a string"
	}
	return v
}

// MaxEmails bounds the addresses one setting may hold.
const MaxEmails = 100

// Settings applies the rules the schema cannot express — e-mail splitting and validity, S3
// all-or-none, the ARN's structure and bucket name, the URL's host — and returns the settings
// to store for username. Every broken rule is reported, not only the first.
func (in SettingsInput) Settings(username string) (Settings, error) {
	s := Settings{Username: username, Email: []string{}}
	var errs []FieldError
	if in.Notify == nil {
		errs = append(errs, FieldError{Field: "notify", Message: "is required"})
	} else {
		s.Notify = bool(*in.Notify)
	}
	if in.URL != nil && *in.URL != "" {
		if msg := checkURL(*in.URL); msg != "" {
			errs = append(errs, FieldError{Field: "url", Message: msg})
		} else {
			s.URL = *in.URL
		}
	}
	if in.Email != nil {
		emails, ferrs := SplitEmails(*in.Email)
		s.Email = emails
		errs = append(errs, ferrs...)
	}
	s3, ferrs := in.s3Settings()
	s.S3 = s3
	errs = append(errs, ferrs...)
	if len(errs) > 0 {
		return Settings{}, Invalid(errs...)
	}
	return s, nil
}

func checkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("%q is not a valid URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("%q must be an absolute URL starting with http:// or https://", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Sprintf("%q has no host", raw)
	}
	return ""
}

// s3Settings enforces all-or-none and parses the ARN.
func (in SettingsInput) s3Settings() (*S3Settings, []FieldError) {
	fields := []struct {
		name string
		v    *string
	}{{"s3Arn", in.S3Arn}, {"s3AccessKeyId", in.S3AccessKeyID}, {"s3SecretAccessKey", in.S3SecretAccessKey}}
	var given, missing []string
	var errs []FieldError
	for _, f := range fields {
		switch {
		case f.v == nil:
			missing = append(missing, f.name)
		case *f.v == "":
			errs = append(errs, FieldError{Field: f.name, Message: "must not be empty"})
			given = append(given, f.name)
		default:
			given = append(given, f.name)
		}
	}
	if len(given) == 0 {
		return nil, nil
	}
	if len(missing) > 0 {
		verb := "is"
		if len(given) > 1 {
			verb = "are"
		}
		for _, m := range missing {
			errs = append(errs, FieldError{Field: m, Message: "required when " + strings.Join(given, " and ") + " " + verb + " given (the three S3 fields go together)"})
		}
	}
	if in.S3Arn != nil && *in.S3Arn != "" {
		if _, err := ParseS3ARN(*in.S3Arn); err != nil {
			errs = append(errs, FieldError{Field: "s3Arn", Message: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &S3Settings{ARN: *in.S3Arn, AccessKeyID: *in.S3AccessKeyID, SecretAccessKey: *in.S3SecretAccessKey}, nil
}
