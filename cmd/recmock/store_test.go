package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/recmock/recmock/internal/pgtest"
)

// pg is the test binary's PostgreSQL; each test gets a schema of its own.
var pg pgtest.Shared

// TestServeStoreIsShared: two serves on one --store answer as one, and the startup lines
// name the database without its password.
func TestServeStoreIsShared(t *testing.T) {
	url := strings.Replace(pg.URL(t), "://recmock@", "://recmock:hunter2@", 1) // the test server trusts, and ignores it
	a, startup := startMain(t, serveConfig{Store: url})
	b, _ := startMain(t, serveConfig{Store: url})
	if !strings.Contains(startup, "data       postgres://recmock:***@127.0.0.1:") || strings.Contains(startup, "hunter2") {
		t.Errorf("startup lines:\n%s", startup)
	}
	if status, body := call(t, "POST", a.URL()+"/rest/recording/notifications", `{"notify":true}`); status != 200 {
		t.Fatalf("POST: %d %s", status, body)
	}
	if status, body := call(t, "POST", b.URL()+"/rest/recording/notifications", `{"notify":true}`); status != 409 {
		t.Errorf("POST on the other serve: %d %s, want 409", status, body)
	}
}

// TestServeStoreUnreachable: RECMOCK_STORE naming a database that does not answer stops
// serve with exit 1 and an error that names it, password masked.
func TestServeStoreUnreachable(t *testing.T) {
	env := map[string]string{"RECMOCK_STORE": "postgres://recmock:hunter2@127.0.0.1:1/recmock?sslmode=disable"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), serveArgs(), &stdout, &stderr, func(k string) string { return env[k] })
	out := stdout.String() + stderr.String()
	if code != 1 || !strings.Contains(out, "cannot reach postgres://recmock:***@127.0.0.1:1/recmock") || strings.Contains(out, "hunter2") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
