package contract_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// TestPreflight: a deployment that cannot be tested at all is told apart from a broken one.
// Run returns ErrPreflight saying why, runs no check and sends nothing but GETs.
func TestPreflight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		cfg  func(base string) contract.Config
		want string
	}{
		{"unreachable", func(string) contract.Config { return config(closed, true) }, "is unreachable"},
		{"no-credentials", func(base string) contract.Config {
			return contract.Config{BaseURL: base, AllowWrites: true}
		}, "none were given: use --basic"},
		{"wrong-secret", func(base string) contract.Config {
			cfg := config(base, true)
			cfg.Secret = "not-the-secret"
			return cfg
		}, "refused the credentials of the account (HTTP 401, status -1): check --basic and --header"},
		{"other-account-refused", func(base string) contract.Config {
			cfg := config(base, true)
			cfg.OtherSecret = "not-the-secret"
			return cfg
		}, "refused the credentials of the other account (HTTP 401, status -1): check --other-basic"},
		{"base-url-has-api-path", func(base string) contract.Config {
			return config(base+contract.APIPath+"/", true)
		}, "already ends in the API path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &methodLog{methods: map[string]int{}}
			_, base := newMock(t, someSettings, log.wrap)
			rep, err := contract.Run(context.Background(), tt.cfg(base), contract.Checks())
			if !errors.Is(err, contract.ErrPreflight) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run: %v, want ErrPreflight saying %q", err, tt.want)
			}
			if len(rep.Results) != 0 || rep.Restore != nil || rep.OtherRestore != nil {
				t.Errorf("report %+v, want no check run and no restore", rep)
			}
			for m, n := range log.methods {
				if m != http.MethodGet {
					t.Errorf("%d %s requests reached the server", n, m)
				}
			}
			if strings.Contains(err.Error(), "secret") && strings.Contains(err.Error(), "not-the-secret") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
}

// TestPreflightPassesAPathPrefix: a base URL whose prefix merely contains the API's words is
// not refused.
func TestPreflightPassesAPathPrefix(t *testing.T) {
	_, base := newMock(t, someSettings, func(_ *mock.Server, h http.Handler) http.Handler {
		return http.StripPrefix("/rest/recording/notifications-gw", h)
	})
	rep, err := contract.Run(context.Background(), config(base+"/rest/recording/notifications-gw", false), contract.Checks())
	if err != nil || !rep.OK() {
		t.Fatalf("Run: %v%s", err, failures(rep))
	}
}
