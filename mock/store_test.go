package mock_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/internal/storetest"
	"github.com/recmock/recmock/mock"
)

// TestStores runs the conformance suite against every Store implementation of this package;
// pgstore runs the same suite against PostgreSQL.
func TestStores(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		storetest.Store(t, func(*testing.T) mock.Store { return mock.NewMemoryStore() })
	})
	t.Run("bolt", func(t *testing.T) {
		storetest.Store(t, func(t *testing.T) mock.Store { return boltStore(t) })
	})
}

func TestMemoryJournal(t *testing.T) {
	storetest.Journal(t, func(_ *testing.T, size int) mock.Journal { return mock.NewMemoryJournal(size) })
}

func TestBoltStoreSurvivesReopen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "settings.db")
	s, err := mock.OpenBoltStore(file)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, mock.Config{Store: s})
	c.mustDo(req{Method: "POST", Body: `{"notify":true,"email":"a@b.com; c@d.com"}`})
	want := data(t, c.mustDo(req{}).Body)

	if _, err := mock.OpenBoltStore(file); !errors.Is(err, mock.ErrLocked) {
		t.Errorf("second open of a held file: %v, want ErrLocked", err)
	}
	if err := c.srv.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := mock.OpenBoltStore(file)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, mock.Config{Store: s2})
	if diff := cmp.Diff(want, data(t, c2.mustDo(req{}).Body)); diff != "" {
		t.Errorf("settings after reopen (-want +got):\n%s", diff)
	}
}
