package simulator

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
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

// DeliveryLog keeps the newest webhook deliveries, each with the attempts made so far, up to
// its bound. Implementations are safe for concurrent use; several simulators may share one
// (pgstore's), so IDs are unique across them.
type DeliveryLog interface {
	// Start keeps d, pending, under a new ID that it returns. IDs only grow, also across
	// Reset, so an old ID never names a new delivery. The oldest deliveries are dropped
	// when the log is full.
	Start(ctx context.Context, d recmock.Delivery) (id string, err error)
	// Update replaces what the log keeps of delivery d.ID: its status and attempts. A
	// delivery dropped or reset meanwhile stays gone.
	Update(ctx context.Context, d recmock.Delivery) error
	// List returns up to limit deliveries, newest first (all of them when limit < 0).
	List(ctx context.Context, limit int) (DeliveryList, error)
	// Reset forgets every delivery and the dropped count.
	Reset(ctx context.Context) error
}

// memoryLog is the default DeliveryLog: a ring in this process, whose entries are updated in
// place, under the ring's lock, while their delivery runs.
type memoryLog struct {
	ring *ring.Ring[*recmock.Delivery]
	seq  atomic.Uint64

	mu      sync.Mutex
	running map[string]*recmock.Delivery // pending deliveries, to update; bounded by those in flight
}

var _ DeliveryLog = (*memoryLog)(nil)

// NewMemoryLog returns an empty in-memory DeliveryLog of size deliveries (at least one).
func NewMemoryLog(size int) DeliveryLog {
	return &memoryLog{ring: ring.New[*recmock.Delivery](size), running: map[string]*recmock.Delivery{}}
}

func (l *memoryLog) Start(_ context.Context, d recmock.Delivery) (string, error) {
	d.ID = "d-" + strconv.FormatUint(l.seq.Add(1), 10)
	d.Attempts = slices.Clone(d.Attempts)
	p := &d
	l.mu.Lock()
	l.running[d.ID] = p
	l.mu.Unlock()
	l.ring.Add(p)
	return d.ID, nil
}

func (l *memoryLog) Update(_ context.Context, d recmock.Delivery) error {
	l.mu.Lock()
	p := l.running[d.ID]
	if d.Status != recmock.DeliveryPending {
		delete(l.running, d.ID)
	}
	l.mu.Unlock()
	if p != nil {
		d.Attempts = slices.Clone(d.Attempts) // the caller goes on appending to its own
		l.ring.Do(func() { *p = d })
	}
	return nil
}

func clone(d *recmock.Delivery) recmock.Delivery {
	c := *d
	c.Attempts = slices.Clone(d.Attempts)
	return c
}

func (l *memoryLog) List(_ context.Context, limit int) (DeliveryList, error) {
	items, held, dropped := l.ring.Newest(limit, func(d *recmock.Delivery) *recmock.Delivery {
		c := clone(d)
		return &c
	})
	out := DeliveryList{Total: held, Dropped: dropped, Items: make([]recmock.Delivery, len(items))}
	for i, d := range items {
		out.Items[i] = *d
	}
	return out, nil
}

func (l *memoryLog) Reset(context.Context) error {
	l.ring.Reset()
	l.mu.Lock()
	clear(l.running)
	l.mu.Unlock()
	return nil
}

// Deliveries returns every delivery kept, newest first, with its attempts so far.
func (s *Simulator) Deliveries(ctx context.Context) (DeliveryList, error) {
	return s.deliveries.List(ctx, -1)
}

// Reset forgets every delivery and the dropped count. Deliveries still running go on, but
// are no longer listed.
func (s *Simulator) Reset(ctx context.Context) error { return s.deliveries.Reset(ctx) }

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
		list, err := s.deliveries.List(r.Context(), limit)
		if err != nil {
			wire.WriteError(w, recmock.Errorf(recmock.CodeInternal, "delivery log: %w", err))
			return
		}
		wire.WriteJSON(w, http.StatusOK, list)
	case http.MethodDelete:
		if err := s.Reset(r.Context()); err != nil {
			wire.WriteError(w, recmock.Errorf(recmock.CodeInternal, "delivery log: %w", err))
			return
		}
		wire.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		w.Header().Set("Allow", "GET, DELETE")
		wire.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; allowed: GET, DELETE", r.Method, r.URL.Path))
	}
}
