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
	DefaultAddr              = "127.0.0.1:0"
	DefaultRegion            = "us-east-1"
	DefaultMaxObjectBytes    = 256 << 20 // 256 MiB
	DefaultMaxBytes          = 1 << 30   // 1 GiB
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMinRate           = 64 << 10 // 64 KiB/s
	DefaultMaxHeaderBytes    = 64 << 10 // 64 KiB
	DefaultShutdownTimeout   = 5 * time.Second
)

// ObjectOverhead is what each object counts against Config.MaxBytes beside its size:
// room for a key of up to 1 KiB, 2 KB of metadata and the bookkeeping, so that a
// million empty objects cannot slip under the bound. An upload in progress counts it
// too.
const ObjectOverhead = 4 << 10

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

	// CredentialBuckets limits access keys of Credentials to the buckets
	// listed, as an IAM policy naming those buckets would: in strict mode a
	// request for another bucket, for none (ListBuckets), or copying from
	// another bucket gets AccessDenied. Keys not in the map may use every
	// bucket. Default none.
	CredentialBuckets map[string][]string

	// CORSOrigins are the origins ("http://127.0.0.1:8080", scheme, host and
	// port, as browsers send them) whose pages may call the fake from a
	// browser; "*" allows every origin. Preflights from them are answered
	// with the methods and headers asked for; responses to them carry
	// Access-Control-Allow-Origin. A request with any other Origin is
	// refused with 403 AccessForbidden, preflight or not: unlike S3, the fake
	// in its default mode needs no credentials, so a page from anywhere
	// could otherwise write and delete objects with simple (form-like)
	// requests. Requests without Origin (SDKs, the CLI, links, media
	// elements) are not affected. Default none: no CORS at all.
	CORSOrigins []string

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

	// MaxBytes bounds everything stored together: objects, the parts of
	// multipart uploads in progress, and uploads being received, each object
	// and upload counting ObjectOverhead more than its size. An upload that
	// would pass it gets HTTP 507 with MinIO's XMinioStorageFull, or
	// EntityTooLarge when the object alone could never fit. It holds across
	// deletes, overwrites and, with DataPath, restarts. Objects live in
	// memory unless DataPath is set, and gofakes3 reads each upload whole,
	// so this is about the memory the fake may take. Default 1 GiB.
	MaxBytes int64

	// ReadHeaderTimeout bounds reading a request's headers, and
	// MaxHeaderBytes their size (request line included). Defaults 10s and
	// 64 KiB.
	ReadHeaderTimeout time.Duration
	MaxHeaderBytes    int

	// ReadTimeout and WriteTimeout bound reading a request and writing its
	// response, each getting one more second for every MinRate bytes of its
	// body: a 256 MiB upload at the default rate gets 30s + 68m, a client
	// that stalls is cut off. Defaults 30s, 30s and 64 KiB/s. A request cut
	// off while it sends its body is answered RequestTimeout and logged with
	// the bytes received.
	ReadTimeout, WriteTimeout time.Duration
	MinRate                   int64

	// IdleTimeout closes a keep-alive connection that has no request for
	// that long. Default 60s.
	IdleTimeout time.Duration

	// ShutdownTimeout is how long Close lets requests in progress finish
	// before it closes their connections. Default 5s.
	ShutdownTimeout time.Duration

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
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	for _, d := range []struct {
		field *time.Duration
		def   time.Duration
	}{
		{&c.ReadHeaderTimeout, DefaultReadHeaderTimeout}, {&c.ReadTimeout, DefaultReadTimeout},
		{&c.WriteTimeout, DefaultWriteTimeout}, {&c.IdleTimeout, DefaultIdleTimeout},
		{&c.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.field == 0 {
			*d.field = d.def
		}
	}
	if c.MinRate == 0 {
		c.MinRate = DefaultMinRate
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	switch {
	case c.MaxObjectBytes < 0:
		return c, fmt.Errorf("%w: MaxObjectBytes %d is negative", ErrInvalidConfig, c.MaxObjectBytes)
	case c.MaxBytes < ObjectOverhead:
		return c, fmt.Errorf("%w: MaxBytes %d is less than one object's overhead (%d)", ErrInvalidConfig, c.MaxBytes, ObjectOverhead)
	case c.MinRate < 0 || c.MaxHeaderBytes < 0:
		return c, fmt.Errorf("%w: MinRate %d or MaxHeaderBytes %d is negative", ErrInvalidConfig, c.MinRate, c.MaxHeaderBytes)
	case c.ReadHeaderTimeout < 0 || c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.IdleTimeout < 0 || c.ShutdownTimeout < 0:
		return c, fmt.Errorf("%w: a timeout is negative", ErrInvalidConfig)
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
	scopes := make(map[string][]string, len(c.CredentialBuckets))
	for k, buckets := range c.CredentialBuckets {
		if _, ok := c.Credentials[k]; !ok || len(buckets) == 0 {
			return c, fmt.Errorf("%w: CredentialBuckets: %q must be a key of Credentials, with at least one bucket", ErrInvalidConfig, k)
		}
		for _, b := range buckets {
			if err := gofakes3.ValidateBucketName(b); err != nil {
				return c, fmt.Errorf("%w: CredentialBuckets: bucket %q: %w", ErrInvalidConfig, b, err)
			}
		}
		scopes[k] = slices.Clone(buckets)
	}
	c.CredentialBuckets = scopes
	origins := make([]string, len(c.CORSOrigins))
	for i, o := range c.CORSOrigins {
		n, err := normalizeOrigin(o)
		if err != nil {
			return c, fmt.Errorf("%w: CORSOrigins: %w", ErrInvalidConfig, err)
		}
		origins[i] = n
	}
	c.CORSOrigins = origins
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
	return fmt.Sprintf("s3.Config{Addr:%q Strict:%t Credentials:[%s] CredentialBuckets:%v CORSOrigins:%q DataPath:%q Region:%q Buckets:%q MaxObjectBytes:%d MaxBytes:%d}",
		c.Addr, c.Strict, strings.Join(creds, " "), c.CredentialBuckets, c.CORSOrigins, c.DataPath, c.Region, c.Buckets, c.MaxObjectBytes, c.MaxBytes)
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
		slog.Any("credential_buckets", c.CredentialBuckets),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.String("data_path", c.DataPath),
		slog.String("region", c.Region),
		slog.Any("buckets", c.Buckets),
		slog.Int64("max_object_bytes", c.MaxObjectBytes),
		slog.Int64("max_bytes", c.MaxBytes),
	)
}

var (
	_ fmt.Stringer   = Config{}
	_ fmt.GoStringer = Config{}
	_ slog.LogValuer = Config{}
)
