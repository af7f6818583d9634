package server_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/recmock/recmock/server"
)

// TestStartCleansUpOnFailure: when one part cannot start, the parts already started are
// closed again, so their ports are free.
func TestStartCleansUpOnFailure(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	smtp := freeAddr(t)
	_, err = server.Start(server.Config{Addr: busy.Addr().String(), SMTPAddr: smtp})
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !strings.Contains(err.Error(), "API address") {
		t.Fatalf("Start on a busy API port: %v", err)
	}
	ln, err := net.Listen("tcp", smtp)
	if err != nil {
		t.Errorf("the SMTP sink's port is still held after the failed start: %v", err)
	} else {
		ln.Close()
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
