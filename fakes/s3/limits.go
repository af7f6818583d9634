package s3

import (
	"strconv"
	"sync"
)

// partTally bounds multipart uploads: gofakes3 keeps every part in memory
// until CompleteMultipartUpload, so without a tally one upload could hold
// 10,000 parts of MaxObjectBytes each.
type partTally struct {
	mu      sync.Mutex
	uploads map[uploadKey]map[int]int64 // part number -> size
}

type uploadKey struct{ bucket, key, id string }

func newPartTally() *partTally {
	return &partTally{uploads: map[uploadKey]map[int]int64{}}
}

// reserve records a part of size bytes and reports whether the upload
// still fits in max. A re-uploaded part number replaces the old size.
func (t *partTally) reserve(u uploadKey, partNumber string, size, max int64) bool {
	n, err := strconv.Atoi(partNumber)
	if err != nil {
		return true // gofakes3 rejects the part number itself
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := t.uploads[u]
	total := size
	for num, s := range parts {
		if num != n {
			total += s
		}
	}
	if total > max {
		return false
	}
	if parts == nil {
		parts = map[int]int64{}
		t.uploads[u] = parts
	}
	parts[n] = size
	return true
}

// forget drops an upload once it is completed or aborted.
func (t *partTally) forget(u uploadKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.uploads, u)
}

func (t *partTally) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.uploads)
}
