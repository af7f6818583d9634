package s3_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// awsCLI runs the aws CLI against a fake, isolated from the user's
// configuration: HOME is a temporary directory and the config file only
// selects path-style addressing and SigV4 presigning (aws CLI v1 presigns
// with SigV2 when given --endpoint-url, which strict mode refuses).
type awsCLI struct {
	t        *testing.T
	bin      string
	endpoint string
	env      []string
}

func newAWSCLI(t *testing.T, endpoint, key, secret string) *awsCLI {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed (exec.LookPath: " + err.Error() + "); install Debian's awscli to run this test")
	}
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte("[default]\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=" + key,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
	// pyenv's shim needs its own variables to find the interpreter.
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PYENV") {
			env = append(env, kv)
		}
	}
	return &awsCLI{t: t, bin: bin, endpoint: endpoint, env: env}
}

// run returns the CLI's combined output and whether it exited 0.
func (a *awsCLI) run(args ...string) (string, bool) {
	a.t.Helper()
	cmd := exec.Command(a.bin, append([]string{"--endpoint-url", a.endpoint}, args...)...)
	cmd.Env = a.env
	cmd.Dir = a.t.TempDir()
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		a.t.Fatalf("running aws %s: %v", strings.Join(args, " "), err)
	}
	return string(out), err == nil
}

func (a *awsCLI) mustRun(args ...string) string {
	a.t.Helper()
	out, ok := a.run(args...)
	if !ok {
		a.t.Fatalf("aws %s failed:\n%s", strings.Join(args, " "), out)
	}
	return out
}

func TestAWSCLI(t *testing.T) {
	for _, strict := range []bool{false, true} {
		name := "default"
		if strict {
			name = "strict"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, fakes3.Config{Strict: strict, Credentials: testCreds, Buckets: []string{"rec"}})
			cli := newAWSCLI(t, srv.URL(), testKey, testSecret)

			dir := t.TempDir()
			small := filepath.Join(dir, "small.txt")
			if err := os.WriteFile(small, []byte("hello from the cli"), 0o600); err != nil {
				t.Fatal(err)
			}
			// Above the CLI's 8 MiB multipart threshold.
			big := filepath.Join(dir, "big.bin")
			bigBody := bytes.Repeat([]byte("recmock!"), (9<<20)/8)
			if err := os.WriteFile(big, bigBody, 0o600); err != nil {
				t.Fatal(err)
			}

			cli.mustRun("s3", "cp", small, "s3://rec/dir/small file+1.txt")
			cli.mustRun("s3", "cp", big, "s3://rec/dir/big.bin")

			if out := cli.mustRun("s3", "ls", "s3://rec/dir/"); !strings.Contains(out, "small file+1.txt") || !strings.Contains(out, "big.bin") {
				t.Errorf("aws s3 ls lacks the uploads:\n%s", out)
			}
			if out := cli.mustRun("s3api", "head-object", "--bucket", "rec", "--key", "dir/small file+1.txt"); !strings.Contains(out, `"ContentLength": 18`) {
				t.Errorf("aws s3api head-object:\n%s", out)
			}

			back := filepath.Join(dir, "back.bin")
			cli.mustRun("s3", "cp", "s3://rec/dir/big.bin", back)
			if got, err := os.ReadFile(back); err != nil || !bytes.Equal(got, bigBody) {
				t.Errorf("downloaded big.bin differs (%d bytes, err %v)", len(got), err)
			}

			link := strings.TrimSpace(cli.mustRun("s3", "presign", "s3://rec/dir/small file+1.txt", "--expires-in", "300"))
			if res := do(t, http.MethodGet, link, nil, nil); res.Status != 200 || res.Body != "hello from the cli" {
				t.Errorf("GET presigned link = %d %q", res.Status, res.Body)
			}

			cli.mustRun("s3", "rm", "s3://rec/dir/small file+1.txt")
			if out := cli.mustRun("s3", "ls", "s3://rec/dir/"); strings.Contains(out, "small file+1.txt") {
				t.Errorf("small file+1.txt still listed after rm:\n%s", out)
			}
		})
	}
}

func TestAWSCLIStrictRefusals(t *testing.T) {
	t.Parallel()
	srv, clk := startStrict(t)
	good := newAWSCLI(t, srv.URL(), testKey, testSecret)
	good.mustRun("s3", "cp", "-", "s3://rec/k.txt") // empty object from stdin

	t.Run("wrong secret", func(t *testing.T) {
		bad := newAWSCLI(t, srv.URL(), testKey, "wrong-secret")
		out, ok := bad.run("s3api", "head-object", "--bucket", "rec", "--key", "k.txt")
		if ok || !strings.Contains(out, "403") {
			t.Errorf("head-object with a wrong secret: ok=%t\n%s", ok, out)
		}
		out, ok = bad.run("s3", "ls", "s3://rec/")
		if ok || !strings.Contains(out, "SignatureDoesNotMatch") {
			t.Errorf("ls with a wrong secret: ok=%t\n%s", ok, out)
		}
	})

	t.Run("expired presign", func(t *testing.T) {
		link := strings.TrimSpace(good.mustRun("s3", "presign", "s3://rec/k.txt", "--expires-in", "60"))
		if res := do(t, http.MethodGet, link, nil, nil); res.Status != 200 {
			t.Fatalf("fresh presigned link: %d %s", res.Status, res.Body)
		}
		clk.Advance(time.Hour)
		res := do(t, http.MethodGet, link, nil, nil)
		if res.Status != 403 || res.Code != "AccessDenied" || !strings.Contains(res.Body, "Request has expired") {
			t.Errorf("expired presigned link: %d %s", res.Status, res.Body)
		}
	})
}
