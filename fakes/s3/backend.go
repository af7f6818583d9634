package s3

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
)

// boltOpenTimeout bounds the wait for bbolt's file lock: a second process on
// the same DataPath should fail New, not hang it.
const boltOpenTimeout = 2 * time.Second

// MaxListedObjects bounds Objects: it is meant for a dashboard and an admin
// API, not for walking a big bucket (use ListObjectsV2 for that).
const MaxListedObjects = 10000

// clock adapts Config.Now to gofakes3.TimeSource.
type clock func() time.Time

var _ gofakes3.TimeSource = clock(nil)

func (c clock) Now() time.Time                  { return c().UTC() }
func (c clock) Since(t time.Time) time.Duration { return c().Sub(t) }

// fakesLog adapts gofakes3's logger to slog, at debug level: gofakes3 logs
// every operation, and never a secret (it does not see Authorization).
type fakesLog struct{ l *slog.Logger }

var _ gofakes3.Logger = fakesLog{}

func (f fakesLog) Print(level gofakes3.LogLevel, v ...any) {
	lvl := slog.LevelDebug
	if level == gofakes3.LogErr {
		lvl = slog.LevelError
	}
	f.l.Log(context.Background(), lvl, strings.TrimSpace(fmt.Sprintln(v...)), "component", "gofakes3")
}

// openBackend returns s3mem, or s3bolt over DataPath (and the DB to close).
func openBackend(cfg Config) (gofakes3.Backend, *bolt.DB, error) {
	ts := clock(cfg.Now)
	if cfg.DataPath == "" {
		return s3mem.New(s3mem.WithTimeSource(ts)), nil, nil
	}
	db, err := bolt.Open(cfg.DataPath, 0o600, &bolt.Options{Timeout: boltOpenTimeout})
	if err != nil {
		return nil, nil, fmt.Errorf("s3: opening %s: %w", cfg.DataPath, err)
	}
	return s3bolt.New(db, s3bolt.WithTimeSource(ts)), db, nil
}

// newFaker builds the gofakes3 handler. It is rebuilt on Reset, which also
// drops gofakes3's in-memory multipart uploads.
func newFaker(backend gofakes3.Backend, cfg Config) *gofakes3.GoFakeS3 {
	return gofakes3.New(backend,
		gofakes3.WithTimeSource(clock(cfg.Now)),
		gofakes3.WithTimeSkewLimit(0), // strict mode checks skew itself; default mode accepts any time
		gofakes3.WithAutoBucket(false),
		gofakes3.WithLogger(fakesLog{cfg.Logger}),
	)
}

// ensureBucket creates name unless it exists.
func ensureBucket(backend gofakes3.Backend, name string) error {
	if err := gofakes3.ValidateBucketName(name); err != nil {
		return fmt.Errorf("%w: %q: %w", ErrInvalidBucketName, name, err)
	}
	exists, err := backend.BucketExists(name)
	if err != nil {
		return fmt.Errorf("s3: bucket %q: %w", name, err)
	}
	if exists {
		return nil
	}
	if err := backend.CreateBucket(name); err != nil && !gofakes3.IsAlreadyExists(err) {
		return fmt.Errorf("s3: creating bucket %q: %w", name, err)
	}
	return nil
}

// deleteAll removes every bucket with its objects.
func deleteAll(backend gofakes3.Backend) error {
	buckets, err := backend.ListBuckets()
	if err != nil {
		return fmt.Errorf("s3: listing buckets: %w", err)
	}
	for _, b := range buckets {
		if err := backend.ForceDeleteBucket(b.Name); err != nil {
			return fmt.Errorf("s3: deleting bucket %q: %w", b.Name, err)
		}
	}
	return nil
}

// Object describes one stored object.
type Object struct {
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
	ETag         string    `json:"etag"` // as S3 sends it, in double quotes
}

// listObjects returns up to limit objects, by bucket then key.
func listObjects(ctx context.Context, backend gofakes3.Backend, limit int) ([]Object, error) {
	buckets, err := backend.ListBuckets()
	if err != nil {
		return nil, fmt.Errorf("s3: listing buckets: %w", err)
	}
	slices.SortFunc(buckets, func(a, b gofakes3.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	objects := []Object{}
	for _, b := range buckets {
		var page gofakes3.ListBucketPage
		for len(objects) < limit {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("s3: listing objects: %w", err)
			}
			page.MaxKeys = int64(min(limit-len(objects), 1000))
			list, err := backend.ListBucket(b.Name, &gofakes3.Prefix{}, page)
			if err != nil {
				return nil, fmt.Errorf("s3: listing bucket %q: %w", b.Name, err)
			}
			for _, c := range list.Contents {
				objects = append(objects, Object{Bucket: b.Name, Key: c.Key, Size: c.Size, LastModified: c.LastModified.Time.UTC(), ETag: c.ETag})
			}
			if !list.IsTruncated || list.NextMarker == "" {
				break
			}
			page.Marker, page.HasMarker = list.NextMarker, true
		}
	}
	return objects, nil
}
