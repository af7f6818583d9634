package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// testVersion is what the test binary's link-time version is set to, as a release's is.
const testVersion = "v9.8.7-test"

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// buildRecmock builds recmock as a release does — static (CGO_ENABLED=0), the version set
// with -ldflags -X, the VCS stamped where the checkout allows — once per test run, and
// returns the binary's path.
func buildRecmock(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "recmock-build-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "recmock")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildvcs=auto", "-trimpath",
			"-ldflags", "-s -w -X github.com/recmock/recmock.version="+testVersion, "-o", built.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

// TestVersionOfABuild: a built binary prints the link-time version, then the commit, its
// date and the toolchain exactly as `go version -m` reads them from the binary.
func TestVersionOfABuild(t *testing.T) {
	bin := buildRecmock(t)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("recmock version: %v\n%s", err, out)
	}
	info, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	settings := map[string]string{}
	var goVersion string
	for i, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		if i == 0 && len(f) == 2 {
			goVersion = f[1] // "path: go1.26.8"
		}
		if len(f) == 2 && f[0] == "build" {
			k, v, _ := strings.Cut(f[1], "=")
			settings[k] = v
		}
	}
	var parts []string
	if rev := settings["vcs.revision"]; rev != "" {
		c := "commit " + rev[:12]
		if settings["vcs.modified"] == "true" {
			c += " with local changes"
		}
		parts = append(parts, c, settings["vcs.time"][:10])
	} else {
		t.Logf("the build recorded no VCS revision (no git, or a git worktree): checking the version alone")
	}
	parts = append(parts, goVersion)
	want := "recmock " + testVersion + " (" + strings.Join(parts, ", ") + ")\n"
	if string(out) != want {
		t.Errorf("recmock version = %q, want %q\n(go version -m:\n%s)", out, want, info)
	}
}
