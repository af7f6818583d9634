package server_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/server"
)

// TestStartCleansUpOnFailure: when one part cannot start, the parts already started are
// closed again, so their ports are free.
func TestStartCleansUpOnFailure(t *testing.T) {
	for _, busyPart := range []string{"API", "SMTP", "S3"} {
		t.Run(busyPart, func(t *testing.T) {
			busy, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			addrs := map[string]string{"API": freeAddr(t), "SMTP": freeAddr(t), "S3": freeAddr(t)}
			addrs[busyPart] = busy.Addr().String()
			_, err = server.Start(server.Config{Addr: addrs["API"], SMTPAddr: addrs["SMTP"], S3Addr: addrs["S3"]})
			var opErr *net.OpError
			if !errors.As(err, &opErr) || !strings.Contains(err.Error(), busyPart+" address") {
				t.Fatalf("Start with the %s port busy: %v", busyPart, err)
			}
			for part, addr := range addrs {
				if part == busyPart {
					continue
				}
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Errorf("the %s port is still held after the failed start: %v", part, err)
					continue
				}
				ln.Close()
			}
		})
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

// TestAdminToken: no token on loopback unless one is given or required; a required one is
// generated, differs between servers, and guards the whole admin API, the parts mounted
// from the SMTP sink, the fake S3 and the simulator included; health stays open.
func TestAdminToken(t *testing.T) {
	const given = "given-token-0123456789abcdef"
	tests := []struct {
		name string
		cfg  server.Config
		want string // "": none; "generated"; or the token
	}{
		{"loopback", server.Config{}, ""},
		{"loopback with a token given", server.Config{AdminToken: given}, given},
		{"token required (as on a non-loopback address)", server.Config{RequireToken: true}, "generated"},
		{"token required and given", server.Config{RequireToken: true, AdminToken: given}, given},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := server.Start(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			tok := srv.AdminToken()
			switch tt.want {
			case "generated":
				if len(tok) != 43 || seen[tok] {
					t.Errorf("generated token %q: want 43 base64url characters (32 random bytes), new each time", tok)
				}
				seen[tok] = true
			default:
				if tok != tt.want {
					t.Errorf("AdminToken() = %q, want %q", tok, tt.want)
				}
			}
			for _, path := range []string{"/_admin/settings", "/_admin/emails", "/_admin/objects", "/_admin/deliveries", "/_admin/health"} {
				without := get(t, srv.URL()+path, "")
				wantWithout := http.StatusOK
				if tok != "" && path != "/_admin/health" {
					wantWithout = http.StatusUnauthorized
				}
				if without != wantWithout {
					t.Errorf("GET %s without a token: %d, want %d", path, without, wantWithout)
				}
				if tok != "" {
					if with := get(t, srv.URL()+path, tok); with != http.StatusOK {
						t.Errorf("GET %s with the token: %d", path, with)
					}
				}
			}
		})
	}
	if _, err := server.Start(server.Config{AdminToken: "short"}); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a short token: %v", err)
	}
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
