package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/mock"
)

// Journal runs the suite against the journals open returns: a new, empty one of size entries
// per case, which open closes with t.Cleanup.
func Journal(t *testing.T, open func(t *testing.T, size int) mock.Journal) {
	type opener = func(t *testing.T, size int) mock.Journal
	suite[opener]{
		{"bounded, newest first, drops counted", journalBounded},
		{"limit", journalLimit},
		{"IDs grow, also across reset", journalIDs},
		{"every field survives", journalEveryField},
		{"odd characters survive as the admin API shows them", journalOddCharacters},
		{"concurrent adds stay bounded and counted", journalConcurrent},
	}.run(t, func(*testing.T) opener { return open })
}

// add reserves an ID and adds an entry with it, as the mock does for each request.
func add(t *testing.T, j mock.Journal, e mock.JournalEntry) mock.JournalEntry {
	t.Helper()
	id, err := j.NextID(t.Context())
	must(t, "NextID", err)
	e.ID = id
	must(t, "Add", j.Add(t.Context(), e))
	return e
}

func newest(t *testing.T, j mock.Journal, limit int) mock.JournalPage {
	t.Helper()
	p, err := j.Newest(t.Context(), limit)
	must(t, "Newest", err)
	return p
}

func entry(path string) mock.JournalEntry {
	return mock.JournalEntry{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Method: "GET", Path: path, Status: 200}
}

func journalBounded(t *testing.T, open func(*testing.T, int) mock.Journal) {
	j := open(t, 3)
	if diff := cmp.Diff(mock.JournalPage{Items: []mock.JournalEntry{}}, newest(t, j, -1)); diff != "" {
		t.Errorf("empty journal mismatch (-want +got):\n%s", diff)
	}
	var added []mock.JournalEntry
	for i := range 5 {
		added = append(added, add(t, j, entry(fmt.Sprint("/", i))))
	}
	want := mock.JournalPage{Total: 3, Dropped: 2, Items: []mock.JournalEntry{added[4], added[3], added[2]}}
	if diff := cmp.Diff(want, newest(t, j, -1)); diff != "" {
		t.Errorf("Newest mismatch (-want +got):\n%s", diff)
	}
	must(t, "Reset", j.Reset(t.Context()))
	if diff := cmp.Diff(mock.JournalPage{Items: []mock.JournalEntry{}}, newest(t, j, -1)); diff != "" {
		t.Errorf("after Reset mismatch (-want +got):\n%s", diff)
	}
	e := add(t, j, entry("/after"))
	if diff := cmp.Diff(mock.JournalPage{Total: 1, Items: []mock.JournalEntry{e}}, newest(t, j, 10)); diff != "" {
		t.Errorf("after Reset and Add mismatch (-want +got):\n%s", diff)
	}
}

func journalLimit(t *testing.T, open func(*testing.T, int) mock.Journal) {
	j := open(t, 10)
	var added []mock.JournalEntry
	for i := range 4 {
		added = append(added, add(t, j, entry(fmt.Sprint("/", i))))
	}
	for _, tt := range []struct {
		limit int
		want  []mock.JournalEntry
	}{
		{1, added[3:]},
		{2, []mock.JournalEntry{added[3], added[2]}},
		{100, []mock.JournalEntry{added[3], added[2], added[1], added[0]}},
		{-1, []mock.JournalEntry{added[3], added[2], added[1], added[0]}},
	} {
		want := mock.JournalPage{Total: 4, Items: tt.want}
		if diff := cmp.Diff(want, newest(t, j, tt.limit)); diff != "" {
			t.Errorf("Newest(%d) mismatch (-want +got):\n%s", tt.limit, diff)
		}
	}
}

func journalIDs(t *testing.T, open func(*testing.T, int) mock.Journal) {
	j := open(t, 2)
	var last int64
	for i := range 6 {
		if i == 3 {
			must(t, "Reset", j.Reset(t.Context()))
		}
		e := add(t, j, entry("/"))
		if e.ID <= last {
			t.Errorf("ID %d after %d: IDs must grow", e.ID, last)
		}
		last = e.ID
	}
}

func journalEveryField(t *testing.T, open func(*testing.T, int) mock.Journal) {
	j := open(t, 5)
	var full mock.JournalEntry
	fill(t, &full)
	e := add(t, j, full)
	if diff := cmp.Diff([]mock.JournalEntry{e}, newest(t, j, 1).Items); diff != "" {
		t.Errorf("entry mismatch (-want +got):\n%s", diff)
	}
}

// journalOddCharacters: bodies are journaled as the client sent them, before any check, so
// they may hold anything. A journal may store them as JSON, so what must survive is what a
// client of the admin API reads: the entry after a trip through JSON.
func journalOddCharacters(t *testing.T, open func(*testing.T, int) mock.Journal) {
	j := open(t, 20)
	for _, v := range append(slices.Clone(odd), "invalid \xff\xfe utf-8", "\x00") {
		e := entry("/odd")
		e.RequestBody, e.ResponseBody, e.Query = v, v, v
		e = add(t, j, e)
		want, got := viaJSON(t, []mock.JournalEntry{e}), viaJSON(t, newest(t, j, 1).Items)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q mismatch (-want +got):\n%s", v, diff)
		}
	}
}

func journalConcurrent(t *testing.T, open func(*testing.T, int) mock.Journal) {
	const size, each = 10, 8
	j := open(t, size)
	var mu sync.Mutex
	ids := map[int64]bool{}
	errs := parallel(func(i int) error {
		for range each {
			id, err := j.NextID(t.Context())
			if err != nil {
				return err
			}
			mu.Lock()
			ids[id] = true
			mu.Unlock()
			if err := j.Add(t.Context(), mock.JournalEntry{ID: id, Path: fmt.Sprint("/", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		must(t, fmt.Sprint("writer ", i), err)
	}
	if len(ids) != Concurrency*each {
		t.Errorf("%d distinct IDs for %d entries", len(ids), Concurrency*each)
	}
	p := newest(t, j, -1)
	if p.Total != size || len(p.Items) != size || p.Dropped != Concurrency*each-size {
		t.Errorf("total %d, %d items, dropped %d; want %d, %d, %d", p.Total, len(p.Items), p.Dropped, size, size, Concurrency*each-size)
	}
	seen := map[int64]bool{}
	for _, e := range p.Items {
		if !ids[e.ID] || seen[e.ID] {
			t.Errorf("entry %d: not reserved, or listed twice", e.ID)
		}
		seen[e.ID] = true
	}
}

// viaJSON is v as a client of the admin API reads it: encoded, then decoded.
func viaJSON[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, "encode", err)
	var out T
	must(t, "decode", json.Unmarshal(b, &out))
	return out
}
