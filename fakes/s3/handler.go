package s3

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// More wire errors, used by the request pipeline.
var (
	ErrMissingContentLength = &Error{Code: "MissingContentLength", Message: "You must provide the Content-Length HTTP header.", Status: http.StatusLengthRequired}
	ErrServiceUnavailable   = &Error{Code: "ServiceUnavailable", Message: "The fake S3 server is closed.", Status: http.StatusServiceUnavailable}
	ErrInternal             = &Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Status: http.StatusInternalServerError}
)

// ServeHTTP authenticates (strict mode), decodes and checks the body, then
// hands the request to gofakes3.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	reqID := fmt.Sprintf("%016X", s.reqID.Add(1))
	// S3 clients correct their clock from Date, so it follows Config.Now.
	rw.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	w := &interceptWriter{ResponseWriter: rw, r: r, reqID: reqID}
	var accessKey string
	var failure error
	defer func() { s.logRequest(r, w, accessKey, failure) }()

	s.state.RLock()
	defer s.state.RUnlock()
	if s.usable() != nil {
		failure = ErrServiceUnavailable
		writeError(w, r, ErrServiceUnavailable, reqID)
		return
	}

	var ident *identity
	if s.cfg.Strict && !isPreflight(r) {
		id, err := s.verifier.verify(r)
		if err != nil {
			failure = err
			s.fail(w, r, err)
			return
		}
		ident, accessKey = &id, id.AccessKey
	}

	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	upload := uploadKey{bucket: bucket, key: key, id: q.Get("uploadId")}
	body, err := s.prepareBody(r, q, upload, ident)
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

	if body != nil && body.failed != nil {
		failure = body.failed
	}
	if upload.id != "" && w.status < 300 && (r.Method == http.MethodPost || r.Method == http.MethodDelete) {
		s.parts.forget(upload)
	}
}

// prepareBody checks the declared size, decodes aws-chunked and wraps the
// body so every byte is counted and hashed before gofakes3 reads it.
func (s *Server) prepareBody(r *http.Request, q url.Values, upload uploadKey, ident *identity) (*checkingReader, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	max := s.cfg.MaxObjectBytes
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	chunked := strings.HasPrefix(payloadHash, "STREAMING-") || hasToken(r.Header.Get("Content-Encoding"), "aws-chunked")

	size := r.ContentLength
	if chunked {
		n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
		if err != nil || n < 0 {
			return nil, ErrMissingContentLength.with("You must provide the X-Amz-Decoded-Content-Length HTTP header with an aws-chunked body.")
		}
		size = n
	}
	if size > max {
		return nil, ErrEntityTooLarge.withDetail("ProposedSize", strconv.FormatInt(size, 10)).withDetail("MaxSizeAllowed", strconv.FormatInt(max, 10))
	}
	if r.Method == http.MethodPut && upload.id != "" && q.Has("partNumber") && size >= 0 {
		if !s.parts.reserve(upload, q.Get("partNumber"), size, max) {
			return nil, ErrEntityTooLarge.with("The parts of this multipart upload exceed the maximum object size.").withDetail("MaxSizeAllowed", strconv.FormatInt(max, 10))
		}
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
	completing := r.Method == http.MethodPost && upload.id != ""
	body := &checkingReader{r: decoded, limit: max, digests: bodyDigests(r.Header, !completing), trailer: trailer}
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	return body, nil
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

// interceptWriter records the status, and replaces gofakes3's answer with
// ours when the body failed a check: gofakes3 only sees an opaque read
// error there and would answer 500.
type interceptWriter struct {
	http.ResponseWriter
	r       *http.Request
	reqID   string
	body    *checkingReader
	status  int
	bytes   int64
	swallow bool
}

func (w *interceptWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if w.body != nil && w.body.failed != nil {
		w.swallow = true
		w.status = w.body.failed.Status
		writeError(w.ResponseWriter, w.r, w.body.failed, w.reqID)
		return
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
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *interceptWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest logs one line per request, never a secret: the Authorization
// header is not logged, and query signatures and tokens show as ***.
func (s *Server) logRequest(r *http.Request, w *interceptWriter, accessKey string, failure error) {
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
