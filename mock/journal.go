package mock

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/ring"
)

// JournalEntry is one API request as the journal keeps it: secrets redacted, bodies cut.
type JournalEntry struct {
	ID           int64                `json:"id"`
	Time         time.Time            `json:"time"`
	Method       string               `json:"method"`
	Path         string               `json:"path"`
	Query        string               `json:"query,omitempty"`
	Username     string               `json:"username,omitempty"`
	Status       int                  `json:"status"`
	DurationMs   float64              `json:"durationMs"`
	RequestBody  string               `json:"requestBody,omitempty"`
	ResponseBody string               `json:"responseBody,omitempty"`
	Fault        string               `json:"fault,omitempty"`
	Errors       []recmock.FieldError `json:"errors,omitempty"`
}

// JournalPage is what Journal.Newest returns, as GET /_admin/requests answers it.
type JournalPage struct {
	Total   int            `json:"total"`   // entries kept now
	Dropped int64          `json:"dropped"` // entries dropped because the journal was full
	Items   []JournalEntry `json:"items"`   // newest first
}

// Journal keeps the newest API requests, up to its bound. Implementations are safe for
// concurrent use; several servers may share one (pgstore's), so IDs are unique across them.
type Journal interface {
	// NextID reserves the ID of the next entry, so the response can carry it before the
	// entry is added. IDs only grow, also across Reset, so an old ID never names a new entry.
	NextID(ctx context.Context) (int64, error)
	// Add keeps e, dropping the oldest entries when the journal is full.
	Add(ctx context.Context, e JournalEntry) error
	// Newest returns up to limit entries, newest first (all of them when limit < 0).
	Newest(ctx context.Context, limit int) (JournalPage, error)
	// Reset forgets every entry and the dropped count.
	Reset(ctx context.Context) error
}

// memoryJournal is the default Journal: a ring in this process.
type memoryJournal struct {
	lastID atomic.Int64
	ring   *ring.Ring[JournalEntry]
}

var _ Journal = (*memoryJournal)(nil)

// NewMemoryJournal returns an empty in-memory Journal of size entries (at least one).
func NewMemoryJournal(size int) Journal {
	return &memoryJournal{ring: ring.New[JournalEntry](size)}
}

func (j *memoryJournal) NextID(context.Context) (int64, error) { return j.lastID.Add(1), nil }

func (j *memoryJournal) Add(_ context.Context, e JournalEntry) error {
	j.ring.Add(e)
	return nil
}

func (j *memoryJournal) Newest(_ context.Context, limit int) (JournalPage, error) {
	items, held, dropped := j.ring.Newest(limit, nil)
	return JournalPage{Total: held, Dropped: dropped, Items: items}, nil
}

func (j *memoryJournal) Reset(context.Context) error {
	j.ring.Reset()
	return nil
}
