package recmock

import (
	"log/slog"
	"reflect"
	"strings"
)

// Settings are an account's notification settings as the API answers them. A field tagged
// `recmock:"secret"` is masked wherever recmock shows what went over the wire (see IsSecret).
type Settings struct {
	Username string      `json:"username"`
	Notify   bool        `json:"notify"`
	URL      string      `json:"url,omitempty"`
	Email    []string    `json:"email"`
	S3       *S3Settings `json:"s3Settings,omitempty"`
}

// S3Settings say where and with which credentials recordings are uploaded.
type S3Settings struct {
	ARN             string `json:"s3Arn"`
	AccessKeyID     string `json:"s3AccessKeyId"`
	SecretAccessKey string `json:"s3SecretAccessKey" recmock:"secret"`
}

// Redacted returns a copy whose secrets read "***", for logs, journals and admin answers.
func (s Settings) Redacted() Settings {
	redactStruct(reflect.ValueOf(&s).Elem())
	return s
}

// LogValue logs the settings under their JSON names, secrets masked.
func (s Settings) LogValue() slog.Value { return logValue(reflect.ValueOf(s.Redacted())) }

// Input is the POST or PUT body that stores s again: notify as a boolean, the addresses
// joined with commas (which the API splits back into the same list), the S3 fields flat.
func (s Settings) Input() SettingsInput {
	n := Notify(s.Notify)
	in := SettingsInput{Notify: &n}
	if s.URL != "" {
		in.URL = &s.URL
	}
	if len(s.Email) > 0 {
		e := strings.Join(s.Email, ",")
		in.Email = &e
	}
	if s.S3 != nil {
		c := *s.S3
		in.S3Arn, in.S3AccessKeyID, in.S3SecretAccessKey = &c.ARN, &c.AccessKeyID, &c.SecretAccessKey
	}
	return in
}
