package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// buildah runs buildah on a storage of the test's own (vfs: no overlay mounts to clean up),
// with chroot isolation and the host's network: what works as root on a CI machine without
// a container runtime or a registry.
type buildah struct {
	t    *testing.T
	root string
}

func (b buildah) args(args ...string) []string {
	return append([]string{"--root", filepath.Join(b.root, "storage"), "--runroot", filepath.Join(b.root, "run"), "--storage-driver", "vfs"}, args...)
}

func (b buildah) cmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "buildah", b.args(args...)...)
}

// run runs buildah to its end and returns its standard output.
func (b buildah) run(args ...string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.t.Context(), 5*time.Minute)
	defer cancel()
	var stderr strings.Builder
	cmd := b.cmd(ctx, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.t.Fatalf("buildah %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// TestContainerImage builds the image from the Dockerfile's prebuilt target with buildah,
// checks its configuration (non-root user, the RECMOCK_* defaults, ports, health check,
// entrypoint) and what it holds (the CA bundle, a /data the user owns), then runs serve in
// a container of it and checks, from the host, that the API answers and, inside the
// container, that `recmock health` does what its HEALTHCHECK does.
//
// The Dockerfile's default target compiles in a golang image, which needs a registry; this
// test cannot build that one, and says so when run with -v.
func TestContainerImage(t *testing.T) {
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Skip("buildah is not installed (apt-get install buildah): the container image is not built here")
	}
	b := buildah{t: t, root: t.TempDir()}
	if out, err := b.cmd(t.Context(), "images").CombinedOutput(); err != nil {
		t.Skipf("buildah cannot run here (it needs root, or user namespaces for rootless use): the container image is not built: %v\n%s", err, out)
	}
	t.Log("building the Dockerfile's prebuilt target; its default target (a golang build stage) needs a registry and is not built")
	ctxDir := t.TempDir()
	copyFile(t, buildRecmock(t, "release"), filepath.Join(ctxDir, "recmock"), 0o755)
	bundle := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(bundle); err != nil {
		t.Skipf("no CA bundle at %s (apt-get install ca-certificates): %v", bundle, err)
	}
	copyFile(t, bundle, filepath.Join(ctxDir, "ca-certificates.crt"), 0o644)
	if err := os.Mkdir(filepath.Join(ctxDir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	const image = "localhost/recmock-image-test"
	b.run("bud", "--format", "docker", "--isolation", "chroot", "--network", "host", "--target", "prebuilt",
		"-f", "../../Dockerfile", "-t", image, ctxDir)

	var inspect struct {
		Docker struct {
			Config struct {
				User         string
				Env          []string
				ExposedPorts map[string]struct{}
				Entrypoint   []string
				Cmd          []string
				Healthcheck  struct{ Test []string }
			} `json:"config"`
		}
	}
	if err := json.Unmarshal([]byte(b.run("inspect", "--type", "image", image)), &inspect); err != nil {
		t.Fatal(err)
	}
	cfg := inspect.Docker.Config
	type config struct {
		User        string
		Env         []string
		Ports       []string
		Entrypoint  []string
		Cmd         []string
		HealthCheck []string
	}
	got := config{cfg.User, nil, nil, cfg.Entrypoint, cfg.Cmd, cfg.Healthcheck.Test}
	for _, e := range cfg.Env {
		if strings.HasPrefix(e, "RECMOCK_") {
			got.Env = append(got.Env, e)
		}
	}
	for p := range cfg.ExposedPorts {
		got.Ports = append(got.Ports, p)
	}
	want := config{
		User:        "65532:65532",
		Env:         []string{"RECMOCK_ADDR=0.0.0.0:8080", "RECMOCK_SMTP_ADDR=0.0.0.0:1025", "RECMOCK_S3_ADDR=0.0.0.0:9000"},
		Ports:       []string{"1025/tcp", "8080/tcp", "9000/tcp"},
		Entrypoint:  []string{"/recmock"},
		Cmd:         []string{"serve"},
		HealthCheck: []string{"CMD", "/recmock", "health"},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("image configuration mismatch (-want +got):\n%s", diff)
	}

	ctr := b.run("from", image)
	t.Cleanup(func() { b.cmd(context.Background(), "rm", ctr).Run() })
	mnt := b.run("mount", ctr)
	for path, owner := range map[string]uint32{"recmock": 0, "etc/ssl/certs/ca-certificates.crt": 0, "data": 65532} {
		fi, err := os.Stat(filepath.Join(mnt, path))
		if err != nil {
			t.Errorf("the image lacks /%s: %v", path, err)
			continue
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != owner {
			t.Errorf("/%s is owned by %d, want %d", path, uid, owner)
		}
	}

	// The tests' rule: loopback and port 0 only. The image's 0.0.0.0 defaults are
	// overridden the way a user overrides them, with the environment.
	b.run("config", "--env", "RECMOCK_ADDR=127.0.0.1:0", "--env", "RECMOCK_SMTP_ADDR=127.0.0.1:0",
		"--env", "RECMOCK_S3_ADDR=127.0.0.1:0", "--env", "RECMOCK_DATA_DIR=/data", ctr)
	base := runServeIn(t, b, ctr)
	if code, body := call(t, "GET", base+"/_admin/health", ""); code != 200 || body != `{"status":"ok"}`+"\n" {
		t.Errorf("health from the host: %d %q", code, body)
	}
	if code, body := call(t, "POST", base+"/rest/recording/notifications", `{"notify":false}`); code != 200 {
		t.Errorf("POST settings: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(mnt, "data", "settings.db")); err != nil {
		t.Errorf("serve, as the image's user, did not write /data: %v", err)
	}

	// What the HEALTHCHECK runs — /recmock health, no arguments — finds serve through the
	// environment the container shares with it.
	addr := strings.TrimPrefix(base, "http://")
	b.run("config", "--env", "RECMOCK_ADDR="+addr, ctr)
	if out := b.run("run", "--isolation", "chroot", "--network", "host", ctr, "--", "/recmock", "health"); out != "" {
		t.Errorf("health printed %q on success", out)
	}
	b.run("config", "--env", "RECMOCK_ADDR=127.0.0.1:1", ctr)
	if err := b.cmd(t.Context(), "run", "--isolation", "chroot", "--network", "host", ctr, "--", "/recmock", "health").Run(); err == nil {
		t.Error("health exited 0 with nothing listening")
	}
}

// runServeIn starts the image's serve in the container and returns the API's base URL once
// it is ready; the test's end stops it.
func runServeIn(t *testing.T, b buildah, ctr string) string {
	t.Helper()
	cmd := b.cmd(context.Background(), "run", "--isolation", "chroot", "--network", "host", ctr, "--", "/recmock", "serve")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // buildah's children stop with it
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	api := regexp.MustCompile(`^\s+API\s+(http://127\.0\.0\.1:\d+)/rest/recording/notifications$`)
	var base string
	for line := range lines {
		if m := api.FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		if strings.HasPrefix(line, "Ready") {
			go func() {
				for range lines {
				}
			}()
			return base
		}
	}
	t.Fatalf("serve in the container stopped before it was ready:\n%s", stderr.String())
	return ""
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}
