package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
)

// openStore opens where the settings live: the database Config.Store names, the bbolt file
// under DataDir, or memory. With a database, s.DB is set, and the journal and the delivery
// log live there too.
func (s *Server) openStore(cfg Config) (mock.Store, error) {
	switch {
	case cfg.Store != "":
		if !strings.HasPrefix(cfg.Store, "postgres://") && !strings.HasPrefix(cfg.Store, "postgresql://") {
			// Not quoted: a password in it would show.
			return nil, errors.New("store: want a postgres:// URL, or none (settings in memory, or in the data dir)")
		}
		db, err := pgstore.Open(context.Background(), pgstore.Config{
			URL:         cfg.Store,
			JournalSize: cfg.JournalSize,
			Logger:      cfg.Logger.With("part", "store"),
		})
		if err != nil {
			return nil, err
		}
		s.DB = db
		s.closers = append(s.closers, func(context.Context) error { return db.Close() })
		return db.Settings(), nil
	case cfg.DataDir != "":
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		store, err := mock.OpenBoltStore(filepath.Join(cfg.DataDir, "settings.db"))
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, func(context.Context) error { return store.Close() })
		return store, nil
	}
	return mock.NewMemoryStore(), nil
}
