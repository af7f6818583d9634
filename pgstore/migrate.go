package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema is embedded SQL files, migrations/NNNN_name.sql, applied in order and recorded
// in recmock_schema_version. A migration library (goose, golang-migrate) would add a
// dependency for what is this file: one table, one lock, a loop.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock that serialises migrations: replicas starting at once
// migrate one after the other, and the later ones find nothing to do. "recmock" in ASCII.
const migrationLock = 0x7265636d6f636b

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations, in version order.
func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files { // fs.Glob sorts, and versions are zero-padded
		name := path.Base(f)
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql, numbered from 0001 without gaps", name)
		}
		b, err := migrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	return out, nil
}

// migrate brings the schema to the newest version, in one transaction: a migration that
// fails leaves the database as it was.
func migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	all, err := loadMigrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS recmock_schema_version (
			version integer PRIMARY KEY,
			name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("schema version table: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM recmock_schema_version").Scan(&current); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if current > len(all) {
			return fmt.Errorf("the database's schema is version %d, newer than this recmock's (%d): run a newer recmock", current, len(all))
		}
		for _, m := range all[current:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO recmock_schema_version (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			log.Info("schema migrated", "version", m.version, "name", m.name)
		}
		return nil
	})
}
