package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// More wire errors, used by the request pipeline.
var (
	ErrMissingContentLength = &Error{Code: "MissingContentLength", Message: "You must provide the Content-Length HTTP header.", Status: http.StatusLengthRequired}
	ErrServiceUnavailable   = &Error{Code: "ServiceUnavailable", Message: "The fake S3 server is closed.", Status: http.StatusServiceUnavailable}
	ErrInternal             = &Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Status: http.StatusInternalServerError}
)

// ServeHTTP checks the origin, authenticates (strict mode), reserves room, decodes
// and checks the body, then hands the request to gofakes3.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	reqID := fmt.Sprintf("%016X", s.reqID.Add(1))
	// S3 clients correct their clock from Date, so it follows Config.Now.
	rw.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	counted := &countingBody{ReadCloser: r.Body}
	if r.Body != nil && r.Body != http.NoBody {
		// net/http decides after the handler whether the connection can be
		// reused by looking at the request's own body (is it read? how much is
		// left?), so it gets it back.
		defer func(orig io.ReadCloser) { r.Body = orig }(r.Body)
		r.Body = counted
	}
	w := &interceptWriter{ResponseWriter: rw, r: r, reqID: reqID, s: s}
	var accessKey string
	var failure error
	defer s.track(r, counted)()
	defer func() { s.logRequest(r, w, accessKey, failure, counted.n.Load()) }()
	s.extendDeadlines(w, r.ContentLength)

	s.state.RLock()
	defer s.state.RUnlock()
	if s.usable() != nil {
		failure = ErrServiceUnavailable
		writeError(w, r, ErrServiceUnavailable, reqID)
		return
	}
	var answered bool
	if failure, answered = s.checkCORS(w, r); answered {
		return
	}

	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var ident *identity
	if s.cfg.Strict {
		id, err := s.verifier.verify(r)
		if err == nil {
			err = s.checkScope(id.AccessKey, bucket, r)
		}
		if err != nil {
			failure = err
			s.fail(w, r, err)
			return
		}
		ident, accessKey = &id, id.AccessKey
	}

	q := r.URL.Query()
	upload := uploadKey{bucket: bucket, key: key, id: q.Get("uploadId")}
	body, size, err := s.prepareBody(r, ident)
	var done func(ok bool)
	if err == nil {
		done, err = s.reserve(w, q, bucket, key, upload, size)
	}
	if err != nil {
		failure = err
		s.fail(w, r, err)
		return
	}
	w.body = body
	sanitizeHeaders(r.Header)

	if !s.cfg.Strict && isWrite(r.Method, bucket, key, q) {
		// Offline users need no setup: the first write creates the bucket.
		// An invalid name is left for gofakes3 to refuse.
		_ = ensureBucket(s.backend, bucket)
	}

	s.faker.ServeHTTP(w, r)
	if w.status == 0 {
		w.WriteHeader(http.StatusOK) // so that interceptWriter sets the headers
	}

	if body != nil && body.failed != nil {
		failure = body.failed
	}
	done(w.status < 300)
}

// checkScope refuses a key limited by Config.CredentialBuckets the buckets it may not
// use: the one it names, none (ListBuckets), or a CopyObject source.
func (s *Server) checkScope(accessKey, bucket string, r *http.Request) error {
	allowed, scoped := s.cfg.CredentialBuckets[accessKey]
	if !scoped {
		return nil
	}
	denied := ErrAccessDenied.withDetail("AWSAccessKeyId", accessKey)
	if bucket == "" || !slices.Contains(allowed, bucket) {
		return denied
	}
	if src := r.Header.Get("X-Amz-Copy-Source"); src != "" && !slices.Contains(allowed, copySourceBucket(src)) {
		return denied
	}
	return nil
}

// copySourceBucket is the bucket of an X-Amz-Copy-Source, "bucket/key" or
// "/bucket/key", URL-encoded whole or not.
func copySourceBucket(src string) string {
	if u, err := url.PathUnescape(src); err == nil {
		src = u
	}
	b, _, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	return b
}

// reserve counts what a request will store against Config.MaxBytes before gofakes3
// reads its body; done settles the accounts once the request is over.
func (s *Server) reserve(w *interceptWriter, q url.Values, bucket, key string, upload uploadKey, size int64) (done func(ok bool), err error) {
	r, none := w.r, func(bool) {}
	switch {
	case bucket == "":
		return none, nil
	case r.Method == http.MethodPut && upload.id != "":
		if !q.Has("partNumber") {
			return none, nil
		}
		return s.quota.reservePart(upload, q.Get("partNumber"), size)
	case r.Method == http.MethodPut && key != "":
		if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
			size = s.copySourceSize(src)
		}
		return s.quota.reserve(objectKey{bucket, key}, size)
	case r.Method == http.MethodPost && key == "" && !q.Has("delete"):
		// A browser upload: its form's key is not known yet, and its body bounds
		// its file.
		return s.quota.reserve(objectKey{bucket, ""}, max(size, 0))
	case r.Method == http.MethodPost && key != "" && q.Has("uploads"):
		// CreateMultipartUpload: the upload counts from now on, under the ID
		// gofakes3 answers with.
		release, err := s.quota.reserve(objectKey{}, 0)
		if err != nil {
			return nil, err
		}
		w.capture = &bytes.Buffer{}
		return func(ok bool) {
			release(ok)
			var res struct {
				UploadID string `xml:"UploadId"`
			}
			if ok && xml.Unmarshal(w.capture.Bytes(), &res) == nil && res.UploadID != "" {
				s.quota.startUpload(uploadKey{bucket, key, res.UploadID})
			}
		}, nil
	case upload.id != "" && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		// CompleteMultipartUpload (whose object quotaBackend counts) or
		// AbortMultipartUpload.
		return func(ok bool) {
			if ok {
				s.quota.endUpload(upload)
			}
		}, nil
	}
	return none, nil
}

// copySourceSize is the size of the object a CopyObject copies, or 0 when there is
// none: gofakes3 then refuses the copy.
func (s *Server) copySourceSize(src string) int64 {
	if u, err := url.PathUnescape(src); err == nil {
		src = u
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	key, _, _ = strings.Cut(key, "?")
	obj, err := s.backend.HeadObject(bucket, key)
	if err != nil {
		return 0
	}
	obj.Contents.Close()
	return obj.Size
}

// prepareBody checks the declared size, decodes aws-chunked and wraps the body so
// every byte is counted and hashed before gofakes3 reads it. It returns the size the
// body declares (decoded), -1 when it does not.
func (s *Server) prepareBody(r *http.Request, ident *identity) (*checkingReader, int64, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, 0, nil
	}
	max := s.cfg.MaxObjectBytes
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	chunked := strings.HasPrefix(payloadHash, "STREAMING-") || hasToken(r.Header.Get("Content-Encoding"), "aws-chunked")

	size := r.ContentLength
	if chunked {
		n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
		if err != nil || n < 0 {
			return nil, 0, ErrMissingContentLength.with("You must provide the X-Amz-Decoded-Content-Length HTTP header with an aws-chunked body.")
		}
		size = n
	}
	if size > max {
		return nil, 0, ErrEntityTooLarge.withDetail("ProposedSize", strconv.FormatInt(size, 10)).withDetail("MaxSizeAllowed", strconv.FormatInt(max, 10))
	}

	// Framing costs ~90 bytes a chunk; twice the limit leaves room for
	// small chunks while still bounding what a client can make us read.
	rawLimit := max + 1
	if chunked {
		rawLimit = 2*max + 1<<20
	}
	var decoded io.Reader = http.MaxBytesReader(nil, r.Body, rawLimit)
	var trailer func() http.Header
	if chunked {
		var signed *identity
		if ident != nil && (payloadHash == streamingSigned || payloadHash == streamingSignedTrailer) {
			signed = ident
		}
		cr := newChunkedReader(decoded, size, signed)
		decoded, trailer = cr, func() http.Header { return cr.Trailer }
		r.ContentLength = size
		r.Header.Set("Content-Length", strconv.FormatInt(size, 10))
		r.Header.Del("X-Amz-Decoded-Content-Length")
		r.TransferEncoding = nil
	}
	completing := r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
	body := &checkingReader{r: decoded, limit: max, digests: bodyDigests(r.Header, !completing), trailer: trailer}
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	return body, size, nil
}

// countingBody counts the bytes a request's body delivered, for the logs.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// extendDeadlines gives the connection Config.ReadTimeout and WriteTimeout plus one
// second for every MinRate bytes of a body of size bytes, in either direction: the
// server's own deadlines are for requests without one. Both deadlines move, because
// net/http cancels the request's context when the read deadline passes while the
// handler still runs (writing a large object, say).
func (s *Server) extendDeadlines(w *interceptWriter, size int64) {
	if size <= 0 {
		return
	}
	allowance := time.Duration(float64(size) / float64(s.cfg.MinRate) * float64(time.Second))
	rc := http.NewResponseController(w.ResponseWriter)
	readBy := time.Now().Add(s.cfg.ReadTimeout + allowance)
	// ErrNotSupported: a server without deadlines, or a wrapper without Unwrap.
	rc.SetReadDeadline(readBy)
	rc.SetWriteDeadline(readBy.Add(s.cfg.WriteTimeout))
}

// sanitizeHeaders drops what describes the request rather than the object:
// gofakes3 stores every X-Amz-* header as object metadata and echoes it on
// GET (and MergeMetadata keeps stale ones across overwrites), so a stored
// x-amz-checksum-crc32 would make the SDK fail range GETs and later
// overwrites, and "Content-Encoding: aws-chunked" would be served back.
func sanitizeHeaders(h http.Header) {
	for k := range h {
		if strings.HasPrefix(k, "X-Amz-Checksum-") {
			delete(h, k)
		}
	}
	for _, k := range []string{
		"X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer",
		"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Security-Token", "X-Amz-User-Agent",
		"X-Amz-Expected-Bucket-Owner", "X-Amz-Request-Payer", "X-Amz-Te",
	} {
		delete(h, k)
	}
	if ce := h.Get("Content-Encoding"); ce != "" {
		var kept []string
		for t := range strings.SplitSeq(ce, ",") {
			if t = strings.TrimSpace(t); t != "" && !strings.EqualFold(t, "aws-chunked") {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			h.Del("Content-Encoding")
		} else {
			h.Set("Content-Encoding", strings.Join(kept, ","))
		}
	}
}

// isWrite reports requests that create an object: PutObject (and
// CopyObject), CreateMultipartUpload, and browser POST uploads.
func isWrite(method, bucket, key string, q url.Values) bool {
	switch {
	case bucket == "":
		return false
	case method == http.MethodPut:
		return key != "" && !q.Has("uploadId")
	case method == http.MethodPost:
		return (key != "" && q.Has("uploads")) || (key == "" && !q.Has("delete"))
	}
	return false
}

// isPreflight reports a CORS preflight: browsers never sign those.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

func hasToken(list, token string) bool {
	for t := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

func (s *Server) fail(w *interceptWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		s.cfg.Logger.Error("s3: internal error", "err", err)
		e = ErrInternal
	}
	writeError(w, r, e, w.reqID)
}

// interceptWriter records the status, sets the CORS headers, and replaces
// gofakes3's answer with ours when the body failed a check: gofakes3 only sees an
// opaque read error there and would answer 500.
type interceptWriter struct {
	http.ResponseWriter
	r         *http.Request
	s         *Server
	reqID     string
	body      *checkingReader
	origin    string        // an allowed Origin: CORS headers go out
	preflight bool          // the request is a CORS preflight from origin
	capture   *bytes.Buffer // when set, keeps (the start of) what is written
	status    int
	bytes     int64
	swallow   bool
}

// maxCapture bounds interceptWriter.capture: it is for short XML answers.
const maxCapture = 64 << 10

func (w *interceptWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.setCORS()
	if w.body != nil && w.body.failed != nil {
		w.swallow = true
		w.status = w.body.failed.Status
		writeError(w.ResponseWriter, w.r, w.body.failed, w.reqID)
		return
	}
	if n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64); err == nil && w.r.Method != http.MethodHead {
		w.s.extendDeadlines(w, n) // a large object for a slow client
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *interceptWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(p), nil
	}
	if w.capture != nil && w.capture.Len() < maxCapture {
		w.capture.Write(p[:min(len(p), maxCapture-w.capture.Len())])
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *interceptWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest logs one line per request, never a secret: the Authorization
// header is not logged, and query signatures and tokens show as ***.
func (s *Server) logRequest(r *http.Request, w *interceptWriter, accessKey string, failure error, received int64) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.String("query", redactQuery(r.URL.Query())),
		slog.Int("status", status),
		slog.String("request_id", w.reqID),
	}
	if accessKey != "" {
		attrs = append(attrs, slog.String("access_key", accessKey))
	}
	if received > 0 || failure != nil {
		attrs = append(attrs, slog.Int64("bytes_received", received))
	}
	level := slog.LevelDebug
	if failure != nil {
		level = slog.LevelInfo
		attrs = append(attrs, slog.String("error", failure.Error()))
	}
	s.cfg.Logger.LogAttrs(r.Context(), level, "s3 request", attrs...)
}

func redactQuery(q url.Values) string {
	for _, k := range []string{qSignature, "X-Amz-Security-Token", "Signature"} {
		if q.Has(k) {
			q.Set(k, "***")
		}
	}
	return q.Encode()
}
