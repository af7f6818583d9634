// Package logbuf is a bytes.Buffer that goroutines may write while a test reads it: the
// destination of a logger, or of a child process's output, whose lines a test checks.
package logbuf

import (
	"bytes"
	"sync"
)

// Buffer is safe for concurrent use. The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
