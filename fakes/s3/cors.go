package s3

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CORS: gofakes3 answers "Access-Control-Allow-Origin: *" to everything, preflights
// included, which lets any web page read, write and delete objects. The fake answers
// preflights itself, refuses origins not in Config.CORSOrigins, and replaces gofakes3's
// CORS headers with its own (interceptWriter.WriteHeader).

// ErrCORSForbidden is S3's answer to a CORS request its configuration does not allow.
var ErrCORSForbidden = &Error{Code: "AccessForbidden", Message: "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", Status: http.StatusForbidden}

// corsMethods are the methods S3's API uses.
const corsMethods = "GET, PUT, POST, DELETE, HEAD"

// corsExposed are the response headers a page may read: those SDKs and upload
// libraries look at.
const corsExposed = "ETag, Content-Length, Content-Range, Accept-Ranges, Last-Modified, x-amz-request-id, x-amz-id-2, x-amz-version-id, x-amz-delete-marker"

// corsHeaders are the headers gofakes3 sets and the fake replaces.
var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers", "Access-Control-Allow-Credentials", "Access-Control-Max-Age",
}

// normalizeOrigin checks an origin of Config.CORSOrigins and writes it as browsers
// send Origin: scheme://host[:port] in lower case, without a path.
func normalizeOrigin(o string) (string, error) {
	if o == "*" || o == "null" {
		return o, nil
	}
	u, err := url.Parse(o)
	if err != nil {
		return "", fmt.Errorf("origin %q: %w", o, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("origin %q: want scheme://host[:port], such as http://127.0.0.1:8080, or *", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// corsAllows reports whether a page from origin may call the fake.
func (s *Server) corsAllows(origin string) bool {
	return slices.Contains(s.cfg.CORSOrigins, "*") || slices.Contains(s.cfg.CORSOrigins, strings.ToLower(origin))
}

// checkCORS handles the Origin of r: it answers preflights itself and refuses other
// origins, and reports whether it has answered. For an allowed origin it sets w.origin,
// for interceptWriter to answer with.
func (s *Server) checkCORS(w *interceptWriter, r *http.Request) (failure error, answered bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil, false
	}
	if !s.corsAllows(origin) {
		e := ErrCORSForbidden
		if len(s.cfg.CORSOrigins) == 0 {
			e = ErrCORSForbidden.with("CORSResponse: CORS is not enabled for this fake S3 (see --s3-cors-origin).")
		}
		writeError(w, r, e, w.reqID)
		return e, true
	}
	w.origin = origin
	if !isPreflight(r) {
		return nil, false
	}
	w.preflight = true
	w.WriteHeader(http.StatusOK)
	return nil, true
}

// setCORS replaces whatever CORS headers gofakes3 set with the fake's.
func (w *interceptWriter) setCORS() {
	h := w.Header()
	for _, k := range corsHeaders {
		h.Del(k)
	}
	h.Add("Vary", "Origin")
	if w.origin == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", w.origin)
	h.Set("Access-Control-Expose-Headers", corsExposed)
	if !w.preflight {
		return
	}
	h.Set("Access-Control-Allow-Methods", corsMethods)
	if asked := w.r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		// S3 with AllowedHeaders "*" allows whatever is asked for, as the fake does.
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h.Set("Access-Control-Max-Age", "3000")
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
}
