package s3

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultAddr           = "127.0.0.1:0"
	DefaultRegion         = "us-east-1"
	DefaultMaxObjectBytes = 256 << 20 // 256 MiB
)

// Config configures a Server. The zero value is a usable in-memory,
// non-strict fake on a free loopback port.
type Config struct {
	// Addr is the TCP address Start listens on. Default "127.0.0.1:0"
	// (a free port; see Server.URL).
	Addr string

	// Strict makes every request prove a valid AWS SigV4 signature (header
	// or presigned URL) from one of Credentials, checks presigned expiry,
	// and stops creating buckets on first write. Default false: any
	// credentials, or none, are accepted, as with gofakes3.
	Strict bool

	// Credentials maps access key IDs to secret access keys. Strict mode
	// needs at least one; non-strict mode ignores them. Default none.
	Credentials map[string]string

	// DataPath is a bbolt file holding buckets and objects so they survive
	// a restart. Default "": in memory. In-progress multipart uploads are
	// always kept in memory.
	DataPath string

	// Region is the region Client signs for. Strict mode accepts a
	// signature for any region, since S3 would redirect rather than reject.
	// Default "us-east-1".
	Region string

	// Buckets are created by New and again after Reset; existing ones are
	// kept. Default none.
	Buckets []string

	// MaxObjectBytes bounds one object: a request body (decoded, for
	// aws-chunked uploads) and the sum of the parts of one multipart
	// upload. Larger uploads get EntityTooLarge. gofakes3 holds objects in
	// memory, hence a limit far below S3's 5 TiB. Default 256 MiB.
	MaxObjectBytes int64

	// Logger receives one record per request (secrets and signatures
	// redacted). Default: discard.
	Logger *slog.Logger

	// Now is the server clock: for presigned URL expiry, the X-Amz-Date
	// skew check, Last-Modified and the Date header. Default time.Now.
	Now func() time.Time

	// TLSConfig, when not nil, makes Start serve HTTPS with its certificates;
	// URL then begins with https://, and so do the URLs presigned for it.
	// Default nil: plain HTTP.
	TLSConfig *tls.Config
}

// Sentinels for configuration errors returned by New.
var (
	ErrNoCredentials     = errors.New("s3: strict mode needs at least one credential")
	ErrInvalidCredential = errors.New("s3: access key ID and secret must not be empty")
	ErrInvalidConfig     = errors.New("s3: invalid config")
)

// withDefaults fills zero fields and validates the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.MaxObjectBytes == 0 {
		c.MaxObjectBytes = DefaultMaxObjectBytes
	}
	if c.MaxObjectBytes < 0 {
		return c, fmt.Errorf("%w: MaxObjectBytes %d is negative", ErrInvalidConfig, c.MaxObjectBytes)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	// Copy the map so a caller mutating theirs cannot race with requests.
	c.Credentials = maps.Clone(c.Credentials)
	for k, v := range c.Credentials {
		if k == "" || v == "" {
			return c, ErrInvalidCredential
		}
	}
	if c.Strict && len(c.Credentials) == 0 {
		return c, ErrNoCredentials
	}
	c.Buckets = slices.Clone(c.Buckets)
	for _, b := range c.Buckets {
		if err := gofakes3.ValidateBucketName(b); err != nil {
			return c, fmt.Errorf("%w: bucket %q: %w", ErrInvalidConfig, b, err)
		}
	}
	return c, nil
}

// String describes c with every secret shown as "***", so a Config can be
// printed or logged safely.
func (c Config) String() string {
	keys := slices.Sorted(maps.Keys(c.Credentials))
	creds := make([]string, len(keys))
	for i, k := range keys {
		creds[i] = k + ":***"
	}
	return fmt.Sprintf("s3.Config{Addr:%q Strict:%t Credentials:[%s] DataPath:%q Region:%q Buckets:%q MaxObjectBytes:%d}",
		c.Addr, c.Strict, strings.Join(creds, " "), c.DataPath, c.Region, c.Buckets, c.MaxObjectBytes)
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// LogValue redacts secrets when a Config is logged with slog.
func (c Config) LogValue() slog.Value {
	keys := slices.Sorted(maps.Keys(c.Credentials))
	creds := make([]slog.Attr, len(keys))
	for i, k := range keys {
		creds[i] = slog.String(k, "***")
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.Bool("strict", c.Strict),
		slog.Any("credentials", slog.GroupValue(creds...)),
		slog.String("data_path", c.DataPath),
		slog.String("region", c.Region),
		slog.Any("buckets", c.Buckets),
		slog.Int64("max_object_bytes", c.MaxObjectBytes),
	)
}

var (
	_ fmt.Stringer   = Config{}
	_ fmt.GoStringer = Config{}
	_ slog.LogValuer = Config{}
)
