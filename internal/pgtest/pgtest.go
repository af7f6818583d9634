// Package pgtest runs a throw-away PostgreSQL server for tests and benchmarks: initdb in a
// temporary directory, the server on a free loopback port and a private socket directory,
// stopped and removed by Stop. Each test gets its own schema, so tests don't see each other.
//
// It needs PostgreSQL's server binaries (Debian: apt-get install postgresql). Where they are
// missing or the server cannot start, Shared.URL skips the test, unless the CI environment
// variable is set: there it fails, so CI never passes without having run the tests.
// RECMOCK_TEST_POSTGRES=postgres://... uses that server instead of starting one.
package pgtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configure a Cluster.
type Options struct {
	// Fsync makes the server flush its writes to disk, as a production server does; a
	// benchmark of durable writes needs it. Default false: faster, and a test's cluster is
	// thrown away anyway.
	Fsync bool
	// Dir is where the cluster's temporary directory is made, on the disk under test.
	// Default: the system's temporary directory (/tmp when the server, not running as
	// root, could not reach that).
	Dir string
	// Bin is the directory of initdb and postgres. Default: the one on PATH, else Debian's
	// /usr/lib/postgresql/<newest version>/bin.
	Bin string
}

// Cluster is a running PostgreSQL server in a temporary directory.
type Cluster struct {
	dir  string
	url  string // the superuser's URL, database postgres
	cmd  *exec.Cmd
	done chan error // receives the server's exit
}

// Start initialises a cluster and starts its server. As root, the server runs as the
// postgres user (nobody when there is none), since PostgreSQL refuses to run as root.
func Start(opts Options) (_ *Cluster, err error) {
	bin, err := findBin(opts.Bin)
	if err != nil {
		return nil, err
	}
	base := opts.Dir
	if base == "" {
		base = tempBase()
	}
	dir, err := os.MkdirTemp(base, "recmock-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	attr, err := runAs(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "recmock", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.Dir, initdb.SysProcAttr = dir, attr
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	fsync := "off"
	if opts.Fsync {
		fsync = "on"
	}
	// A free port can be taken between choosing it and the server binding it: try again.
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if err = c.startServer(bin, data, port, fsync, attr); err == nil {
			return c, nil
		}
		if !strings.Contains(err.Error(), "could not bind") && !strings.Contains(err.Error(), "could not create any TCP/IP sockets") {
			return nil, err
		}
	}
	return nil, errors.New("pgtest: no free port the server could bind")
}

func (c *Cluster) startServer(bin, data string, port int, fsync string, attr *syscall.SysProcAttr) error {
	logPath := filepath.Join(c.dir, "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync="+fsync, "-c", "full_page_writes="+fsync,
		"-c", "max_connections=300", "-c", "log_min_messages=warning")
	cmd.Dir, cmd.Stdout, cmd.Stderr, cmd.SysProcAttr = c.dir, log, log, attr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	url := fmt.Sprintf("postgres://recmock@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			c.cmd, c.done, c.url = cmd, done, url
			return nil
		}
		select {
		case <-done:
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtest: postgres exited at start: %s", out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtest: postgres did not accept connections in 30s: %v\n%s", err, out)
		}
	}
}

// URL is the superuser's URL to the server's postgres database.
func (c *Cluster) URL() string { return c.url }

// Stop shuts the server down (fast: open sessions are ended) and removes its directory.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil {
		c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
			err = errors.New("pgtest: postgres did not stop in 30s; killed")
		}
		c.cmd = nil
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// NewSchema creates an empty schema in the database of base (a postgres:// URL) and returns
// base with the schema as its search_path, so that whatever connects with it creates its
// tables there. drop removes the schema and everything in it.
func NewSchema(ctx context.Context, base string) (schemaURL string, drop func() error, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: %w", err)
	}
	name := "t_" + strings.ToLower(rand.Text())
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		return err
	}
	return u.String(), drop, nil
}

// findBin returns dir, or finds the directory of initdb and postgres: on PATH, or where Debian puts them
// (/usr/lib/postgresql/<version>/bin, the newest version).
func findBin(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("pgtest: no initdb in %s", dir)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(found, func(a, b string) int { return version(a) - version(b) })
	if len(found) > 0 {
		return filepath.Dir(found[len(found)-1]), nil
	}
	return "", errors.New("pgtest: no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin; Debian: apt-get install postgresql")
}

// version is the major version in a Debian path /usr/lib/postgresql/<version>/bin/initdb.
func version(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverUser is the user the server runs as when the tests run as root.
func serverUser() (uid, gid int, err error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return uid, gid, nil
	}
	return 0, 0, errors.New("pgtest: running as root, and there is neither a postgres nor a nobody user to run the server as")
}
