// Package pgstore keeps recmock's shared state in PostgreSQL — the settings, the request journal
// and the webhook deliveries — so that several recmock replicas behind one load balancer
// answer as one. It implements mock.Store, mock.Journal and simulator.DeliveryLog; the schema
// is created or migrated by Open.
//
// A POST that creates settings is one INSERT ... ON CONFLICT DO NOTHING, so of any number of
// concurrent POSTs for an account, on any replicas, exactly one succeeds. Every statement
// runs under a timeout; every table is bounded.
//
// Settings are written with synchronous commit: a write is acknowledged once on disk, and
// PostgreSQL lets concurrent commits share a WAL flush. The journal and the deliveries, a
// record of traffic, are written through a second, small pool whose sessions commit
// asynchronously: they are visible to every replica at once, but a database crash may lose
// the last fraction of a second of them, and a request does not wait for a second flush.
package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/simulator"
)

// Defaults of Config's zero values.
const (
	DefaultQueryTimeout   = 5 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultJournalSize    = 1000
	DefaultMaxDeliveries  = 1000
	// DefaultMaxConns is more than the CPUs: a session waiting for its commit's flush uses
	// none, and the more commits wait together, the more share a flush.
	DefaultMaxConns = 16
	DefaultLogConns = 4
)

// Config configures Open.
type Config struct {
	// URL names the database: postgres://user:password@host:port/dbname?sslmode=...
	// (postgresql:// too). pgx's parameters apply, pool_max_conns among them. Required.
	URL string
	// MaxConns bounds the pool of settings writes and reads. Default: the URL's
	// pool_max_conns, or DefaultMaxConns. The journal and deliveries have a pool of their
	// own, of LogConns. A replica opens at most MaxConns+LogConns connections.
	MaxConns int32
	// LogConns bounds the pool of journal and delivery writes. Default DefaultLogConns.
	LogConns int32
	// ConnectTimeout bounds Open's first connection and migration. Default 10s.
	ConnectTimeout time.Duration
	// QueryTimeout bounds every statement. Default 5s.
	QueryTimeout time.Duration
	// JournalSize bounds the request journal's table. Default 1000 entries.
	JournalSize int
	// MaxDeliveries bounds the delivery log's table. Default 1000 deliveries.
	MaxDeliveries int
	// Logger receives the migrations applied. Default: discard.
	Logger *slog.Logger
}

// ErrURL is wrapped by Open's error for a URL it cannot use.
var ErrURL = errors.New("pgstore: invalid database URL")

// DB is an open database. Its parts share its pools; Close closes them.
type DB struct {
	pool    *pgxpool.Pool // settings, migrations and resets: synchronous commit
	logs    *pgxpool.Pool // the journal and the deliveries: asynchronous commit
	timeout time.Duration
	shown   string // the URL with its password masked

	settings   *settings
	journal    *journal
	deliveries *deliveries
}

// Open connects to cfg.URL, creates or migrates recmock's tables, and returns the DB. Errors
// name the URL with its password shown as ***.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	shown, password, err := redactURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	d, err := open(ctx, cfg, shown)
	if err != nil {
		return nil, hidePassword(err, password)
	}
	return d, nil
}

func open(ctx context.Context, cfg Config, shown string) (*DB, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrURL, shown, err)
	}
	switch {
	case cfg.MaxConns > 0:
		pcfg.MaxConns = cfg.MaxConns
	case !strings.Contains(cfg.URL, "pool_max_conns="):
		pcfg.MaxConns = DefaultMaxConns
	}
	if _, ok := pcfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		pcfg.ConnConfig.RuntimeParams["application_name"] = "recmock"
	}
	lcfg := pcfg.Copy()
	lcfg.MaxConns = cmp.Or(cfg.LogConns, DefaultLogConns)
	lcfg.MinConns = min(lcfg.MinConns, lcfg.MaxConns)
	lcfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = DefaultQueryTimeout
	}
	if cfg.JournalSize <= 0 {
		cfg.JournalSize = DefaultJournalSize
	}
	if cfg.MaxDeliveries <= 0 {
		cfg.MaxDeliveries = DefaultMaxDeliveries
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := &DB{timeout: cfg.QueryTimeout, shown: shown}
	if d.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return nil, fmt.Errorf("pgstore: %s: %w", shown, err)
	}
	if d.logs, err = pgxpool.NewWithConfig(ctx, lcfg); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("pgstore: %s: %w", shown, err)
	}
	cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := d.pool.Ping(cctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("pgstore: cannot reach %s: %w", shown, err)
	}
	if err := migrate(cctx, d.pool, cfg.Logger); err != nil {
		d.Close()
		return nil, fmt.Errorf("pgstore: %s: %w", shown, err)
	}
	d.settings = &settings{db: d}
	d.journal = &journal{log: newLogTable(d, "journal", "recmock_journal", "entry", "recmock_journal_id", cfg.JournalSize)}
	d.deliveries = &deliveries{log: newLogTable(d, "deliveries", "recmock_deliveries", "delivery", "recmock_delivery_id", cfg.MaxDeliveries)}
	return d, nil
}

// Settings is the settings store. Its Close does nothing: the DB owns the pool.
func (d *DB) Settings() mock.Store { return d.settings }

// Journal is the request journal, shared by every replica on the database.
func (d *DB) Journal() mock.Journal { return d.journal }

// Deliveries is the webhook delivery log, shared by every replica on the database.
func (d *DB) Deliveries() simulator.DeliveryLog { return d.deliveries }

// String is the database's URL with its password shown as ***.
func (d *DB) String() string { return d.shown }

// Reset forgets the settings, the journal and the deliveries in one transaction, so no
// replica sees one cleared and another not. IDs go on growing.
func (d *DB) Reset(ctx context.Context) error {
	ctx, cancel := d.ctx(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "TRUNCATE recmock_settings, recmock_journal, recmock_deliveries"); err != nil {
			return err
		}
		for _, l := range []*logTable{d.journal.log, d.deliveries.log} {
			if _, err := tx.Exec(ctx, l.rebase); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgstore: reset: %w", err)
	}
	return nil
}

// Close closes the pools, waiting for connections in use to be released.
func (d *DB) Close() error {
	d.pool.Close()
	d.logs.Close()
	return nil
}

// ctx bounds a statement by the query timeout.
func (d *DB) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.timeout)
}

// redactURL checks that s is a postgres:// URL and returns it with the password masked, and
// the password. Its error quotes neither s nor url.Parse's error, which quotes s.
func redactURL(s string) (shown, password string, err error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Opaque != "" {
		return "", "", fmt.Errorf("%w: want postgres://user:password@host:port/dbname, with any special character of the password %%-escaped", ErrURL)
	}
	password, _ = u.User.Password()
	return strings.Replace(u.Redacted(), ":xxxxx@", ":***@", 1), password, nil
}

// hidePassword masks password wherever err's message shows it, in both its plain and its
// URL-escaped forms, keeping err's chain for errors.Is and errors.As.
func hidePassword(err error, password string) error {
	if password == "" {
		return err
	}
	msg := err.Error()
	for _, p := range []string{password, url.QueryEscape(password), url.PathEscape(password)} {
		msg = strings.ReplaceAll(msg, p, "***")
	}
	return &maskedError{msg: msg, err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
