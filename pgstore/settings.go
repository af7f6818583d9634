package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// settings is mock.Store on the recmock_settings table. Each method is one statement, so
// each is atomic on its own, whichever replica runs it.
type settings struct{ db *DB }

var _ mock.Store = (*settings)(nil)

// ErrUsername is returned for a username PostgreSQL's text cannot hold (NUL, invalid UTF-8).
// Usernames come from serve's --account, which cannot make one.
var ErrUsername = errors.New("pgstore: a username must be valid UTF-8 without NUL")

func storable(username string) bool {
	return utf8.ValidString(username) && !strings.ContainsRune(username, 0)
}

func (s *settings) Get(ctx context.Context, username string) (recmock.Settings, error) {
	if !storable(username) {
		return recmock.Settings{}, mock.ErrNotFound
	}
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var v []byte
	err := s.db.pool.QueryRow(ctx, "SELECT settings FROM recmock_settings WHERE username = $1", username).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return recmock.Settings{}, mock.ErrNotFound
	}
	if err != nil {
		return recmock.Settings{}, fmt.Errorf("pgstore: get settings: %w", err)
	}
	return decodeSettings(v)
}

func decodeSettings(v []byte) (recmock.Settings, error) {
	var st recmock.Settings
	if err := json.Unmarshal(v, &st); err != nil {
		return recmock.Settings{}, fmt.Errorf("pgstore: decode settings: %w", err)
	}
	if st.Email == nil {
		st.Email = []string{} // the API answers "email": [], never null
	}
	return st, nil
}

// write runs one statement that stores st and returns the rows it touched.
func (s *settings) write(ctx context.Context, sql string, st recmock.Settings) (int64, error) {
	if !storable(st.Username) {
		return 0, ErrUsername
	}
	v, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("pgstore: encode settings: %w", err)
	}
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	tag, err := s.db.pool.Exec(ctx, sql, st.Username, v)
	if err != nil {
		return 0, fmt.Errorf("pgstore: write settings: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Create is one INSERT that does nothing when the username is taken: of concurrent Creates,
// on any replicas, PostgreSQL's unique index lets exactly one through.
func (s *settings) Create(ctx context.Context, st recmock.Settings) error {
	n, err := s.write(ctx, "INSERT INTO recmock_settings (username, settings) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING", st)
	if err == nil && n == 0 {
		return mock.ErrExists
	}
	return err
}

func (s *settings) Replace(ctx context.Context, st recmock.Settings) error {
	if !storable(st.Username) {
		return mock.ErrNotFound
	}
	n, err := s.write(ctx, "UPDATE recmock_settings SET settings = $2 WHERE username = $1", st)
	if err == nil && n == 0 {
		return mock.ErrNotFound
	}
	return err
}

func (s *settings) Put(ctx context.Context, st recmock.Settings) error {
	_, err := s.write(ctx, "INSERT INTO recmock_settings (username, settings) VALUES ($1, $2) ON CONFLICT (username) DO UPDATE SET settings = excluded.settings", st)
	return err
}

func (s *settings) Delete(ctx context.Context, username string) error {
	if !storable(username) {
		return mock.ErrNotFound
	}
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM recmock_settings WHERE username = $1", username)
	if err != nil {
		return fmt.Errorf("pgstore: delete settings: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return mock.ErrNotFound
	}
	return nil
}

func (s *settings) List(ctx context.Context) ([]recmock.Settings, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	rows, err := s.db.pool.Query(ctx, "SELECT settings FROM recmock_settings ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("pgstore: list settings: %w", err)
	}
	out, err := pgx.AppendRows([]recmock.Settings{}, rows, func(row pgx.CollectableRow) (recmock.Settings, error) {
		var v []byte
		if err := row.Scan(&v); err != nil {
			return recmock.Settings{}, err
		}
		return decodeSettings(v)
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: list settings: %w", err)
	}
	return out, nil
}

// Reset forgets the settings and, in the same transaction, the journal and the deliveries:
// POST /_admin/reset clears them together (DB.Reset).
func (s *settings) Reset(ctx context.Context) error { return s.db.Reset(ctx) }

// Close does nothing: the DB owns the pool, and its Close closes it.
func (s *settings) Close() error { return nil }
