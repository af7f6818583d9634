package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/simulator"
)

// logTable is a bounded log in a table (id bigint, <column> json): the journal and the
// deliveries. Each insert deletes, in the same statement, the rows more than size IDs older
// than its own, so the table holds about size rows (plus the inserts in flight); listings
// show at most size. IDs come from one sequence, shared by every replica.
//
// The journal, written on every request, deletes only the one row its insert pushes out
// (an index lookup), and sweeps every older row once per size inserts: a range delete on
// every insert would scan the index entries of the rows deleted since the last vacuum.
type logTable struct {
	db   *DB
	name string // its row in recmock_logs
	size int

	nextID string // SELECT the next ID
	insert string // $1 id, $2 JSON, $3 size; deletes the row size IDs older
	sweep  string // the same, deleting every row at least size IDs older
	add    string // takes the ID itself: $1 JSON, $2 size; returns the ID
	list   string // $1 limit; rows of (kept, newest ID, base, id, JSON)
	empty  string // forget every row
	rebase string // note the last ID given, from which drops are counted
}

func newLogTable(db *DB, name, table, column, seq string, size int) *logTable {
	r := strings.NewReplacer("{table}", table, "{column}", column, "{seq}", seq, "{name}", name)
	return &logTable{
		db: db, name: name, size: size,
		nextID: r.Replace(`SELECT nextval('{seq}')`),
		insert: r.Replace(`WITH new AS (INSERT INTO {table} (id, {column}) VALUES ($1, $2))
			DELETE FROM {table} WHERE id = $1::bigint - $3::bigint`),
		sweep: r.Replace(`WITH new AS (INSERT INTO {table} (id, {column}) VALUES ($1, $2))
			DELETE FROM {table} WHERE id <= $1::bigint - $3::bigint`),
		add: r.Replace(`WITH new AS (INSERT INTO {table} (id, {column}) VALUES (nextval('{seq}'), $1) RETURNING id),
			old AS (DELETE FROM {table} WHERE id <= (SELECT id FROM new) - $2::bigint)
			SELECT id FROM new`),
		// One statement, so one snapshot: the counts and the rows agree.
		list: r.Replace(`WITH stats AS (SELECT count(*) AS kept, coalesce(max(id), 0) AS newest FROM {table})
			SELECT stats.kept, stats.newest, logs.base, rows.id, rows.{column}
			FROM stats CROSS JOIN recmock_logs logs
			LEFT JOIN LATERAL (SELECT id, {column} FROM {table} ORDER BY id DESC LIMIT $1) rows ON true
			WHERE logs.name = '{name}'`),
		empty: r.Replace(`TRUNCATE {table}`),
		rebase: r.Replace(`UPDATE recmock_logs SET base =
			(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {seq})
			WHERE name = '{name}'`),
	}
}

// row is one listed row: its ID and JSON.
type row struct {
	id  int64
	val []byte
}

// rows returns up to limit rows, newest first (up to size when limit < 0), with the rows
// kept and those dropped since the last reset.
func (l *logTable) rows(ctx context.Context, limit int) (rows []row, kept int, dropped int64, err error) {
	if limit < 0 || limit > l.size {
		limit = l.size
	}
	ctx, cancel := l.db.ctx(ctx)
	defer cancel()
	res, err := l.db.logs.Query(ctx, l.list, limit)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pgstore: list %s: %w", l.name, err)
	}
	var count, newest, base int64
	rows = []row{}
	for res.Next() {
		var id *int64
		var val []byte
		if err := res.Scan(&count, &newest, &base, &id, &val); err != nil {
			res.Close()
			return nil, 0, 0, fmt.Errorf("pgstore: list %s: %w", l.name, err)
		}
		if id != nil { // nil: the table is empty, and only the counts came
			rows = append(rows, row{id: *id, val: val})
		}
	}
	if err := res.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("pgstore: list %s: %w", l.name, err)
	}
	kept = int(min(count, int64(l.size)))
	// Every ID given since the reset was added, kept or dropped; an ID still in flight
	// counts as dropped until it lands.
	dropped = max(0, newest-base-int64(kept))
	if count == 0 {
		dropped = 0
	}
	return rows, kept, dropped, nil
}

// newest is l.rows decoded, each value given its row's ID by setID.
func newest[T any](ctx context.Context, l *logTable, limit int, setID func(*T, int64)) (items []T, kept int, dropped int64, err error) {
	rows, kept, dropped, err := l.rows(ctx, limit)
	if err != nil {
		return nil, 0, 0, err
	}
	items = make([]T, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r.val, &items[i]); err != nil {
			return nil, 0, 0, fmt.Errorf("pgstore: decode %s %d: %w", l.name, r.id, err)
		}
		setID(&items[i], r.id)
	}
	return items, kept, dropped, nil
}

// reset forgets every row and counts drops from the last ID given.
func (l *logTable) reset(ctx context.Context) error {
	ctx, cancel := l.db.ctx(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, l.db.logs, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, l.empty); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, l.rebase)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: reset %s: %w", l.name, err)
	}
	return nil
}

// journal is mock.Journal on recmock_journal.
type journal struct{ log *logTable }

var _ mock.Journal = (*journal)(nil)

func (j *journal) NextID(ctx context.Context) (int64, error) {
	ctx, cancel := j.log.db.ctx(ctx)
	defer cancel()
	var id int64
	if err := j.log.db.logs.QueryRow(ctx, j.log.nextID).Scan(&id); err != nil {
		return 0, fmt.Errorf("pgstore: journal ID: %w", err)
	}
	return id, nil
}

// Add keeps e, also when ctx ends meanwhile: the client that went away is journaled too.
func (j *journal) Add(ctx context.Context, e mock.JournalEntry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("pgstore: encode journal entry: %w", err)
	}
	ctx, cancel := j.log.db.ctx(context.WithoutCancel(ctx))
	defer cancel()
	sql := j.log.insert
	if e.ID%int64(j.log.size) == 0 {
		sql = j.log.sweep
	}
	if _, err := j.log.db.logs.Exec(ctx, sql, e.ID, v, j.log.size); err != nil {
		return fmt.Errorf("pgstore: journal: %w", err)
	}
	return nil
}

func (j *journal) Newest(ctx context.Context, limit int) (mock.JournalPage, error) {
	items, kept, dropped, err := newest(ctx, j.log, limit, func(e *mock.JournalEntry, id int64) { e.ID = id })
	return mock.JournalPage{Total: kept, Dropped: dropped, Items: items}, err
}

func (j *journal) Reset(ctx context.Context) error { return j.log.reset(ctx) }

// deliveries is simulator.DeliveryLog on recmock_deliveries. IDs are "d-" and the sequence's.
type deliveries struct{ log *logTable }

var _ simulator.DeliveryLog = (*deliveries)(nil)

func (d *deliveries) Start(ctx context.Context, dl recmock.Delivery) (string, error) {
	dl.ID = ""
	v, err := json.Marshal(dl)
	if err != nil {
		return "", fmt.Errorf("pgstore: encode delivery: %w", err)
	}
	ctx, cancel := d.log.db.ctx(ctx)
	defer cancel()
	var id int64
	if err := d.log.db.logs.QueryRow(ctx, d.log.add, v, d.log.size).Scan(&id); err != nil {
		return "", fmt.Errorf("pgstore: start delivery: %w", err)
	}
	return "d-" + strconv.FormatInt(id, 10), nil
}

// Update replaces the kept delivery; one dropped or reset meanwhile is not brought back.
func (d *deliveries) Update(ctx context.Context, dl recmock.Delivery) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(dl.ID, "d-"), 10, 64)
	if err != nil || !strings.HasPrefix(dl.ID, "d-") {
		return nil // not an ID this log gave: nothing kept to update
	}
	dl.ID = ""
	v, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("pgstore: encode delivery: %w", err)
	}
	ctx, cancel := d.log.db.ctx(ctx)
	defer cancel()
	if _, err := d.log.db.logs.Exec(ctx, "UPDATE recmock_deliveries SET delivery = $2 WHERE id = $1", id, v); err != nil {
		return fmt.Errorf("pgstore: update delivery %d: %w", id, err)
	}
	return nil
}

func (d *deliveries) List(ctx context.Context, limit int) (simulator.DeliveryList, error) {
	items, kept, dropped, err := newest(ctx, d.log, limit, func(dl *recmock.Delivery, id int64) { dl.ID = "d-" + strconv.FormatInt(id, 10) })
	return simulator.DeliveryList{Total: kept, Dropped: dropped, Items: items}, err
}

func (d *deliveries) Reset(ctx context.Context) error { return d.log.reset(ctx) }
