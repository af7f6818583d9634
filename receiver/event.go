package receiver

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/ring"
	"github.com/recmock/recmock/internal/wire"
)

// Event is one POST the receiver took: what came, what openapi.yaml says of it, and what was
// answered.
type Event struct {
	// N numbers the events from 1, in the order they arrived.
	N    int       `json:"n"`
	Time time.Time `json:"time"`
	Path string    `json:"path"`
	// Delivery and Attempt are recmock's X-Recmock-Delivery and X-Recmock-Attempt headers.
	Delivery    string `json:"delivery,omitempty"`
	Attempt     string `json:"attempt,omitempty"`
	UserAgent   string `json:"userAgent,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// Size is the body's length in bytes, as read (at most MaxBodyBytes+1 for a body that
	// was too large).
	Size int64 `json:"size"`
	// Body is the body as text, at most KeepBodyBytes of it; Truncated says it was cut.
	Body      string `json:"body"`
	Truncated bool   `json:"truncated,omitempty"`
	// MeetingID is the body's meetingId when it has a string one.
	MeetingID string `json:"meetingId,omitempty"`
	// Duplicate says an event kept earlier had the same meetingId: a retry, or the
	// duplicate variant. A careful receiver acts on it once.
	Duplicate bool `json:"duplicate,omitempty"`
	// Valid says the body is a RecordingCompletedEvent as openapi.yaml describes it; Errors
	// name each broken rule's field otherwise.
	Valid  bool                 `json:"valid"`
	Errors []recmock.FieldError `json:"errors,omitempty"`
	// Status is what the receiver answered.
	Status int `json:"status"`
}

// answer is the body of every answer that may have one.
type answer struct {
	N      int                  `json:"n"`
	Valid  bool                 `json:"valid"`
	Errors []recmock.FieldError `json:"errors,omitempty"`
}

// ServeHTTP takes a POST on any path as an event; other methods are answered 405.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		wire.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; a webhook receiver takes POST", req.Method, req.URL.Path))
		return
	}
	ev := Event{
		Time:        r.cfg.Now().UTC(),
		Path:        req.URL.Path,
		Delivery:    req.Header.Get("X-Recmock-Delivery"),
		Attempt:     req.Header.Get("X-Recmock-Attempt"),
		UserAgent:   req.Header.Get("User-Agent"),
		ContentType: req.Header.Get("Content-Type"),
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, r.cfg.MaxBodyBytes+1))
	ev.Size = int64(len(body))
	tooLarge := ev.Size > r.cfg.MaxBodyBytes
	switch {
	case err != nil:
		// The sender went away or stalled past Timeout: nobody reads the answer.
		r.cfg.Logger.Debug("receiver: reading a body", "path", ev.Path, "err", err)
		return
	case tooLarge:
		ev.Errors = []recmock.FieldError{{Field: "body", Message: "is larger than " + strconv.FormatInt(r.cfg.MaxBodyBytes, 10) + " bytes"}}
	default:
		ev.Valid, ev.Errors = r.check(body)
		ev.MeetingID = meetingID(body)
	}
	ev.Body, ev.Truncated = keep(body, r.cfg.KeepBodyBytes)
	ev = r.events.add(ev, func(n int) int {
		switch {
		case tooLarge:
			return http.StatusRequestEntityTooLarge
		case n <= r.cfg.FailFirst:
			return r.cfg.FailStatus
		}
		return r.cfg.Status
	})
	r.cfg.Logger.Debug("receiver: event", "n", ev.N, "path", ev.Path, "meetingId", ev.MeetingID, "valid", ev.Valid, "status", ev.Status)
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(ev)
	}
	if tooLarge {
		w.Header().Set("Connection", "close") // the rest of the body is not read
	}
	if !bodyAllowed(ev.Status) {
		w.WriteHeader(ev.Status)
		return
	}
	wire.WriteJSON(w, ev.Status, answer{N: ev.N, Valid: ev.Valid, Errors: ev.Errors})
}

// check validates body against the RecordingCompletedEvent schema.
func (r *Receiver) check(body []byte) (bool, []recmock.FieldError) {
	err := r.spec.ValidateSchema("RecordingCompletedEvent", body)
	if err == nil {
		return true, nil
	}
	var e *recmock.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return false, e.Fields
	}
	return false, []recmock.FieldError{{Field: "body", Message: err.Error()}}
}

// meetingID is the body's meetingId when it is a JSON object with a string one.
func meetingID(body []byte) string {
	var v struct {
		MeetingID any `json:"meetingId"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	s, _ := v.MeetingID.(string)
	return s
}

// keep is the body as text, at most limit bytes of it; a character cut in two at the limit
// shows as U+FFFD, as any invalid byte does.
func keep(body []byte, limit int) (string, bool) {
	truncated := len(body) > limit
	if truncated {
		body = body[:limit]
	}
	return strings.ToValidUTF8(string(body), "\uFFFD"), truncated
}

// bodyAllowed reports whether an answer of status may carry a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// eventLog keeps the newest events, and the meetingIds of the kept ones, to mark duplicates
// without growing.
type eventLog struct {
	mu    sync.Mutex
	ring  *ring.Ring[Event]
	ids   []string       // meetingIds of the kept events, oldest first, at most the ring's size
	seen  map[string]int // how many kept events have each meetingId
	size  int
	count int // events ever added since the last reset
}

func newEventLog(size int) *eventLog {
	size = max(size, 1)
	return &eventLog{ring: ring.New[Event](size), seen: map[string]int{}, size: size}
}

// add numbers ev, marks it a duplicate, sets its answer from status(n) and keeps it.
func (l *eventLog) add(ev Event, status func(n int) int) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	ev.N = l.count
	ev.Status = status(ev.N)
	ev.Duplicate = ev.MeetingID != "" && l.seen[ev.MeetingID] > 0
	if len(l.ids) == l.size {
		oldest := l.ids[0]
		l.ids = l.ids[1:]
		if l.seen[oldest]--; l.seen[oldest] <= 0 {
			delete(l.seen, oldest)
		}
	}
	l.ids = append(l.ids, ev.MeetingID)
	if ev.MeetingID != "" {
		l.seen[ev.MeetingID]++
	}
	l.ring.Add(ev)
	return ev
}

func (l *eventLog) list() ([]Event, int64) {
	items, _, dropped := l.ring.Newest(-1, nil)
	return items, dropped
}

func (l *eventLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring.Reset()
	l.ids, l.seen, l.count = nil, map[string]int{}, 0
}
