package recmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
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

// UnmarshalJSON accepts exactly true, false, 1 and 0.
func (n *Notify) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", "1":
		*n = true
	case "false", "0":
		*n = false
	default:
		return errors.New(notifyRule)
	}
	return nil
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
				if x == "1" || x == "0" {
					n := Notify(x == "1")
					in.Notify = &n
					continue
				}
				errs = append(errs, FieldError{Field: k, Message: notifyRule})
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

// MaxEmails bounds the addresses one setting may hold.
const MaxEmails = 100

// Settings applies the rules between and within fields — notify required, e-mail splitting and
// validity, S3 all-or-none, the ARN's structure and bucket name, the URL's host — and returns
// the settings to store for username. Every broken rule is reported, not only the first.
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
		return Settings{}, Invalid(sortFieldErrors(errs)...)
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
