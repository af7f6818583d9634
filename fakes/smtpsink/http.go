package smtpsink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bounds of the HTTP API's query parameters.
const (
	defaultLimit       = 100
	maxLimit           = 10000
	defaultWaitTimeout = 10 * time.Second
	maxWaitTimeout     = 60 * time.Second
	// waitAnswerTime is how long /wait gives itself, past its timeout, to read the
	// request and write the answer (see handler.wait).
	waitAnswerTime = 10 * time.Second
)

var _ http.Handler = (*handler)(nil)

// Handler returns the sink's HTTP API. Its paths are relative to where it is mounted,
// and "" and "/" both name the collection, so it works behind http.StripPrefix:
//
//	GET    /              {"total","count","start","dropped","items"}, newest first;
//	                      query start (>= 0, default 0) and limit (1..10000, default 100);
//	                      items are summaries: id, from, to, subject, created, size,
//	                      attachments (name, type, size), parseError, authUser, each
//	                      bounded, and truncated when something was left out; with an
//	                      ETag, and 304 Not Modified for a matching If-None-Match
//	DELETE /              delete every message and reset the dropped count
//	GET    /{id}          one message, with "raw" and "parts"
//	DELETE /{id}          delete one message
//	GET    /{id}/raw      the message as received, as message/rfc822
//	GET    /wait          long poll: query to (a recipient, any case), subject (a
//	                      substring) and timeout (such as 5s; default 10s, at most 60s);
//	                      answers the newest stored match, or the first to arrive, as
//	                      GET /{id} does, or 408 when the timeout passes
//
// /wait outlives the read and write timeouts an http.Server may have: it extends its
// connection's deadlines with http.ResponseController, so wrappers of the
// ResponseWriter must implement Unwrap.
//
// Successes answer {"status":"ok"} where there is nothing else to say; failures answer
// recmock's error envelope, {"status":0,"content":{"message":"..."}}.
func (s *Sink) Handler() http.Handler { return &handler{s: s} }

type handler struct{ s *Sink }

// listResponse is shaped after MailHog's /api/v2/messages.
type listResponse struct {
	Total   int        `json:"total"`
	Count   int        `json:"count"`
	Start   int        `json:"start"`
	Dropped int        `json:"dropped"`
	Items   []*summary `json:"items"`
}

// detail is a message as the single-message endpoint shows it: with its source and parts.
type detail struct {
	*Message
	Raw   string `json:"raw"`
	Parts []Part `json:"parts,omitempty"`
}

func newDetail(m *Message) detail {
	return detail{Message: m, Raw: string(m.Raw), Parts: m.Parts}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case path == "":
		switch r.Method {
		case http.MethodGet:
			h.list(w, r)
		case http.MethodDelete:
			h.s.Reset()
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		default:
			methodNotAllowed(w, r, "GET, DELETE")
		}
	case path == "wait":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, "GET")
			return
		}
		h.wait(w, r)
	default:
		id, rest, sub := strings.Cut(path, "/")
		switch {
		case !sub:
			h.item(w, r, id)
		case rest == "raw":
			if r.Method != http.MethodGet {
				methodNotAllowed(w, r, "GET")
				return
			}
			h.raw(w, id)
		default:
			writeError(w, http.StatusNotFound, "", fmt.Sprintf("no such path %s", requestPath(r)))
		}
	}
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, ok := intParam(w, q, "start", 0, 0, math.MaxInt)
	if !ok {
		return
	}
	limit, ok := intParam(w, q, "limit", defaultLimit, 1, maxLimit)
	if !ok {
		return
	}
	page, total, dropped, version := h.s.store.summaries(start, limit)
	// The list is the same for the same store version and page, so that is its ETag:
	// a poller that sends it back gets 304 until mail comes or goes.
	etag := `"` + version + "-" + strconv.Itoa(start) + "-" + strconv.Itoa(limit) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		hd.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, listResponse{Total: total, Count: len(page), Start: start, Dropped: dropped, Items: page})
}

// etagMatches reports whether an If-None-Match header names etag, by RFC 9110's weak
// comparison (section 13.1.2).
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (h *handler) item(w http.ResponseWriter, r *http.Request, id string) {
	switch r.Method {
	case http.MethodGet:
		m, ok := h.s.store.get(id)
		if !ok {
			notFound(w, id)
			return
		}
		writeJSON(w, http.StatusOK, newDetail(m))
	case http.MethodDelete:
		if !h.s.store.delete(id) {
			notFound(w, id)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		methodNotAllowed(w, r, "GET, DELETE")
	}
}

func (h *handler) raw(w http.ResponseWriter, id string) {
	m, ok := h.s.store.get(id)
	if !ok {
		notFound(w, id)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "message/rfc822")
	hd.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", id+".eml"))
	hd.Set("Content-Length", strconv.Itoa(len(m.Raw)))
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(m.Raw)
}

func (h *handler) wait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	to, subject := q.Get("to"), q.Get("subject")
	timeout := defaultWaitTimeout
	if q.Has("timeout") {
		v := q.Get("timeout")
		d, err := time.ParseDuration(v)
		if err != nil {
			// Shell scripts tend to say timeout=5.
			n, nerr := strconv.Atoi(v)
			d, err = time.Duration(n)*time.Second, nerr
		}
		if err != nil || d < time.Millisecond || d > maxWaitTimeout {
			writeError(w, http.StatusBadRequest, "timeout", fmt.Sprintf("%q is not a duration from 1ms to %v, such as 5s", v, maxWaitTimeout))
			return
		}
		timeout = d
	}
	// A long poll must outlive the server's ReadTimeout as well as its WriteTimeout:
	// when the read deadline passes, net/http's background read of the connection fails
	// and cancels the request's context. Servers without timeouts, or writers that do
	// not unwrap to the connection's, answer ErrNotSupported, and need nothing.
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(timeout + waitAnswerTime)
	rc.SetReadDeadline(deadline)
	rc.SetWriteDeadline(deadline)
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	m, err := h.s.store.wait(ctx, func(m *Message) bool {
		return (to == "" || hasRecipient(m, to)) && strings.Contains(m.Subject, subject)
	})
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, newDetail(m))
	case r.Context().Err() != nil:
		// The client went away; nobody is left to answer.
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusRequestTimeout, "", fmt.Sprintf("no message %s arrived within %v", describeFilter(to, subject), timeout))
	case errors.Is(err, ErrClosed):
		writeError(w, http.StatusServiceUnavailable, "", "the SMTP sink is closed; no message can arrive")
	default:
		writeError(w, http.StatusInternalServerError, "", "the wait could not be completed")
	}
}

func hasRecipient(m *Message, to string) bool {
	for _, t := range m.To {
		if strings.EqualFold(t, to) {
			return true
		}
	}
	return false
}

func describeFilter(to, subject string) string {
	var f []string
	if to != "" {
		f = append(f, fmt.Sprintf("to %q", to))
	}
	if subject != "" {
		f = append(f, fmt.Sprintf("with a subject containing %q", subject))
	}
	if len(f) == 0 {
		return "at all"
	}
	return strings.Join(f, " ")
}

// intParam reads an integer query parameter in [lo, hi], answering 400 when it is not one.
func intParam(w http.ResponseWriter, q url.Values, name string, def, lo, hi int) (int, bool) {
	if !q.Has(name) {
		return def, true
	}
	v := q.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		want := fmt.Sprintf("an integer from %d to %d", lo, hi)
		if hi == math.MaxInt {
			want = fmt.Sprintf("an integer from %d up", lo)
		}
		writeError(w, http.StatusBadRequest, name, fmt.Sprintf("%q is not %s", v, want))
		return 0, false
	}
	return n, true
}

// requestPath is the path the client asked for, before any http.StripPrefix, so that
// error messages name a path the client recognises.
func requestPath(r *http.Request) string {
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		return u.Path
	}
	return r.URL.Path
}

func notFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "id", fmt.Sprintf("no message %q; it was never stored, or was deleted or dropped", id))
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("%s %s; allowed: %s", r.Method, requestPath(r), allow))
}

// The failure envelope of recmock's API, which this package may not import:
// {"status":0,"content":{"message":"<what>: <detail>","errors":[{"field","message"}]}}.
type errorEnvelope struct {
	Status  int          `json:"status"`
	Content errorContent `json:"content"`
}

type errorContent struct {
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// errorPrefixes are recmock's words for each status, so the sink's errors read like the
// rest of the admin API's.
var errorPrefixes = map[int]string{
	http.StatusBadRequest:          "invalid input",
	http.StatusNotFound:            "not found",
	http.StatusMethodNotAllowed:    "method not allowed",
	http.StatusRequestTimeout:      "request timeout",
	http.StatusInternalServerError: "internal error",
	http.StatusServiceUnavailable:  "service unavailable",
}

// writeError answers the failure envelope; field, when set, names the parameter at fault.
func writeError(w http.ResponseWriter, status int, field, detail string) {
	c := errorContent{Message: errorPrefixes[status] + ": " + detail}
	if field != "" {
		c.Message = errorPrefixes[status] + ": " + field + ": " + detail
		c.Errors = []fieldError{{Field: field, Message: detail}}
	}
	writeJSON(w, status, errorEnvelope{Status: 0, Content: c})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only this package's own types are written; failing to encode one is a bug, and
		// the client still deserves an envelope.
		status, body = http.StatusInternalServerError, []byte(`{"status":0,"content":{"message":"internal error: response could not be encoded"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	// Mail comes and goes: a copy is good only once revalidated, which only the list,
	// with its ETag, allows.
	if h.Get("ETag") != "" {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	// Two writes rather than append(body, '\n'), which copies a large message again.
	w.Write(body)
	w.Write([]byte{'\n'})
}
