package main

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"
)

// readYAML unmarshals a repository file into v.
func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// TestCIWorkflow: GitHub's CI runs what every CI run runs, .ci/run, with go.mod's Go.
func TestCIWorkflow(t *testing.T) {
	var wf struct {
		Jobs map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, ".github/workflows/ci.yml", &wf)
	job, ok := wf.Jobs["ci"]
	if !ok || len(wf.Jobs) != 1 {
		t.Fatalf("jobs: %+v, want one, ci", wf.Jobs)
	}
	var runs []string
	var goVersion string
	for _, s := range job.Steps {
		if s.Run != "" {
			runs = append(runs, strings.TrimSpace(s.Run))
		}
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			goVersion = s.With["go-version-file"]
		}
	}
	if strings.Join(runs, "\n") != "bash .ci/run" || goVersion != "go.mod" {
		t.Errorf("steps run %q with Go from %q; want only bash .ci/run, with Go from go.mod", runs, goVersion)
	}
}

// action is action.yml, as far as the tests read it.
type action struct {
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

// TestAction runs the composite action's own contract step, as GitHub would run it, with a
// built recmock on PATH against a running serve: it writes the JUnit report the upload step
// names, passes when the deployment keeps the contract and fails (with a report still
// written) when the credentials are wrong.
func TestAction(t *testing.T) {
	var a action
	readYAML(t, "action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q", a.Runs.Using)
	}
	for _, in := range []string{"base-url", "basic", "args", "version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("no input %s", in)
		}
	}
	var contract, upload step
	for _, s := range a.Runs.Steps {
		switch {
		case s.ID == "contract":
			contract = s
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			upload = s
		}
	}
	if contract.Run == "" || upload.With["path"] != "recmock-contract.xml" {
		t.Fatalf("contract step %+v, upload step %+v", contract, upload)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := buildRecmock(t, "release")
	base := serveURL(t, startInProcess(t, freePorts(nil), "serve"))

	tests := []struct {
		name, basic, args string
		wantExit          int
		wantFailures      string
		wantErrors        string // could not test (the preflight)
	}{
		{"contract kept", "demo-key:demo-secret", `--skip '^decision\.' --timeout 30s`, 0, "0", "0"},
		{"wrong credentials", "demo-key:wrong", "", 2, "0", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
			defer cancel()
			// GitHub runs a composite step as `bash --noprofile --norc -eo pipefail FILE`.
			script := filepath.Join(dir, "step.sh")
			if err := os.WriteFile(script, []byte(contract.Run), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, bash, "--noprofile", "--norc", "-eo", "pipefail", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"),
				"BASE_URL="+base, "BASIC="+tt.basic, "ARGS="+tt.args)
			out, err := cmd.CombinedOutput()
			exit := 0
			if ee, ok := err.(*exec.ExitError); ok {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tt.wantExit {
				t.Errorf("exit %d, want %d:\n%s", exit, tt.wantExit, out)
			}
			if strings.Contains(string(out), "demo-secret") || strings.Contains(string(out), ":wrong") {
				t.Errorf("the step printed the secret:\n%s", out)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "recmock-contract.xml"))
			if err != nil {
				t.Fatalf("no report for the upload step: %v\n%s", err, out)
			}
			var suite struct {
				XMLName  xml.Name
				Tests    string `xml:"tests,attr"`
				Failures string `xml:"failures,attr"`
				Errors   string `xml:"errors,attr"`
			}
			if err := xml.Unmarshal(raw, &suite); err != nil {
				t.Fatalf("recmock-contract.xml: %v", err)
			}
			if suite.Tests == "" || suite.Tests == "0" || suite.Failures != tt.wantFailures || suite.Errors != tt.wantErrors {
				t.Errorf("report: <%s tests=%q failures=%q errors=%q>, want failures=%q errors=%q", suite.XMLName.Local, suite.Tests, suite.Failures, suite.Errors, tt.wantFailures, tt.wantErrors)
			}
		})
	}
}

// TestComposeExample: the compose file parses, runs the image's serve with the admin token
// set, a receiver reachable by the name the app's webhook uses, and, where docker-compose is
// installed, passes its `config` check.
func TestComposeExample(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     any               `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	readYAML(t, "examples/docker-compose.yml", &c)
	recmock, receiver, app := c.Services["recmock"], c.Services["receiver"], c.Services["app"]
	if recmock.Environment["RECMOCK_ADMIN_TOKEN"] == "" || recmock.Environment["RECMOCK_S3_ENDPOINT"] != "http://recmock:9000" {
		t.Errorf("recmock's environment: %v", recmock.Environment)
	}
	// serve takes the values as they are (a token long enough, a URL), listening on loopback
	// here rather than on the image's 0.0.0.0.
	if startup := startInProcess(t, freePorts(recmock.Environment), "serve"); !strings.Contains(startup, "Ready") {
		t.Errorf("serve with the compose environment:\n%s", startup)
	}
	cmd, _ := receiver.Command.([]any)
	if receiver.Image != recmock.Image || len(cmd) != 3 || cmd[0] != "receive" || cmd[2] != "0.0.0.0:3000" {
		t.Errorf("receiver: %+v", receiver)
	}
	script, _ := app.Command.([]any)
	if len(script) != 1 || !strings.Contains(script[0].(string), `"url":"http://receiver:3000/hooks/recording"`) {
		t.Errorf("app does not aim the webhook at the receiver: %v", app.Command)
	}
	dc, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Log("docker-compose is not installed: its config check not run")
		return
	}
	if out, err := exec.Command(dc, "-f", "../../examples/docker-compose.yml", "config", "-q").CombinedOutput(); err != nil {
		t.Errorf("docker-compose config: %v\n%s", err, out)
	}
}
