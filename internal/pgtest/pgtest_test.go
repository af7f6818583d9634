package pgtest_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/recmock/recmock/internal/pgtest"
)

var pg = pgtest.Shared{Options: pgtest.Options{Fsync: true}}

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

// TestSchemasAreApart: two URLs name two schemas of one server, each with its own tables,
// and the server runs with the options asked for.
func TestSchemasAreApart(t *testing.T) {
	var conns []*pgx.Conn
	for range 2 {
		conn, err := pgx.Connect(t.Context(), pg.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(t.Context()) })
		conns = append(conns, conn)
	}
	if _, err := conns[0].Exec(t.Context(), "CREATE TABLE t (x int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conns[1].Exec(t.Context(), "CREATE TABLE t (x int)"); err != nil {
		t.Fatalf("the second schema sees the first's table: %v", err)
	}
	var n int
	if err := conns[1].QueryRow(t.Context(), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("second schema's t: %d rows, %v; want 0", n, err)
	}
	var fsync string
	if err := conns[0].QueryRow(t.Context(), "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
		t.Errorf("fsync = %q (%v), want on as asked", fsync, err)
	}
}

// TestStopStopsTheServer: no server outlives Stop.
func TestStopStopsTheServer(t *testing.T) {
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Skip("skipped: tests use the server at " + pgtest.EnvURL)
	}
	pg.URL(t) // skips, or fails in CI, where no server can start
	c, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	url := c.URL()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.Connect(t.Context(), url); err == nil {
		conn.Close(t.Context())
		t.Errorf("the server still answers after Stop")
	}
}

// recorder is a test that records how it ended instead of ending the real one.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestWithoutPostgreSQL: where no server can start, a test skips saying why and what to
// install, except in CI, where it fails.
func TestWithoutPostgreSQL(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			t.Setenv(pgtest.EnvURL, "")
			missing := pgtest.Shared{Options: pgtest.Options{Bin: t.TempDir()}}
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				missing.URL(r)
			}()
			<-done
			if ci == "" && (r.failed != "" || !strings.Contains(r.skipped, "apt-get install postgresql")) {
				t.Errorf("outside CI: skipped %q, failed %q; want a skip naming the package", r.skipped, r.failed)
			}
			if ci != "" && (r.skipped != "" || !strings.Contains(r.failed, "must run in CI")) {
				t.Errorf("in CI: skipped %q, failed %q; want a failure", r.skipped, r.failed)
			}
		})
	}
}
