package pgstore_test

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/pgtest"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
)

// BenchmarkDurablePut measures what a PUT costs the database, without HTTP, on a cluster of
// its own with fsync on: the settings write alone, and with the journal's two statements as
// the mock makes them per request. BENCHMARKS.md has the end-to-end figures.
func BenchmarkDurablePut(b *testing.B) {
	if os.Getenv(pgtest.EnvURL) != "" {
		b.Skip("skipped: measures a cluster of its own, with fsync on")
	}
	c, err := pgtest.Start(pgtest.Options{Fsync: true})
	if err != nil {
		b.Skip("skipped: ", err)
	}
	b.Cleanup(func() { c.Stop() })
	db, err := pgstore.Open(b.Context(), pgstore.Config{URL: c.URL()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for i := range 64 {
		if err := db.Settings().Put(b.Context(), recmock.Settings{Username: fmt.Sprint("u", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, journaled := range []bool{false, true} {
		for _, writers := range []int{1, 32} {
			b.Run(fmt.Sprintf("journal=%v/%dwriters", journaled, writers), func(b *testing.B) {
				var n atomic.Int64
				b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					ctx := b.Context()
					for pb.Next() {
						i := n.Add(1)
						var id int64
						if journaled {
							if id, err = db.Journal().NextID(ctx); err != nil {
								b.Error(err)
								return
							}
						}
						if err := db.Settings().Replace(ctx, recmock.Settings{Username: fmt.Sprint("u", i%64), Notify: i%2 == 0}); err != nil {
							b.Error(err)
							return
						}
						if journaled {
							if err := db.Journal().Add(ctx, mock.JournalEntry{ID: id, Method: "PUT", Path: "/rest/recording/notifications", Status: 200}); err != nil {
								b.Error(err)
								return
							}
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
			})
		}
	}
}
