package simulator

import (
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/ring"
	"github.com/recmock/recmock/internal/wire"
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

// deliveryLog keeps the newest deliveries. Entries are updated in place while their delivery
// runs, under the ring's lock, so the log shows pending deliveries with the attempts made so
// far.
type deliveryLog struct {
	ring *ring.Ring[*recmock.Delivery]
	seq  atomic.Uint64 // IDs only grow, even across Reset, so an old ID never names a new delivery
}

func newDeliveryLog(size int) *deliveryLog {
	return &deliveryLog{ring: ring.New[*recmock.Delivery](size)}
}

func (l *deliveryLog) start(url, username string, ev recmock.RecordingEvent) *recmock.Delivery {
	d := &recmock.Delivery{
		ID:       "d-" + strconv.FormatUint(l.seq.Add(1), 10),
		URL:      url,
		Username: username,
		Event:    ev,
		Status:   recmock.DeliveryPending,
		Attempts: []recmock.Attempt{},
	}
	l.ring.Add(d)
	return d
}

func (l *deliveryLog) addAttempt(d *recmock.Delivery, a recmock.Attempt) {
	l.ring.Do(func() { d.Attempts = append(d.Attempts, a) })
}

func (l *deliveryLog) finish(d *recmock.Delivery, status string) (out recmock.Delivery) {
	l.ring.Do(func() {
		d.Status = status
		out = clone(d)
	})
	return out
}

func clone(d *recmock.Delivery) recmock.Delivery {
	c := *d
	c.Attempts = slices.Clone(d.Attempts)
	return c
}

// list returns up to limit deliveries, newest first; limit < 0 means all.
func (l *deliveryLog) list(limit int) DeliveryList {
	items, held, dropped := l.ring.Newest(limit, func(d *recmock.Delivery) *recmock.Delivery {
		c := clone(d)
		return &c
	})
	out := DeliveryList{Total: held, Dropped: dropped, Items: make([]recmock.Delivery, len(items))}
	for i, d := range items {
		out.Items[i] = *d
	}
	return out
}

func (l *deliveryLog) reset() { l.ring.Reset() }

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
		wire.WriteError(w, recmock.Errorf(recmock.CodeNotFound, "no delivery resource at %q; GET or DELETE the collection", r.URL.Path))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		limit := defaultListLimit
		if v, ok := r.URL.Query()["limit"]; ok {
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > maxListLimit || len(v) > 1 {
				wire.WriteError(w, recmock.Invalid(recmock.FieldError{Field: "limit", Message: "must be one integer between 1 and 10000"}))
				return
			}
			limit = n
		}
		wire.WriteJSON(w, http.StatusOK, s.deliveries.list(limit))
	case http.MethodDelete:
		s.Reset()
		wire.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		w.Header().Set("Allow", "GET, DELETE")
		wire.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; allowed: GET, DELETE", r.Method, r.URL.Path))
	}
}
