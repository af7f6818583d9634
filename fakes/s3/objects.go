package s3

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// ObjectsHandler serves a JSON view of the stored objects, for an admin API or a dashboard,
// with paths relative to its mount point:
//
//	GET /                              {"total":N,"items":[{"bucket","key","size","lastModified","etag"}]}
//	GET /download?bucket=B&key=K       the object's bytes (Range requests work, so a <video> can seek)
//
// It needs no credentials even in strict mode: it is the operator's view, not S3's API.
// Errors answer {"status":0,"content":{"message":...}} like the rest of recmock's admin API.
func (s *Server) ObjectsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveObjectList)
	mux.HandleFunc("GET /download", s.serveObjectDownload)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, fmt.Sprintf("not found: no object endpoint at %s %s", r.Method, r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) serveObjectList(w http.ResponseWriter, r *http.Request) {
	objs, err := s.Objects(r.Context())
	if err != nil {
		adminError(w, http.StatusInternalServerError, "internal error: listing objects: "+err.Error())
		return
	}
	if objs == nil {
		objs = []Object{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Total int      `json:"total"`
		Items []Object `json:"items"`
	}{len(objs), objs})
}

func (s *Server) serveObjectDownload(w http.ResponseWriter, r *http.Request) {
	bucket, key := r.URL.Query().Get("bucket"), r.URL.Query().Get("key")
	if bucket == "" || key == "" {
		adminError(w, http.StatusBadRequest, "invalid input: bucket and key query parameters are both required")
		return
	}
	if err := s.usable(); err != nil {
		adminError(w, http.StatusServiceUnavailable, "service unavailable: "+err.Error())
		return
	}
	obj, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) || gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
			adminError(w, http.StatusNotFound, fmt.Sprintf("not found: no object %q in bucket %q", key, bucket))
			return
		}
		adminError(w, http.StatusInternalServerError, "internal error: reading object: "+err.Error())
		return
	}
	defer obj.Contents.Close()
	body, err := io.ReadAll(io.LimitReader(obj.Contents, s.cfg.MaxObjectBytes+1))
	if err != nil {
		adminError(w, http.StatusInternalServerError, "internal error: reading object: "+err.Error())
		return
	}
	if ct := obj.Metadata["Content-Type"]; ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	name := key[strings.LastIndexByte(key, '/')+1:]
	w.Header().Set("Content-Disposition", "inline; filename="+strconv.Quote(name))
	w.Header().Set("ETag", `"`+hex.EncodeToString(obj.Hash)+`"`)
	modified, _ := http.ParseTime(obj.Metadata["Last-Modified"])
	http.ServeContent(w, r, name, modified, bytes.NewReader(body))
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	type content struct {
		Message string `json:"message"`
	}
	b, _ := json.Marshal(struct {
		Status  int     `json:"status"`
		Content content `json:"content"`
	}{0, content{msg}})
	w.Write(append(b, '\n'))
}
