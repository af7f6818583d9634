package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestOpenErrorsHideThePassword: whatever goes wrong, the error names the database and never
// shows the password, in any of its spellings.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const secret = "s3cr3t/p@ss:w0rd"
	port := closedPort(t)
	tests := []struct {
		name, url, want string
		is              error
	}{
		{"unreachable", fmt.Sprintf("postgres://recmock:s3cr3t%%2Fp%%40ss%%3Aw0rd@127.0.0.1:%d/recmock", port),
			fmt.Sprintf("pgstore: cannot reach postgres://recmock:***@127.0.0.1:%d/recmock", port), nil},
		{"unescaped password", "postgres://recmock:" + secret + "@127.0.0.1:1/recmock", "pgstore: invalid database URL", pgstore.ErrURL},
		{"not a postgres URL", "mysql://recmock:" + secret + "@127.0.0.1/recmock", "want postgres://", pgstore.ErrURL},
		{"key=value form", "host=127.0.0.1 password=" + secret, "want postgres://", pgstore.ErrURL},
		{"bad parameter", fmt.Sprintf("postgres://recmock:s3cr3t%%2Fp%%40ss%%3Aw0rd@127.0.0.1:%d/recmock?pool_max_conns=many", port),
			fmt.Sprintf("pgstore: invalid database URL postgres://recmock:***@127.0.0.1:%d/recmock?pool_max_conns=many", port), pgstore.ErrURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pgstore.Open(t.Context(), pgstore.Config{URL: tt.url, ConnectTimeout: 5 * time.Second})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			for _, leak := range []string{secret, "s3cr3t", "s3cr3t%2F"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the error shows the password (%q): %s", leak, msg)
				}
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

// TestReplicasMigrateAtOnce: replicas starting together all open the database, and the
// schema is migrated once.
func TestReplicasMigrateAtOnce(t *testing.T) {
	url := pg.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			db, err := pgstore.Open(t.Context(), pgstore.Config{URL: url})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	conn := connect(t, url)
	var versions []int
	rows, _ := conn.Query(t.Context(), "SELECT version FROM recmock_schema_version ORDER BY version")
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1}, versions); diff != "" {
		t.Errorf("schema versions mismatch (-want +got):\n%s", diff)
	}
}

// TestNewerSchemaIsRefused: a database migrated by a newer recmock is not written by an
// older one.
func TestNewerSchemaIsRefused(t *testing.T) {
	url := pg.URL(t)
	open(t, pgstore.Config{URL: url})
	if _, err := connect(t, url).Exec(t.Context(), "INSERT INTO recmock_schema_version (version, name) VALUES (99, '0099_future.sql')"); err != nil {
		t.Fatal(err)
	}
	_, err := pgstore.Open(t.Context(), pgstore.Config{URL: url})
	if err == nil || !strings.Contains(err.Error(), "version 99, newer than this recmock's") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(t.Context()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTablesStayBounded: the tables, not only the listings, keep at most their bound.
func TestTablesStayBounded(t *testing.T) {
	url := pg.URL(t)
	db := open(t, pgstore.Config{URL: url, JournalSize: 5, MaxDeliveries: 3})
	ctx := t.Context()
	for range 40 {
		id, err := db.Journal().NextID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Journal().Add(ctx, mock.JournalEntry{ID: id, Path: "/"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Deliveries().Start(ctx, recmock.Delivery{URL: "https://x.example"}); err != nil {
			t.Fatal(err)
		}
	}
	conn := connect(t, url)
	if n := count(t, conn, "recmock_journal"); n != 5 {
		t.Errorf("journal table holds %d rows, want its bound of 5", n)
	}
	if n := count(t, conn, "recmock_deliveries"); n != 3 {
		t.Errorf("deliveries table holds %d rows, want its bound of 3", n)
	}
}

// TestResetClearsEverythingShared: the store's Reset, which POST /_admin/reset runs, clears
// the journal and the deliveries too, and drops are counted afresh.
func TestResetClearsEverythingShared(t *testing.T) {
	url := pg.URL(t)
	db := open(t, pgstore.Config{URL: url, JournalSize: 1, MaxDeliveries: 1})
	ctx := t.Context()
	for i := range 3 {
		if err := db.Settings().Put(ctx, recmock.Settings{Username: fmt.Sprint("u", i)}); err != nil {
			t.Fatal(err)
		}
		id, _ := db.Journal().NextID(ctx)
		if err := db.Journal().Add(ctx, mock.JournalEntry{ID: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Deliveries().Start(ctx, recmock.Delivery{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Settings().Reset(ctx); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, url)
	for _, table := range []string{"recmock_settings", "recmock_journal", "recmock_deliveries"} {
		if n := count(t, conn, table); n != 0 {
			t.Errorf("after Reset %s holds %d rows", table, n)
		}
	}
	page, err := db.Journal().Newest(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.Deliveries().List(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 0 || page.Dropped != 0 || list.Total != 0 || list.Dropped != 0 {
		t.Errorf("after Reset: journal %+v, deliveries %+v; want empty, nothing dropped", page, list)
	}
}

// TestStatementsTimeOut: a statement stuck behind a lock ends with the query timeout instead
// of holding the request for as long as the lock is held.
func TestStatementsTimeOut(t *testing.T) {
	url := pg.URL(t)
	db := open(t, pgstore.Config{URL: url, QueryTimeout: 200 * time.Millisecond})
	tx, err := connect(t, url).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), "LOCK TABLE recmock_settings, recmock_journal IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Settings().Get(t.Context(), "temasys")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get behind a lock: %v, want the deadline exceeded", err)
	}
	// Journal.Add outlives its request's context, but not the query timeout.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = db.Journal().Add(ctx, mock.JournalEntry{ID: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Add behind a lock: %v, want the deadline exceeded", err)
	}
}
