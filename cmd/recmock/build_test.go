package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"
)

// What the release build's templates stand for in these tests.
const (
	testVersion = "9.8.7-test"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
	testDate    = "2026-12-03T10:00:00Z"
)

var builds sync.Map // "release" or "plain" → *build

type build struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildRecmock builds recmock once per test run and returns the binary: "release" as
// .goreleaser.yaml does (static, its ldflags with the test's values for the templates),
// "plain" as a developer's go build does (the VCS stamped where the checkout allows).
func buildRecmock(t *testing.T, kind string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(kind, &build{})
	b := v.(*build)
	b.once.Do(func() {
		args := []string{"build", "-buildvcs=auto", "-trimpath"}
		env := []string{"CGO_ENABLED=0"}
		if kind == "release" {
			flags, ldflags, err := releaseFlags()
			if err != nil {
				b.err = err
				return
			}
			args = append(append(args[:2], flags...), "-ldflags", ldflags) // -trimpath is among flags
		}
		dir, err := os.MkdirTemp("", "recmock-"+kind+"-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "recmock")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool(), append(args, "-o", b.path, ".")...)
		cmd.Env = append(os.Environ(), env...)
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build (%s): %v\n%s", kind, b.err, b.out)
	}
	return b.path
}

// removeBuilds removes the binaries buildRecmock built.
func removeBuilds() {
	builds.Range(func(_, v any) bool {
		if b := v.(*build); b.path != "" {
			os.RemoveAll(filepath.Dir(b.path))
		}
		return true
	})
}

// goTool is the go command that runs the tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// goreleaserBuild is the part of .goreleaser.yaml that says how recmock is built.
type goreleaserBuild struct {
	Main    string   `yaml:"main"`
	Env     []string `yaml:"env"`
	Goos    []string `yaml:"goos"`
	Goarch  []string `yaml:"goarch"`
	Flags   []string `yaml:"flags"`
	Ldflags []string `yaml:"ldflags"`
}

func readGoreleaser() (struct {
	Builds []goreleaserBuild `yaml:"builds"`
}, error) {
	var cfg struct {
		Builds []goreleaserBuild `yaml:"builds"`
	}
	raw, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		return cfg, err
	}
	return cfg, yaml.Unmarshal(raw, &cfg)
}

// releaseFlags are .goreleaser.yaml's go build flags and ldflags, its templates filled in.
func releaseFlags() ([]string, string, error) {
	cfg, err := readGoreleaser()
	if err != nil || len(cfg.Builds) != 1 {
		return nil, "", err
	}
	tmpl := strings.NewReplacer("{{ .Version }}", testVersion, "{{ .FullCommit }}", testCommit, "{{ .CommitDate }}", testDate)
	return cfg.Builds[0].Flags, tmpl.Replace(strings.Join(cfg.Builds[0].Ldflags, " ")), nil
}

// TestVersionOfARelease: a binary built as .goreleaser.yaml builds it prints the release's
// version, commit and date: the ldflags name variables that exist.
func TestVersionOfARelease(t *testing.T) {
	out, err := exec.Command(buildRecmock(t, "release"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("recmock version: %v\n%s", err, out)
	}
	want := "recmock v" + testVersion + " (commit " + testCommit[:12] + ", 2026-12-03, " + runtime.Version() + ")\n"
	if string(out) != want {
		t.Errorf("recmock version = %q, want %q", out, want)
	}
}

// TestVersionOfABuild: a developer's go build prints the commit, its date and the toolchain
// exactly as `go version -m` reads them from the binary.
func TestVersionOfABuild(t *testing.T) {
	bin := buildRecmock(t, "plain")
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("recmock version: %v\n%s", err, out)
	}
	info, err := exec.Command(goTool(), "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	settings := map[string]string{}
	var goVersion, modVersion string
	for i, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		switch {
		case i == 0 && len(f) == 2:
			goVersion = f[1] // "path: go1.26.8"
		case len(f) >= 3 && f[0] == "mod":
			modVersion = f[2]
		case len(f) == 2 && f[0] == "build":
			k, v, _ := strings.Cut(f[1], "=")
			settings[k] = v
		}
	}
	version := "devel"
	if modVersion != "(devel)" && modVersion != "" {
		version = modVersion // Go stamps a pseudo-version from the VCS
	}
	var parts []string
	if rev := settings["vcs.revision"]; rev != "" {
		c := "commit " + rev[:12]
		if settings["vcs.modified"] == "true" {
			c += " with local changes"
		}
		parts = append(parts, c, settings["vcs.time"][:10])
	} else {
		t.Logf("the build recorded no VCS revision (no git, or a git worktree): checking the version and toolchain alone")
	}
	parts = append(parts, goVersion)
	want := "recmock " + version + " (" + strings.Join(parts, ", ") + ")\n"
	if string(out) != want {
		t.Errorf("recmock version = %q, want %q\n(go version -m:\n%s)", out, want, info)
	}
}

// TestGoreleaserConfig: the release covers Linux, macOS and Windows on amd64 and arm64,
// statically; `goreleaser check` validates the file where goreleaser is installed.
func TestGoreleaserConfig(t *testing.T) {
	cfg, err := readGoreleaser()
	if err != nil || len(cfg.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml: %v, %d builds", err, len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/recmock" || strings.Join(b.Goos, " ") != "linux darwin windows" || strings.Join(b.Goarch, " ") != "amd64 arm64" || strings.Join(b.Env, " ") != "CGO_ENABLED=0" {
		t.Errorf("builds: %+v", b)
	}
	for _, v := range []string{"version", "commit", "date"} {
		if !regexp.MustCompile(`-X github\.com/recmock/recmock\.` + v + `=`).MatchString(strings.Join(b.Ldflags, " ")) {
			t.Errorf("ldflags do not set recmock.%s: %q", v, b.Ldflags)
		}
	}
	goreleaser, err := exec.LookPath("goreleaser")
	if err != nil {
		t.Log("goreleaser is not installed: `goreleaser check` not run")
		return
	}
	if out, err := exec.Command(goreleaser, "check", "-f", "../../.goreleaser.yaml").CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}
