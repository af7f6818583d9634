package mock

import (
	"sync"
	"time"

	"github.com/recmock/recmock"
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

// journal is a bounded ring of entries; the oldest are dropped first.
type journal struct {
	mu      sync.Mutex
	ring    []JournalEntry
	next    int   // index the next entry goes to
	n       int   // entries held
	lastID  int64 // IDs keep growing across resets, so clients can tell entries apart
	dropped int
}

func newJournal(size int) *journal { return &journal{ring: make([]JournalEntry, size)} }

// id reserves the next entry ID, so the response can carry it before the entry is added.
func (j *journal) id() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastID++
	return j.lastID
}

func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == len(j.ring) {
		j.dropped++
	} else {
		j.n++
	}
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
}

// list returns up to limit entries, newest first, and the number dropped so far.
func (j *journal) list(limit int) ([]JournalEntry, int, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := min(limit, j.n)
	out := make([]JournalEntry, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, j.ring[(j.next-i+len(j.ring))%len(j.ring)])
	}
	return out, j.n, j.dropped
}

func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.next, j.n, j.dropped = 0, 0, 0
}
