package s3

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/johannesboyne/gofakes3"
)

// ErrStorageFull answers an upload that would pass Config.MaxBytes. S3 has no such
// error; MinIO answers a full disk with this code and status, which its users and
// SDKs know, and which no SDK retries.
var ErrStorageFull = &Error{Code: "XMinioStorageFull", Message: "Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.", Status: http.StatusInsufficientStorage}

type objectKey struct{ bucket, key string }

type uploadKey struct{ bucket, key, id string }

// overheadPart is the pseudo part number under which an upload in progress counts its
// ObjectOverhead; real part numbers are 1 to 10,000.
const overheadPart = -1

func cost(size int64) int64 { return size + ObjectOverhead }

// quota keeps the accounts behind Config.MaxObjectBytes and Config.MaxBytes: the cost
// of every stored object (kept current by quotaBackend, whatever request or Reset
// changes the store), the parts of every multipart upload in progress (gofakes3 keeps
// them in memory until CompleteMultipartUpload), and room reserved for uploads being
// received.
type quota struct {
	maxObject, maxTotal int64

	mu       sync.Mutex
	objects  map[objectKey]int64
	uploads  map[uploadKey]map[int]int64 // part number -> size
	stored   int64                       // sum of objects
	held     int64                       // sum of uploads
	reserved int64                       // uploads being received
	locks    map[objectKey]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

func newQuota(maxObject, maxTotal int64) *quota {
	return &quota{
		maxObject: maxObject, maxTotal: maxTotal,
		objects: map[objectKey]int64{}, uploads: map[uploadKey]map[int]int64{}, locks: map[objectKey]*keyLock{},
	}
}

// used is what counts against maxTotal; the caller holds q.mu.
func (q *quota) used() int64 { return q.stored + q.held + q.reserved }

// usage returns the bytes that count against Config.MaxBytes.
func (q *quota) usage() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.used()
}

func (q *quota) full() *Error {
	return ErrStorageFull.with(fmt.Sprintf("The fake S3 is full: %d of its %d bytes (MaxBytes, --s3-max-bytes) are in use or being uploaded. Delete a few objects to proceed.", q.used(), q.maxTotal))
}

func (q *quota) tooLarge(size int64) *Error {
	return ErrEntityTooLarge.with("Your proposed upload exceeds what the fake S3 may hold (MaxBytes, --s3-max-bytes).").
		withDetail("ProposedSize", strconv.FormatInt(size, 10)).
		withDetail("MaxSizeAllowed", strconv.FormatInt(q.maxTotal-ObjectOverhead, 10))
}

// reserve holds room for an object of size bytes being uploaded to k, which may
// replace what k holds; done gives the room back once the request is over (a stored
// object is counted by quotaBackend by then).
func (q *quota) reserve(k objectKey, size int64) (done func(ok bool), err error) {
	c := cost(size)
	if c > q.maxTotal {
		return nil, q.tooLarge(size)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.used()-q.objects[k]+c > q.maxTotal {
		return nil, q.full()
	}
	q.reserved += c
	return func(bool) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.reserved -= c
	}, nil
}

// reservePart counts a part of size bytes of upload u, which replaces a part with the
// same number; done takes it back when the request fails.
func (q *quota) reservePart(u uploadKey, partNumber string, size int64) (done func(ok bool), err error) {
	n, perr := strconv.Atoi(partNumber)
	if perr != nil || n < 0 {
		return func(bool) {}, nil // gofakes3 refuses the part number itself
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	parts := q.uploads[u]
	old, had := parts[n]
	sum := size
	for num, s := range parts {
		if num != n && num != overheadPart {
			sum += s
		}
	}
	if sum > q.maxObject {
		return nil, ErrEntityTooLarge.with("The parts of this multipart upload exceed the maximum object size.").withDetail("MaxSizeAllowed", strconv.FormatInt(q.maxObject, 10))
	}
	if q.used()-old+size > q.maxTotal {
		return nil, q.full()
	}
	if parts == nil {
		parts = map[int]int64{}
		q.uploads[u] = parts
	}
	parts[n] = size
	q.held += size - old
	return func(ok bool) {
		if ok {
			return
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		cur := q.uploads[u]
		if cur == nil || cur[n] != size {
			return // the upload ended, or another request replaced the part
		}
		q.held -= size - old
		if had {
			cur[n] = old
		} else if delete(cur, n); len(cur) == 0 {
			delete(q.uploads, u)
		}
	}, nil
}

// startUpload counts an upload gofakes3 has just created.
func (q *quota) startUpload(u uploadKey) {
	q.mu.Lock()
	defer q.mu.Unlock()
	parts := q.uploads[u]
	if parts == nil {
		parts = map[int]int64{}
		q.uploads[u] = parts
	}
	q.held += ObjectOverhead - parts[overheadPart]
	parts[overheadPart] = ObjectOverhead
}

// endUpload forgets an upload once it is completed (its object is counted by then) or
// aborted.
func (q *quota) endUpload(u uploadKey) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, s := range q.uploads[u] {
		q.held -= s
	}
	delete(q.uploads, u)
}

// resetUploads forgets every upload: Reset drops gofakes3's.
func (q *quota) resetUploads() {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.uploads)
	q.held = 0
}

func (q *quota) setObject(k objectKey, size int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stored += cost(size) - q.objects[k]
	q.objects[k] = cost(size)
}

func (q *quota) forgetObject(k objectKey) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stored -= q.objects[k]
	delete(q.objects, k)
}

func (q *quota) forgetBucket(bucket string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k, c := range q.objects {
		if k.bucket == bucket {
			q.stored -= c
			delete(q.objects, k)
		}
	}
}

// lockKey serialises the writes to one key, so that the accounts follow the order in
// which the backend applied them.
func (q *quota) lockKey(k objectKey) (unlock func()) {
	q.mu.Lock()
	l := q.locks[k]
	if l == nil {
		l = &keyLock{}
		q.locks[k] = l
	}
	l.users++
	q.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		q.mu.Lock()
		if l.users--; l.users == 0 {
			delete(q.locks, k)
		}
		q.mu.Unlock()
	}
}

// quotaBackend keeps the quota's object accounts as the store changes. It is neither
// a VersionedBackend nor a MultipartBackend: gofakes3 then keeps multipart uploads
// itself (and their completion comes through PutObject), and serves no versions,
// which would keep every overwritten object beyond MaxBytes.
type quotaBackend struct {
	gofakes3.Backend
	q *quota
}

var _ gofakes3.Backend = quotaBackend{}

// scan counts what the backend holds already: a bbolt file from an earlier run.
func (b quotaBackend) scan() error {
	buckets, err := b.Backend.ListBuckets()
	if err != nil {
		return fmt.Errorf("s3: listing buckets: %w", err)
	}
	for _, bucket := range buckets {
		var page gofakes3.ListBucketPage
		for {
			page.MaxKeys = 1000
			list, err := b.Backend.ListBucket(bucket.Name, &gofakes3.Prefix{}, page)
			if err != nil {
				return fmt.Errorf("s3: listing bucket %q: %w", bucket.Name, err)
			}
			for _, c := range list.Contents {
				b.q.setObject(objectKey{bucket.Name, c.Key}, c.Size)
			}
			if !list.IsTruncated || list.NextMarker == "" {
				break
			}
			page.Marker, page.HasMarker = list.NextMarker, true
		}
	}
	return nil
}

func (b quotaBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	k := objectKey{bucket, key}
	defer b.q.lockKey(k)()
	res, err := b.Backend.PutObject(bucket, key, meta, input, size, cond)
	if err == nil {
		b.q.setObject(k, size)
	}
	return res, err
}

func (b quotaBackend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	k := objectKey{dstBucket, dstKey}
	defer b.q.lockKey(k)()
	res, err := b.Backend.CopyObject(srcBucket, srcKey, dstBucket, dstKey, meta)
	if err == nil {
		// The backend may copy without PutObject; the copy's size is the source's.
		if obj, herr := b.Backend.HeadObject(dstBucket, dstKey); herr == nil {
			obj.Contents.Close()
			b.q.setObject(k, obj.Size)
		}
	}
	return res, err
}

func (b quotaBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	k := objectKey{bucket, key}
	defer b.q.lockKey(k)()
	res, err := b.Backend.DeleteObject(bucket, key)
	if err == nil {
		b.q.forgetObject(k)
	}
	return res, err
}

func (b quotaBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	res, err := b.Backend.DeleteMulti(bucket, keys...)
	for _, d := range res.Deleted {
		b.q.forgetObject(objectKey{bucket, d.Key})
	}
	return res, err
}

func (b quotaBackend) ForceDeleteBucket(name string) error {
	err := b.Backend.ForceDeleteBucket(name)
	if err == nil {
		b.q.forgetBucket(name)
	}
	return err
}
