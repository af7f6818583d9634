package mock

import (
	"bytes"
	"net/http"
)

// recorder passes a response through while keeping its status and the start of its body for
// the journal.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	limit  int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	if room := r.limit - r.buf.Len(); room > 0 {
		if r.buf.Cap() == 0 {
			r.buf.Grow(min(room, len(b))) // one allocation for the usual single Write
		}
		r.buf.Write(b[:min(room, len(b))])
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and Hijack underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
