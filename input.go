package recmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SettingsInput is the body of POST and PUT as sent: notify in any accepted form, email as
// one string, the S3 fields flat. Absent fields are nil. Encoded with encoding/json it is a body
// the API accepts.
type SettingsInput struct {
	Notify            *Notify `json:"notify,omitempty"`
	URL               *string `json:"url,omitempty"`
	Email             *string `json:"email,omitempty"`
	S3Arn             *string `json:"s3Arn,omitempty"`
	S3AccessKeyID     *string `json:"s3AccessKeyId,omitempty"`
	S3SecretAccessKey *string `json:"s3SecretAccessKey,omitempty" recmock:"secret"`
}

// Notify is the notify flag, sent as true, false, 1 or 0 and always answered as a boolean.
type Notify bool

// notifyRule is the rule for notify's forms, as openapi.yaml words it.
const notifyRule = "must be true, false, 1 or 0"

// UnmarshalJSON accepts true, false and the numbers 1 and 0 (see notifyNumber).
func (n *Notify) UnmarshalJSON(b []byte) error {
	switch s := string(bytes.TrimSpace(b)); s {
	case "true":
		*n = true
	case "false":
		*n = false
	default:
		v, ok := notifyNumber(s)
		if !ok {
			return errors.New(notifyRule)
		}
		*n = v
	}
	return nil
}

// notifyNumber reads a JSON number as notify. Numbers count by value, as openapi.yaml's
// enum [0, 1] compares them (JSON Schema validators, kin-openapi among them, read numbers as
// float64): 1.0 and 1e0 are 1, -0 is 0. A text that is no number, or another value, is not
// notify.
func notifyNumber(s string) (Notify, bool) {
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return false, false
	case f == 1:
		return true, true
	case f == 0:
		return false, true
	}
	return false, false
}

// ParseSettings reads a POST or PUT body — its JSON value as encoding/json decodes it into an
// any with UseNumber — and applies every input rule: the settings to store for username, or a
// CodeInvalid *Error naming every broken rule.
func ParseSettings(body any, username string) (Settings, error) {
	in, errs := ReadSettingsInput(body)
	if _, isObject := body.(map[string]any); !isObject {
		return Settings{}, Invalid(errs...)
	}
	s, err := in.Settings(username)
	if err == nil && len(errs) == 0 {
		return s, nil
	}
	var rules []FieldError
	if e, ok := errors.AsType[*Error](err); ok {
		rules = e.Fields
	}
	return Settings{}, Invalid(MergeFieldErrors(errs, rules)...)
}

// ReadSettingsInput takes the fields of a body decoded as for ParseSettings, reporting those
// it cannot take: unknown names and values of the wrong JSON type. A field of the wrong type
// counts as given for the rules between fields (the S3 fields go together), with an empty value.
func ReadSettingsInput(body any) (SettingsInput, []FieldError) {
	obj, ok := body.(map[string]any)
	if !ok {
		msg := "must be an object"
		if body == nil {
			msg += ", not null"
		}
		return SettingsInput{}, []FieldError{{Field: "body", Message: msg}}
	}
	var in SettingsInput
	var errs []FieldError
	str := func(name string, v any) *string {
		s, ok := v.(string)
		if !ok {
			errs = append(errs, FieldError{Field: name, Message: "must be a string"})
		}
		return &s
	}
	for k, v := range obj {
		switch k {
		case "notify":
			switch x := v.(type) {
			case bool:
				n := Notify(x)
				in.Notify = &n
			case json.Number:
				n, ok := notifyNumber(string(x))
				if !ok {
					errs = append(errs, FieldError{Field: k, Message: notifyRule})
					continue
				}
				in.Notify = &n
			default:
				errs = append(errs, FieldError{Field: k, Message: notifyRule})
			}
		case "url":
			in.URL = str(k, v)
		case "email":
			in.Email = str(k, v)
		case "s3Arn":
			in.S3Arn = str(k, v)
		case "s3AccessKeyId":
			in.S3AccessKeyID = str(k, v)
		case "s3SecretAccessKey":
			in.S3SecretAccessKey = str(k, v)
		case "":
			errs = append(errs, FieldError{Field: "body", Message: "has a field with an empty name"})
		default:
			errs = append(errs, FieldError{Field: k, Message: "is not a known field"})
		}
	}
	return in, sortFieldErrors(errs)
}

// MergeFieldErrors lists the errors of first, then those of second for fields first does not
// name, sorted by field: two checks of one body (recmock's rules, openapi.yaml's schema) make
// one answer that names every field once, worded by the check that comes first.
func MergeFieldErrors(first, second []FieldError) []FieldError {
	out := slices.Clone(first)
	for _, f := range second {
		if !slices.ContainsFunc(first, func(g FieldError) bool { return g.Field == f.Field }) {
			out = append(out, f)
		}
	}
	return sortFieldErrors(out)
}

func sortFieldErrors(errs []FieldError) []FieldError {
	slices.SortStableFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}

// MaxEmails bounds the addresses one setting may hold, counted as sent: duplicates count.
const MaxEmails = 100

// The longest values the fields take, in characters (Unicode code points, as openapi.yaml's
// maxLength counts them).
const (
	maxURLLen   = 2048
	maxEmailLen = 65536 // the whole field; each address has its own bound in checkEmail
	maxARNLen   = 2048
	maxKeyLen   = 256 // s3AccessKeyId and s3SecretAccessKey
)

// checkLen says what is wrong with a value over n characters, in the words of
// openapi.yaml's maxLength.
func checkLen(v string, n int) string {
	if len(v) <= n || utf8.RuneCountInString(v) <= n {
		return ""
	}
	return fmt.Sprintf("must be at most %d characters long", n)
}

// Settings applies the rules between and within fields — notify required, e-mail splitting and
// validity, S3 all-or-none, the ARN's structure and bucket name, the URL's form, every
// field's length — and returns the settings to store for username. Every broken rule is
// reported, not only the first. openapi.yaml's NotificationSettingsInput states the same
// rules; the tests hold the two equal.
func (in SettingsInput) Settings(username string) (Settings, error) {
	s := Settings{Username: username, Email: []string{}}
	var errs []FieldError
	if in.Notify == nil {
		errs = append(errs, FieldError{Field: "notify", Message: "is required"})
	} else {
		s.Notify = bool(*in.Notify)
	}
	if in.URL != nil && *in.URL != "" {
		msg := checkLen(*in.URL, maxURLLen)
		if msg == "" {
			msg = checkURL(*in.URL)
		}
		if msg != "" {
			errs = append(errs, FieldError{Field: "url", Message: msg})
		} else {
			s.URL = *in.URL
		}
	}
	if in.Email != nil {
		if msg := checkLen(*in.Email, maxEmailLen); msg != "" {
			errs = append(errs, FieldError{Field: "email", Message: msg})
		} else {
			emails, ferrs := SplitEmails(*in.Email)
			s.Email = emails
			errs = append(errs, ferrs...)
		}
	}
	s3, ferrs := in.s3Settings()
	s.S3 = s3
	errs = append(errs, ferrs...)
	if len(errs) > 0 {
		return Settings{}, Invalid(sortFieldErrors(errs)...)
	}
	return s, nil
}

// s3Settings enforces all-or-none and parses the ARN.
func (in SettingsInput) s3Settings() (*S3Settings, []FieldError) {
	fields := []struct {
		name string
		v    *string
		n    int
	}{{"s3Arn", in.S3Arn, maxARNLen}, {"s3AccessKeyId", in.S3AccessKeyID, maxKeyLen}, {"s3SecretAccessKey", in.S3SecretAccessKey, maxKeyLen}}
	var given, missing []string
	var errs []FieldError
	arnOK := in.S3Arn != nil
	for _, f := range fields {
		if f.v == nil {
			missing = append(missing, f.name)
			continue
		}
		given = append(given, f.name)
		msg := checkLen(*f.v, f.n)
		if *f.v == "" {
			msg = "must not be empty"
		}
		if msg != "" {
			errs = append(errs, FieldError{Field: f.name, Message: msg})
			arnOK = arnOK && f.name != "s3Arn"
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
	if arnOK {
		if _, err := ParseS3ARN(*in.S3Arn); err != nil {
			errs = append(errs, FieldError{Field: "s3Arn", Message: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &S3Settings{ARN: *in.S3Arn, AccessKeyID: *in.S3AccessKeyID, SecretAccessKey: *in.S3SecretAccessKey}, nil
}
