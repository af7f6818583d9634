package pgstore_test

import (
	"os"
	"testing"

	"github.com/recmock/recmock/internal/pgtest"
	"github.com/recmock/recmock/internal/storetest"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
	"github.com/recmock/recmock/simulator"
)

// pg is the test binary's PostgreSQL; each test gets a schema of its own.
var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

// open opens a DB on a new schema, closed when t ends.
func open(t *testing.T, cfg pgstore.Config) *pgstore.DB {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = pg.URL(t)
	}
	db, err := pgstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance runs the suite the memory and bbolt implementations pass.
func TestConformance(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		storetest.Store(t, func(t *testing.T) mock.Store { return open(t, pgstore.Config{}).Settings() })
	})
	t.Run("Journal", func(t *testing.T) {
		storetest.Journal(t, func(t *testing.T, size int) mock.Journal {
			return open(t, pgstore.Config{JournalSize: size}).Journal()
		})
	})
	t.Run("DeliveryLog", func(t *testing.T) {
		storetest.DeliveryLog(t, func(t *testing.T, size int) simulator.DeliveryLog {
			return open(t, pgstore.Config{MaxDeliveries: size}).Deliveries()
		})
	})
}
