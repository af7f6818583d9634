package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/recmock/recmock"
)

// Limits of the delivery list's limit query parameter, as in openapi.yaml's Limit.
const (
	defaultListLimit = 100
	maxListLimit     = 10000
)

// DeliveryList is the answer of GET /_admin/deliveries (openapi.yaml's DeliveryList).
type DeliveryList struct {
	Total   int                `json:"total"`   // deliveries kept now
	Dropped int64              `json:"dropped"` // deliveries dropped because the log was full
	Items   []recmock.Delivery `json:"items"`   // newest first, at most limit
}

// deliveryLog is a ring of the newest deliveries. Entries are updated in place while their
// delivery runs, so the log shows pending deliveries with the attempts made so far.
type deliveryLog struct {
	mu      sync.Mutex
	ring    []*recmock.Delivery
	next    int // where the next delivery goes
	n       int // deliveries kept
	dropped int64
	seq     uint64 // IDs only grow, even across Reset, so an old ID never names a new delivery
}

func newDeliveryLog(size int) *deliveryLog {
	return &deliveryLog{ring: make([]*recmock.Delivery, size)}
}

func (l *deliveryLog) start(url, username string, ev recmock.RecordingEvent) *recmock.Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	d := &recmock.Delivery{
		ID:       "d-" + strconv.FormatUint(l.seq, 10),
		URL:      url,
		Username: username,
		Event:    ev,
		Status:   recmock.DeliveryPending,
		Attempts: []recmock.Attempt{},
	}
	if len(l.ring) == 0 {
		return d
	}
	if l.n == len(l.ring) {
		l.dropped++
	} else {
		l.n++
	}
	l.ring[l.next] = d
	l.next = (l.next + 1) % len(l.ring)
	return d
}

func (l *deliveryLog) addAttempt(d *recmock.Delivery, a recmock.Attempt) {
	l.mu.Lock()
	d.Attempts = append(d.Attempts, a)
	l.mu.Unlock()
}

func (l *deliveryLog) finish(d *recmock.Delivery, status string) recmock.Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	d.Status = status
	return clone(d)
}

func clone(d *recmock.Delivery) recmock.Delivery {
	c := *d
	c.Attempts = slices.Clone(d.Attempts)
	return c
}

// list returns up to limit deliveries, newest first; limit < 0 means all.
func (l *deliveryLog) list(limit int) DeliveryList {
	l.mu.Lock()
	defer l.mu.Unlock()
	if limit < 0 || limit > l.n {
		limit = l.n
	}
	out := DeliveryList{Total: l.n, Dropped: l.dropped, Items: make([]recmock.Delivery, 0, limit)}
	for i := 1; i <= limit; i++ {
		out.Items = append(out.Items, clone(l.ring[(l.next-i+len(l.ring))%len(l.ring)]))
	}
	return out
}

func (l *deliveryLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	l.next, l.n, l.dropped = 0, 0, 0
}

// Deliveries returns every delivery kept, newest first, with its attempts so far.
func (s *Simulator) Deliveries() DeliveryList { return s.deliveries.list(-1) }

// Reset forgets every delivery and the dropped count. Deliveries still running go on, but
// are no longer listed.
func (s *Simulator) Reset() { s.deliveries.reset() }

// Handler serves the delivery log as recmock's admin API does at /_admin/deliveries, mounted
// with http.StripPrefix so that "" and "/" are the collection: GET lists (query limit, 1 to
// 10000, default 100), DELETE forgets them all. Errors are recmock's failure envelope.
func (s *Simulator) Handler() http.Handler {
	return http.HandlerFunc(s.serveDeliveries)
}

func (s *Simulator) serveDeliveries(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "" && r.URL.Path != "/" {
		recmock.WriteError(w, recmock.Errorf(recmock.CodeNotFound, "no delivery resource at %q; GET or DELETE the collection", r.URL.Path))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		limit := defaultListLimit
		if v, ok := r.URL.Query()["limit"]; ok {
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > maxListLimit || len(v) > 1 {
				recmock.WriteError(w, recmock.Invalid(recmock.FieldError{Field: "limit", Message: "must be one integer between 1 and 10000"}))
				return
			}
			limit = n
		}
		recmock.WriteJSON(w, http.StatusOK, s.deliveries.list(limit))
	case http.MethodDelete:
		s.Reset()
		recmock.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		w.Header().Set("Allow", "GET, DELETE")
		recmock.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; allowed: GET, DELETE", r.Method, r.URL.Path))
	}
}
