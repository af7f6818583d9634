package smtpsink

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// store keeps messages oldest first, bounded by count and bytes. Stored messages are
// never modified in place, so a snapshot of pointers can be read without the lock; only
// copies (Message.clone) leave the package.
type store struct {
	maxMessages int
	maxBytes    int64

	mu      sync.Mutex
	entries []*entry // oldest first
	bytes   int64    // sum of entries' cost
	lastSeq uint64   // sequence number of the newest message ever added
	dropped int
	closed  bool
	// changed is closed, and replaced, whenever a message is added or the store closes:
	// a broadcast that waiters select on together with their context.
	changed chan struct{}
}

type entry struct {
	seq  uint64
	cost int64
	msg  Message
}

func newStore(maxMessages int, maxBytes int64) *store {
	return &store{maxMessages: maxMessages, maxBytes: maxBytes, changed: make(chan struct{})}
}

// cost approximates the memory a message holds: its raw source plus the decoded text
// kept beside it (Text and HTML share their Part's string) and the envelope.
func cost(m *Message) int64 {
	n := int64(len(m.Raw) + len(m.From))
	for _, to := range m.To {
		n += int64(len(to))
	}
	for _, p := range m.Parts {
		n += int64(len(p.Body))
	}
	return n
}

// add assigns m the next ID, drops the oldest messages until m fits, and stores it. A
// message that costs more than the whole store (its raw source is within MaxMessageBytes,
// but its decoded text comes on top) is kept alone, so the store exceeds its byte bound
// by at most one message's decoded text.
func (s *store) add(m Message) Message {
	c := cost(&m)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.entries) > 0 && (len(s.entries) >= s.maxMessages || s.bytes+c > s.maxBytes) {
		s.bytes -= s.entries[0].cost
		s.entries[0] = nil // let the dropped message be collected
		s.entries = s.entries[1:]
		s.dropped++
	}
	s.lastSeq++
	m.ID = strconv.FormatUint(s.lastSeq, 10)
	s.entries = append(s.entries, &entry{seq: s.lastSeq, cost: c, msg: m})
	s.bytes += c
	s.broadcast()
	return m
}

// broadcast wakes every waiter; the caller holds s.mu.
func (s *store) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// snapshot returns the stored messages newest first, shared with the store: the caller
// must not modify them.
func (s *store) snapshot() ([]*Message, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Message, len(s.entries))
	for i, e := range s.entries {
		out[len(out)-1-i] = &e.msg
	}
	return out, s.dropped
}

// get returns the stored message, shared with the store: the caller must not modify it.
func (s *store) get(id string) (*Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(id); i >= 0 {
		return &s.entries[i].msg, true
	}
	return nil, false
}

func (s *store) index(id string) int {
	return slices.IndexFunc(s.entries, func(e *entry) bool { return e.msg.ID == id })
}

func (s *store) delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return false
	}
	s.bytes -= s.entries[i].cost
	s.entries = slices.Delete(s.entries, i, i+1)
	return true
}

// reset forgets every message and the dropped count; IDs keep growing.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries, s.bytes, s.dropped = nil, 0, 0
}

func (s *store) droppedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// close wakes the waiters for good: no message can arrive any more.
func (s *store) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.broadcast()
	}
}

// wait returns the newest stored message that matches, or else the first one to arrive
// that matches. Between arrivals it sleeps on the changed channel, and on each wake-up
// looks only at the messages it has not seen yet.
func (s *store) wait(ctx context.Context, match func(*Message) bool) (*Message, error) {
	s.mu.Lock()
	seen := uint64(0)
	for first := true; ; first = false {
		var fresh []*entry // newest first
		for i := len(s.entries) - 1; i >= 0 && s.entries[i].seq > seen; i-- {
			fresh = append(fresh, s.entries[i])
		}
		seen = s.lastSeq
		closed, changed := s.closed, s.changed
		s.mu.Unlock()

		// What was stored is searched newest first, as Messages lists it; what arrived
		// while waiting, oldest first, so the first to arrive wins.
		if !first {
			slices.Reverse(fresh)
		}
		for _, e := range fresh {
			if match(&e.msg) {
				return &e.msg, nil
			}
		}
		if closed {
			return nil, ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("smtpsink: wait: %w", ctx.Err())
		case <-changed:
		}
		s.mu.Lock()
	}
}
