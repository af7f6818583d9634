package recmock

import "log/slog"

// Redacted is how secrets appear in logs and journals.
const Redacted = "***"

// Settings are an account's notification settings as the API answers them.
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
	SecretAccessKey string `json:"s3SecretAccessKey"`
}

// Redacted returns a copy whose S3 secret reads "***", for logs and journals.
func (s Settings) Redacted() Settings {
	if s.S3 != nil {
		c := *s.S3
		c.SecretAccessKey = Redacted
		s.S3 = &c
	}
	return s
}

// LogValue keeps the S3 secret out of logs.
func (s Settings) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("username", s.Username),
		slog.Bool("notify", s.Notify),
		slog.String("url", s.URL),
		slog.Any("email", s.Email),
	}
	if s.S3 != nil {
		attrs = append(attrs, slog.String("s3Arn", s.S3.ARN), slog.String("s3AccessKeyId", s.S3.AccessKeyID), slog.String("s3SecretAccessKey", Redacted))
	}
	return slog.GroupValue(attrs...)
}
