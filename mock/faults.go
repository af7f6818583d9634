package mock

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// Fault is an injected failure for API requests matching Method and Path (empty matches any;
// a Path ending in "*" matches by prefix). It adds Latency, then drops the connection or
// answers Status; with neither, the request proceeds normally.
type Fault struct {
	ID        int64  `json:"id"`
	Method    string `json:"method,omitempty"`
	Path      string `json:"path,omitempty"`
	LatencyMs int    `json:"latencyMs,omitempty"`
	Status    int    `json:"status,omitempty"`
	Drop      bool   `json:"drop,omitempty"`
	Times     int    `json:"times"`
	Remaining int    `json:"remaining"`
}

func (f Fault) matches(method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if p, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(path, p)
	}
	return f.Path == "" || f.Path == path
}

// describe says what the fault does, for the journal.
func (f Fault) describe() string {
	var parts []string
	if f.LatencyMs > 0 {
		parts = append(parts, fmt.Sprintf("latency %v", time.Duration(f.LatencyMs)*time.Millisecond))
	}
	if f.Drop {
		parts = append(parts, "dropped connection")
	} else if f.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", f.Status))
	}
	return fmt.Sprintf("fault #%d: %s", f.ID, strings.Join(parts, ", "))
}

// maxFaults bounds the active faults.
const maxFaults = 100

type faults struct {
	mu     sync.Mutex
	list   []Fault
	lastID int64
	n      atomic.Int64 // len(list), read without the lock on every request
}

// add activates f, failing with a CodeConflict error when maxFaults are active already: the
// fault is valid, the server's state refuses it (openapi.yaml documents the 409).
func (fs *faults) add(f Fault) (Fault, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.list) >= maxFaults {
		return Fault{}, recmock.Errorf(recmock.CodeConflict, "at most %d faults may be active; DELETE /_admin/faults first", maxFaults)
	}
	fs.lastID++
	f.ID = fs.lastID
	if f.Times == 0 {
		f.Times = 1
	}
	f.Remaining = f.Times
	fs.list = append(fs.list, f)
	fs.n.Store(int64(len(fs.list)))
	return f, nil
}

// take returns the oldest fault matching the request and uses one of its times up.
func (fs *faults) take(method, path string) (Fault, bool) {
	if fs.n.Load() == 0 {
		return Fault{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if !f.matches(method, path) {
			continue
		}
		fs.list[i].Remaining--
		if fs.list[i].Remaining <= 0 {
			fs.list = append(fs.list[:i], fs.list[i+1:]...)
			fs.n.Store(int64(len(fs.list)))
		}
		return f, true
	}
	return Fault{}, false
}

func (fs *faults) all() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]Fault{}, fs.list...)
}

func (fs *faults) reset() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = nil
	fs.n.Store(0)
}

// applyFault waits the fault's latency, then drops the connection or answers its status. It
// reports whether the request has been answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) (done bool) {
	if f.LatencyMs > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMs) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true // the client left; nobody to answer
		}
	}
	switch {
	case f.Drop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// HTTP/2 cannot hand over the connection; aborting resets the stream instead.
			panic(http.ErrAbortHandler)
		}
		conn.Close()
		return true
	case f.Status != 0:
		status := recmock.StatusFailed
		if f.Status == http.StatusUnauthorized {
			status = recmock.StatusUnauthorized
		}
		// The header tells clients (and the spec checks in tests) that this answer is injected,
		// not the API's.
		w.Header().Set("X-Recmock-Fault", f.describe())
		wire.WriteJSON(w, f.Status, recmock.Envelope{Status: status, Content: recmock.Content{
			Message: fmt.Sprintf("injected %s (set with POST /_admin/faults)", f.describe()),
		}})
		return true
	}
	return false
}
