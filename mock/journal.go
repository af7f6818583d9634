package mock

import (
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

// journal keeps the newest entries; IDs keep growing across resets, so clients can tell
// entries apart.
type journal struct {
	lastID atomic.Int64
	*ring.Ring[JournalEntry]
}

func newJournal(size int) *journal { return &journal{Ring: ring.New[JournalEntry](size)} }

// id reserves the next entry ID, so the response can carry it before the entry is added.
func (j *journal) id() int64 { return j.lastID.Add(1) }
