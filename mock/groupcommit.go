package mock

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit runs bbolt writes so that concurrent writers share one transaction, and so one
// fsync, while each writer still returns only once its own write is on disk.
//
// bbolt's own DB.Batch does not fit: it waits MaxBatchDelay (10ms) for company before
// committing, which caps a lone client at a hundred writes a second, and a write whose
// function fails makes it roll back and rerun the whole batch. Here a write arriving while no
// commit runs commits at once; writes arriving during a commit queue, and the first of them
// commits them all together when that commit ends. No timer, no background goroutine.
type groupCommit struct {
	db *bolt.DB

	mu     sync.Mutex
	queue  []*write
	active bool // a writer is committing; the queue waits for it to hand over
}

// write is one writer's function and, once committed, its outcome.
type write struct {
	fn   func(*bolt.Tx) error
	err  error
	done chan bool // receives false when committed by another writer, true to lead next
}

// do runs fn in a write transaction shared with concurrent writers and returns its error, or
// the commit's. fn must leave the transaction as it found it when it returns an error, as a
// check that fails before writing does, and as bbolt's Put and Delete do when they refuse a
// key or value: other writers' changes in the same transaction still commit.
func (g *groupCommit) do(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan bool, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	lead := !g.active
	g.active = true
	g.mu.Unlock()
	if !lead && !<-w.done {
		return w.err
	}
	// Leading: commit everything queued so far, this write included.
	g.mu.Lock()
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()
	err := g.commit(batch)
	for _, b := range batch {
		if err != nil {
			b.err = err
		}
		if b != w {
			b.done <- false
		}
	}
	// Hand over to the oldest writer that queued meanwhile, or stand down.
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- true
	} else {
		g.active = false
	}
	g.mu.Unlock()
	return w.err
}

// commit runs the batch in one transaction. A panicking function rolls the transaction back
// and fails the whole batch, rather than leaving the writers queued behind it waiting.
func (g *groupCommit) commit(batch []*write) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("mock: write panicked: %v", p)
		}
	}()
	return g.db.Update(func(tx *bolt.Tx) error {
		for _, b := range batch {
			b.err = b.fn(tx)
		}
		return nil
	})
}
