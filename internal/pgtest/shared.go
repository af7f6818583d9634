package pgtest

import (
	"os"
	"sync"
	"testing"
)

// EnvURL names the variable that points the tests at an existing server instead.
const EnvURL = "RECMOCK_TEST_POSTGRES"

// Shared is one cluster for a whole test binary, started by the first test that asks for a
// URL. Declare one per test package and run the tests through it:
//
//	var pg pgtest.Shared
//
//	func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }
type Shared struct {
	Options Options

	once    sync.Once
	cluster *Cluster
	base    string
	err     error
}

// URL returns the URL of a new, empty schema for t, dropped when t ends. Where no server can
// start, it skips t, naming why, or, when the CI environment variable is set, fails it.
func (s *Shared) URL(t testing.TB) string {
	t.Helper()
	s.once.Do(func() {
		if s.base = os.Getenv(EnvURL); s.base != "" {
			return
		}
		if s.cluster, s.err = Start(s.Options); s.err == nil {
			s.base = s.cluster.URL()
		}
	})
	if s.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL must run in CI: %v", s.err)
		}
		t.Skipf("skipped: PostgreSQL cannot start here (%v); install its server (Debian: apt-get install postgresql) or set %s to a server's URL", s.err, EnvURL)
	}
	u, drop, err := NewSchema(t.Context(), s.base)
	if err != nil {
		t.Fatalf("pgtest: new schema: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("pgtest: drop schema: %v", err)
		}
	})
	return u
}

// Run runs the tests, then stops the cluster if one was started, and returns m.Run's code.
func (s *Shared) Run(m *testing.M) int {
	defer s.Stop()
	return m.Run()
}

// Stop stops the cluster, if one was started.
func (s *Shared) Stop() {
	if s.cluster != nil {
		s.cluster.Stop()
	}
}
