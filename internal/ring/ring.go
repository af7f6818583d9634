// Package ring is the bounded, newest-first log behind recmock's request journal, delivery
// log and proxy journal: it keeps the last N entries and counts the ones it dropped.
package ring

import "sync"

// Ring keeps the newest entries up to its size. It is safe for concurrent use.
type Ring[T any] struct {
	mu      sync.Mutex
	items   []T
	next    int // where the next entry goes
	n       int // entries held
	dropped int64
}

// New returns a Ring of size entries; a size below 1 keeps one.
func New[T any](size int) *Ring[T] {
	return &Ring[T]{items: make([]T, max(size, 1))}
}

// Add keeps v, dropping the oldest entry when the ring is full.
func (r *Ring[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == len(r.items) {
		r.dropped++
	} else {
		r.n++
	}
	r.items[r.next] = v
	r.next = (r.next + 1) % len(r.items)
}

// Newest returns up to limit entries, newest first (all of them when limit < 0), with the
// number held and the number dropped so far. Entries are copied with copyFn when it is not
// nil, under the ring's lock, so entries that are pointers can be snapshotted safely.
func (r *Ring[T]) Newest(limit int, copyFn func(T) T) (items []T, held int, dropped int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if limit < 0 || limit > r.n {
		limit = r.n
	}
	items = make([]T, 0, limit)
	for i := 1; i <= limit; i++ {
		v := r.items[(r.next-i+len(r.items))%len(r.items)]
		if copyFn != nil {
			v = copyFn(v)
		}
		items = append(items, v)
	}
	return items, r.n, r.dropped
}

// Do runs f under the ring's lock, for callers that update entries in place.
func (r *Ring[T]) Do(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// Reset forgets every entry and the dropped count.
func (r *Ring[T]) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.items)
	r.next, r.n, r.dropped = 0, 0, 0
}
