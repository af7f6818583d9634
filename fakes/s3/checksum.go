package s3

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// S3 checks the payload against x-amz-content-sha256 and the flexible
// checksums (x-amz-checksum-*), and the SDKs send CRC32 on every upload by
// default; checking them here means a client that corrupts its body fails
// against the fake as it would against AWS.

// crc64NVME is the reflected CRC-64/NVME polynomial S3 uses for CRC64NVME.
const crc64NVME = 0x9a6c9329ac4bc9b5

var crc64NVMETable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(crc64NVME) })

// newChecksum returns the hash behind an x-amz-checksum-<name> header, or
// nil for an algorithm the fake does not check.
func newChecksum(name string) hash.Hash {
	switch strings.ToLower(name) {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		return crc64.New(crc64NVMETable())
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

// digest is one expected hash of the decoded payload.
type digest struct {
	header string // e.g. "X-Amz-Checksum-Crc32", also the trailer name
	h      hash.Hash
	want   string // "" means: read it from the trailer at EOF
	hex    bool   // x-amz-content-sha256 is hex, checksums are base64
	fail   *Error
}

func (d *digest) matches(want string) bool {
	sum := d.h.Sum(nil)
	if d.hex {
		return strings.EqualFold(hex.EncodeToString(sum), want)
	}
	return base64.StdEncoding.EncodeToString(sum) == want
}

// checkingReader counts, limits and hashes the decoded body. Its error is
// sticky, and it records the first *Error so the handler can answer with it
// even though gofakes3 only sees an opaque read error.
type checkingReader struct {
	r       io.Reader
	limit   int64 // bytes still allowed
	digests []*digest
	trailer func() http.Header // nil: no trailer
	err     error
	failed  *Error
}

var _ io.Reader = (*checkingReader)(nil)

func (c *checkingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	if int64(n) > c.limit {
		n = int(c.limit)
		c.fail(ErrEntityTooLarge)
		return n, c.err
	}
	c.limit -= int64(n)
	for _, d := range c.digests {
		d.h.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		c.finish()
		if c.err != nil {
			return n, c.err
		}
	case err != nil:
		var tooBig *http.MaxBytesError
		var netErr net.Error
		if e := (*Error)(nil); errors.As(err, &e) {
			c.fail(e)
		} else if errors.As(err, &tooBig) {
			c.fail(ErrEntityTooLarge)
		} else if errors.As(err, &netErr) && netErr.Timeout() {
			// The client stalled past the read deadline (Config.ReadTimeout, MinRate).
			c.fail(ErrRequestTimeout)
		} else {
			c.err = err
		}
		return n, c.err
	}
	return n, err
}

func (c *checkingReader) finish() {
	var trailer http.Header
	if c.trailer != nil {
		trailer = c.trailer()
	}
	for _, d := range c.digests {
		want := d.want
		if want == "" {
			want = trailer.Get(d.header)
		}
		if want != "" && !d.matches(want) {
			c.fail(d.fail)
			return
		}
	}
}

func (c *checkingReader) fail(e *Error) {
	c.failed, c.err = e, e
}

// bodyDigests lists the hashes a request declares for its payload:
// a hex x-amz-content-sha256 and every x-amz-checksum-<alg> header, plus the
// checksum named in x-amz-trailer, whose value comes after the body.
// CompleteMultipartUpload is the exception: its x-amz-checksum-* describe the
// assembled object, not the XML body, so checksums=false skips them.
func bodyDigests(h http.Header, checksums bool) []*digest {
	var ds []*digest
	if sha := h.Get("X-Amz-Content-Sha256"); len(sha) == 64 {
		ds = append(ds, &digest{header: "X-Amz-Content-Sha256", h: sha256.New(), want: sha, hex: true, fail: ErrContentSHA256Mismatch})
	}
	add := func(key, want string) {
		if !checksums {
			return
		}
		alg, ok := strings.CutPrefix(key, "X-Amz-Checksum-")
		if !ok {
			return
		}
		if hs := newChecksum(alg); hs != nil {
			ds = append(ds, &digest{header: key, h: hs, want: want,
				fail: ErrBadDigest.with("The " + strings.ToUpper(alg) + " you specified did not match the calculated checksum.")})
		}
	}
	for key, vals := range h {
		if len(vals) > 0 && vals[0] != "" {
			add(key, vals[0])
		}
	}
	for t := range strings.SplitSeq(h.Get("X-Amz-Trailer"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			add(http.CanonicalHeaderKey(t), "")
		}
	}
	return ds
}
