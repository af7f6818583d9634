package smtpsink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	epoch       string // tells this store's list versions from another's

	mu      sync.Mutex
	entries []*entry // oldest first
	bytes   int64    // sum of entries' cost
	lastSeq uint64   // sequence number of the newest message ever added
	dropped int
	version uint64 // changes whenever the list changes: its ETag
	closed  bool
	// changed is closed, and replaced, whenever a message is added or the store closes:
	// a broadcast that waiters select on together with their context.
	changed chan struct{}
}

type entry struct {
	seq     uint64
	cost    int64
	msg     Message
	summary summary
}

func newStore(maxMessages int, maxBytes int64) *store {
	// A client polling a sink that restarted, or another sink at the same address,
	// must not be told that its list is still valid.
	var epoch [8]byte
	rand.Read(epoch[:])
	return &store{
		maxMessages: maxMessages,
		maxBytes:    maxBytes,
		epoch:       hex.EncodeToString(epoch[:]),
		changed:     make(chan struct{}),
	}
}

// What a message holds beside its bytes, as estimated by cost: a Go string or slice
// header is 16 or 24 bytes, a map entry about 50, and each struct a few hundred.
const (
	messageOverhead = 1024 // Message, entry, summary and their maps
	partOverhead    = 256  // Part and, perhaps, its Attachment
	fieldOverhead   = 64   // a header field: map entry, slice and string headers
	stringOverhead  = 16
)

// cost approximates the memory a message holds: its raw source, the decoded text kept
// beside it (Text and HTML share their Part's string), the decoded header fields of
// the message and of each part, and the envelope. Parse bounds the fields and parts it
// keeps, so the estimate cannot be far below the truth.
func cost(m *Message) int64 {
	n := int64(messageOverhead + len(m.Raw) + len(m.From) + len(m.AuthUser) + len(m.ParseError))
	for _, to := range m.To {
		n += int64(stringOverhead + len(to))
	}
	n += headerCost(m.Headers)
	for _, p := range m.Parts {
		n += int64(partOverhead+len(p.Body)+len(p.Filename)+len(p.ContentType)) + headerCost(p.Headers)
	}
	return n
}

func headerCost(h map[string][]string) int64 {
	var n int64
	for k, vs := range h {
		n += int64(fieldOverhead + len(k))
		for _, v := range vs {
			n += int64(stringOverhead + len(v))
		}
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
	s.entries = append(s.entries, &entry{seq: s.lastSeq, cost: c, msg: m, summary: summarize(&m)})
	s.bytes += c
	s.version++
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

// summaries returns the summaries of the stored messages newest first, from start, at
// most limit of them, with the total stored and the list's version.
func (s *store) summaries(start, limit int) (page []*summary, total, dropped int, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total = len(s.entries)
	lo := min(start, total)
	n := min(limit, total-lo) // not start+limit, which can overflow
	page = make([]*summary, n)
	for i := range page {
		page[i] = &s.entries[total-1-lo-i].summary
	}
	return page, total, s.dropped, s.epoch + "-" + strconv.FormatUint(s.version, 36)
}

// stats returns the store's part of Stats.
func (s *store) stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Messages: len(s.entries), Bytes: s.bytes, Dropped: s.dropped}
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
	s.version++
	return true
}

// reset forgets every message and the dropped count; IDs keep growing.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries, s.bytes, s.dropped = nil, 0, 0
	s.version++
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
