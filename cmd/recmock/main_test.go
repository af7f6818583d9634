package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/logbuf"

	"github.com/recmock/recmock/mock"
)

// TestMain lets tests run recmock as a real process: the test binary re-executes itself
// with RECMOCK_MAIN=1 and behaves as the recmock command, race detector included.
func TestMain(m *testing.M) {
	if os.Getenv("RECMOCK_MAIN") == "1" {
		main()
		return
	}
	code := pg.Run(m)
	removeBuilds()
	os.Exit(code)
}

// syncBuffer is shared by the package's tests.
type syncBuffer = logbuf.Buffer

// proc is a recmock process started by a test.
type proc struct {
	cmd    *exec.Cmd
	out    *syncBuffer // stdout after the startup lines
	stderr *syncBuffer
	lines  []string // startup lines
	done   chan error
}

var urlRE = regexp.MustCompile(`^\s+API\s+(http://\S+)/rest/recording/notifications$`)

// startRecmock runs "recmock args..." and waits for serve's startup lines.
func startRecmock(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RECMOCK_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, out: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		p.lines = append(p.lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "Ready") {
			break
		}
	}
	go func() {
		io.Copy(p.out, stdout)
		p.done <- cmd.Wait()
	}()
	if args[0] == "serve" && p.url() == "" {
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("recmock %v printed no API address:\n%s\nstderr:\n%s", args, strings.Join(p.lines, "\n"), p.stderr)
	}
	return p
}

func (p *proc) url() string {
	for _, l := range p.lines {
		if m := urlRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

// stop sends sig and waits for the process to exit.
func (p *proc) stop(t *testing.T, sig os.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("recmock did not exit after %v", sig)
		return nil
	}
}

// call sends an authenticated request to a running recmock and returns status and body.
func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("demo-key", "demo-secret")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"--help"}, 0, "serve"},
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"version"}, 0, "recmock "},
		{[]string{"serve", "-h"}, 0, "--data-dir"},
		{[]string{"help", "serve"}, 0, "--account"},
		{[]string{"serve", "--no-such-flag"}, 2, "flag provided but not defined"},
		{[]string{"serve", "--account", "nocolons"}, 2, "want username:apiKey:secret"},
		{[]string{"serve", "--log-format", "xml", "--addr", "127.0.0.1:0"}, 2, "--log-format"},
		{[]string{"serve", "stray"}, 2, "unexpected argument"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr, nil)
		if code != tt.code {
			t.Errorf("recmock %v: exit %d, want %d\n%s%s", tt.args, code, tt.code, &stdout, &stderr)
		}
		if out := stdout.String() + stderr.String(); !strings.Contains(out, tt.contains) {
			t.Errorf("recmock %v: output lacks %q:\n%s", tt.args, tt.contains, out)
		}
	}
}

func TestSpecPrintsTheFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"spec"}, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	want, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, stdout.Bytes()) {
		t.Error("recmock spec differs from openapi.yaml")
	}
}

// serveArgs are serve's flags with every listener on a free port.
func serveArgs(extra ...string) []string {
	return append([]string{"serve", "--addr", "127.0.0.1:0", "--smtp-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0"}, extra...)
}

func TestServeAnswersTheArticleExample(t *testing.T) {
	p := startRecmock(t, serveArgs()...)
	status, body := call(t, "POST", p.url()+"/rest/recording/notifications", `{
"notify": true,
"url": "https://site.com/events",
"email": "a@b.com,b@c.com",
"s3Arn": "arn:aws:s3:region::folder_name/objectpath",
"s3AccessKeyId": "akewjdwifuendjf",
"s3SecretAccessKey": "iewmdfuasfwnwksd"
}`)
	want := `{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com","b@c.com"],"s3Settings":{"s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"akewjdwifuendjf","s3SecretAccessKey":"iewmdfuasfwnwksd"}}}}` + "\n"
	if status != 200 || body != want {
		t.Errorf("POST: %d %s\nwant 200 %s", status, body, want)
	}
	startup := strings.Join(p.lines, "\n")
	for _, s := range []string{"account    temasys  apiKey demo-key  secret demo-secret", "curl -u demo-key:demo-secret"} {
		if !strings.Contains(startup, s) {
			t.Errorf("startup lines lack %q:\n%s", s, startup)
		}
	}
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Errorf("exit after SIGINT: %v\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", p.stderr)
	}
}

func TestServeMasksCustomAccountSecrets(t *testing.T) {
	p := startRecmock(t, serveArgs("--account", "acme:acme-key:topsecret", "--log-format", "json")...)
	startup := strings.Join(p.lines, "\n")
	if strings.Contains(startup+p.stderr.String(), "topsecret") {
		t.Errorf("the account secret is printed:\n%s\n%s", startup, p.stderr)
	}
	if !strings.Contains(startup, "acme  apiKey acme-key  secret ***") {
		t.Errorf("startup lines do not name the account:\n%s", startup)
	}
	p.stop(t, os.Interrupt)
	if first, _, _ := strings.Cut(p.stderr.String(), "\n"); !strings.HasPrefix(first, "{") {
		t.Errorf("--log-format json wrote %q", first)
	}
}

func TestServeKeepsSettingsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	p := startRecmock(t, serveArgs("--data-dir", dir)...)
	if status, body := call(t, "POST", p.url()+"/rest/recording/notifications", `{"notify":1,"email":"a@b.com; c@d.com"}`); status != 200 {
		t.Fatalf("POST: %d %s", status, body)
	}
	_, before := call(t, "GET", p.url()+"/rest/recording/notifications", "")
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.stderr)
	}
	p2 := startRecmock(t, serveArgs("--data-dir", dir)...)
	status, after := call(t, "GET", p2.url()+"/rest/recording/notifications", "")
	if status != 200 || after != before {
		t.Errorf("after restart: %d %s\nwant 200 %s", status, after, before)
	}
}

func TestServeAcknowledgedWriteSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	p := startRecmock(t, serveArgs("--data-dir", dir)...)
	call(t, "POST", p.url()+"/rest/recording/notifications", `{"notify":false}`)
	status, put := call(t, "PUT", p.url()+"/rest/recording/notifications", `{"notify":true,"url":"https://hooks.example/rec"}`)
	if status != 200 {
		t.Fatalf("PUT: %d %s", status, put)
	}
	// The PUT was acknowledged; kill at once, without a chance to flush anything.
	p.stop(t, os.Kill)

	p2 := startRecmock(t, serveArgs("--data-dir", dir)...)
	status, got := call(t, "GET", p2.url()+"/rest/recording/notifications", "")
	if status != 200 || got != put {
		t.Errorf("after kill -9: %d %s\nwant the acknowledged PUT: %s", status, got, put)
	}
}

func TestServeRefusesABusyPort(t *testing.T) {
	p := startRecmock(t, serveArgs()...)
	addr := strings.TrimPrefix(p.url(), "http://")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", addr, "--smtp-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0"}, &stdout, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("exit %d, stderr %q; want 1 and the cause", code, stderr.String())
	}
	fmt.Fprint(io.Discard, stdout.String())
}

func TestProxyCommand(t *testing.T) {
	m, err := mock.New(mock.Config{})
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(m)
	t.Cleanup(up.Close)

	p := startRecmock(t, "proxy", "--upstream", up.URL, "--addr", "127.0.0.1:0", "--fail-on-violation")
	var base string
	for _, l := range p.lines {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "listening" {
			base = f[1]
		}
	}
	if base == "" {
		t.Fatalf("no listening line:\n%s", strings.Join(p.lines, "\n"))
	}
	if status, body := call(t, "POST", base+"/rest/recording/notifications", `{"notify":1}`); status != 200 {
		t.Errorf("valid POST through the proxy: %d %s", status, body)
	}
	if status, body := call(t, "PUT", base+"/rest/recording/notifications", `{"notify":"maybe"}`); status != 502 || !strings.Contains(body, "client notify") {
		t.Errorf("invalid PUT with --fail-on-violation: %d %s", status, body)
	}
	err = p.stop(t, os.Interrupt)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit %v, want 1 after a violation with --fail-on-violation\n%s", err, p.stderr)
	}
	if out := p.out.String(); !strings.Contains(out, "2 exchanges, 2 validated, 1 with violations (1 by clients, 0 by the server)") {
		t.Errorf("summary:\n%s", out)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"proxy"}, &stdout, &stderr, nil); code != 2 {
		t.Errorf("proxy without --upstream: exit %d", code)
	}
}
