package main

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readyWriter is stdout of an in-process run: it keeps what was written and closes ready
// once the "Ready" line is out.
type readyWriter struct {
	syncBuffer
	ready chan struct{}
	seen  bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if !w.seen && strings.Contains(w.String(), "Ready") {
		w.seen = true
		close(w.ready)
	}
	return n, err
}

// startInProcess runs a long-running command (serve, proxy) in-process with env as its
// environment, and returns its startup lines once it is ready; the test's end stops it and
// checks it exited 0.
func startInProcess(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	return startLive(t, env, args...).String()
}

// startLive is startInProcess returning the command's standard output, which goes on
// filling after the startup lines.
func startLive(t *testing.T, env map[string]string, args ...string) *readyWriter {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &readyWriter{ready: make(chan struct{})}
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, out, &stderr, func(k string) string { return env[k] }) }()
	select {
	case <-out.ready:
	case code := <-done:
		cancel()
		t.Fatalf("recmock %q exited %d before it was ready:\n%s\n%s", args, code, out.String(), stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("recmock %q exited %d:\n%s", args, code, stderr.String())
		}
	})
	return out
}

// freePorts are serve's listeners on free ports, given through the environment.
func freePorts(env map[string]string) map[string]string {
	all := map[string]string{"RECMOCK_ADDR": "127.0.0.1:0", "RECMOCK_SMTP_ADDR": "127.0.0.1:0", "RECMOCK_S3_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		all[k] = v
	}
	return all
}

var apiRE = regexp.MustCompile(`(?m)^\s+API\s+(http://\S+)/rest/recording/notifications$`)

// basicStatus is the status of an authenticated GET of the settings on the serve whose
// startup lines are given.
func basicStatus(t *testing.T, startup, apiKey, secret string) int {
	t.Helper()
	m := apiRE.FindStringSubmatch(startup)
	if m == nil {
		t.Fatalf("no API line in:\n%s", startup)
	}
	req, err := http.NewRequest("GET", m[1]+"/rest/recording/notifications", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(apiKey, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// accountLines are the startup's account lines.
func accountLines(startup string) []string {
	var lines []string
	for _, l := range strings.Split(startup, "\n") {
		if strings.HasPrefix(l, "  account ") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

// TestServeEnvOnly: with no flags at all, serve takes its listeners, data directory, accounts
// and S3 mode from the environment.
func TestServeEnvOnly(t *testing.T) {
	dir := t.TempDir()
	startup := startInProcess(t, freePorts(map[string]string{
		"RECMOCK_DATA_DIR":       dir,
		"RECMOCK_ACCOUNTS":       "acme:acme-key:s3cr\\,et\\\\x\n  globex:gx-key:other:with:colons ,\n",
		"RECMOCK_S3_STRICT":      "true",
		"RECMOCK_S3_CREDENTIALS": "AK1:SK1,AK2:SK2",
	}), "serve")
	if !strings.Contains(startup, "  data       "+dir+"\n") {
		t.Errorf("RECMOCK_DATA_DIR not used:\n%s", startup)
	}
	if !strings.Contains(startup, "or the 2 --s3-credentials key(s)") {
		t.Errorf("RECMOCK_S3_STRICT or RECMOCK_S3_CREDENTIALS not used:\n%s", startup)
	}
	want := []string{"account    acme  apiKey acme-key  secret ***", "account    globex  apiKey gx-key  secret ***"}
	if diff := cmp.Diff(want, accountLines(startup)); diff != "" {
		t.Errorf("accounts mismatch (-want +got):\n%s", diff)
	}
	// The escapes are undone: the secrets are exactly these. (An authenticated GET of an
	// account without settings is 404; a refused one 401.)
	for _, c := range []struct {
		key, secret string
		status      int
	}{
		{"acme-key", `s3cr,et\x`, 404},
		{"gx-key", "other:with:colons", 404},
		{"acme-key", `s3cr\,et\\x`, 401},
		{"demo-key", "demo-secret", 401}, // the default account is replaced
	} {
		if got := basicStatus(t, startup, c.key, c.secret); got != c.status {
			t.Errorf("%s:%s: %d, want %d", c.key, c.secret, got, c.status)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.db")); err != nil {
		t.Errorf("no settings in RECMOCK_DATA_DIR: %v", err)
	}
}

// TestServeFlagOverEnv: a flag given on the command line wins over its variable, a
// repeatable one over all the variable's values, a false bool over a true variable.
func TestServeFlagOverEnv(t *testing.T) {
	envDir, flagDir := t.TempDir(), t.TempDir()
	startup := startInProcess(t, freePorts(map[string]string{
		"RECMOCK_DATA_DIR":  envDir,
		"RECMOCK_ACCOUNTS":  "env1:env1-key:s1,env2:env2-key:s2",
		"RECMOCK_S3_STRICT": "true",
	}), "serve", "--data-dir", flagDir, "--account", "flag:flag-key:fs", "--s3-strict=false")
	if !strings.Contains(startup, "  data       "+flagDir+"\n") {
		t.Errorf("--data-dir lost to RECMOCK_DATA_DIR:\n%s", startup)
	}
	if diff := cmp.Diff([]string{"account    flag  apiKey flag-key  secret ***"}, accountLines(startup)); diff != "" {
		t.Errorf("accounts mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(startup, "(any credentials;") {
		t.Errorf("--s3-strict=false lost to RECMOCK_S3_STRICT:\n%s", startup)
	}
}

// TestServeInvalidEnv: a value the flag would refuse is refused the same way, naming the
// variable; every refused variable is reported, secrets masked; exit 2 before anything
// starts.
func TestServeInvalidEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"duration without unit", map[string]string{"RECMOCK_WEBHOOK_TIMEOUT": "30"},
			[]string{`recmock serve: environment variable RECMOCK_WEBHOOK_TIMEOUT: "30" has no unit; write 30s, 500ms or 2m; see 'recmock serve --help'`}},
		{"not a number", map[string]string{"RECMOCK_JOURNAL_SIZE": "lots"},
			[]string{`recmock serve: environment variable RECMOCK_JOURNAL_SIZE: invalid value "lots": parse error; see 'recmock serve --help'`}},
		{"bool", map[string]string{"RECMOCK_S3_STRICT": "yes"},
			[]string{`recmock serve: environment variable RECMOCK_S3_STRICT: invalid value "yes": parse error; see 'recmock serve --help'`}},
		{"account without secret", map[string]string{"RECMOCK_ACCOUNTS": "acme:acme-key:s1,globex:topsecret"},
			[]string{`recmock serve: environment variable RECMOCK_ACCOUNTS: invalid value: recmock: account "globex:***": want username:apiKey:secret, none of them empty; see 'recmock serve --help'`}},
		{"lone backslash", map[string]string{"RECMOCK_ACCOUNTS": `acme:acme-key:secret\`},
			[]string{`recmock serve: environment variable RECMOCK_ACCOUNTS: ends in a lone backslash (write \\ for a backslash); see 'recmock serve --help'`}},
		{"two at once", map[string]string{"RECMOCK_SEED": "x", "RECMOCK_PRESIGN_TTL": "1"}, []string{
			`recmock serve: environment variable RECMOCK_PRESIGN_TTL: "1" has no unit; write 1s, 500ms or 2m; see 'recmock serve --help'`,
			`recmock serve: environment variable RECMOCK_SEED: invalid value "x": parse error; see 'recmock serve --help'`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runRecmock(t, freePorts(tt.env), "serve")
			if code != 2 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if diff := cmp.Diff(strings.Join(tt.want, "\n")+"\n", stderr); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// A flag given on the command line is not read from its variable, even a bad one.
	code, _, stderr := runRecmock(t, map[string]string{"RECMOCK_WEBHOOK_TIMEOUT": "30"}, "serve", "--webhook-timeout", "30s", "--log-format", "xml")
	if code != 2 || strings.Contains(stderr, "RECMOCK_WEBHOOK_TIMEOUT") {
		t.Errorf("exit %d, stderr %q: the flag's variable was read", code, stderr)
	}
}

// TestProxyEnv: proxy reads RECMOCK_PROXY_*; serve's variables do not reach it.
func TestProxyEnv(t *testing.T) {
	upstream := contractServer(t, nil)
	startup := startInProcess(t, map[string]string{
		"RECMOCK_PROXY_UPSTREAM": upstream,
		"RECMOCK_PROXY_ADDR":     "127.0.0.1:0",
		"RECMOCK_ADDR":           "127.0.0.1:1", // serve's
	}, "proxy")
	if !strings.Contains(startup, "  upstream   "+upstream+"\n") || !strings.Contains(startup, "  listening  http://127.0.0.1:") || strings.Contains(startup, "127.0.0.1:1\n") {
		t.Errorf("startup:\n%s", startup)
	}
	code, _, stderr := runRecmock(t, map[string]string{"RECMOCK_PROXY_UPSTREAM": upstream, "RECMOCK_PROXY_TIMEOUT": "5"}, "proxy")
	want := `recmock proxy: environment variable RECMOCK_PROXY_TIMEOUT: "5" has no unit; write 5s, 500ms or 2m; see 'recmock proxy --help'` + "\n"
	if code != 2 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
}

// TestEnvOnlyWhereDocumented: commands without variables ignore the environment.
func TestEnvOnlyWhereDocumented(t *testing.T) {
	env := map[string]string{"RECMOCK_URL": "http://127.0.0.1:1/hook", "RECMOCK_SIMULATE_URL": "http://127.0.0.1:1/hook", "RECMOCK_BASE_URL": "http://127.0.0.1:1"}
	if code, _, stderr := runRecmock(t, env, "simulate"); code != 2 || !strings.Contains(stderr, "give exactly one of --url") {
		t.Errorf("simulate: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runRecmock(t, env, "contract"); code != 2 || !strings.Contains(stderr, "--base-url is required") {
		t.Errorf("contract: exit %d, stderr %q", code, stderr)
	}
}

// TestHelpNamesEveryVariable: the help of a command that reads the environment shows each
// flag's variable on the flag's own line, and how repeatable values are written.
func TestHelpNamesEveryVariable(t *testing.T) {
	var withEnv int
	eachCommand(t, func(t *testing.T, path []string, c *Command, fs *flag.FlagSet) {
		_, stdout, _ := runRecmock(t, nil, append(path, "--help")...)
		if c.Env == "" {
			if strings.Contains(stdout, "[$") {
				t.Errorf("help names variables the command does not read:\n%s", stdout)
			}
			return
		}
		withEnv++
		fs.VisitAll(func(f *flag.Flag) {
			v := c.varName(f)
			re := regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(f.Name) + `( \S+)?   \[\$` + regexp.QuoteMeta(v) + `\]$`)
			if v == "" {
				re = regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(f.Name) + `( \S+)?$`)
			}
			if !re.MatchString(stdout) {
				t.Errorf("help lacks %s with its variable %q:\n%s", f.Name, v, stdout)
			}
		})
		if !strings.Contains(stdout, `a secret holding a comma or
a backslash writes it \, or \\.`) {
			t.Errorf("help does not say how a list is written:\n%s", stdout)
		}
	})
	if withEnv != 4 {
		t.Errorf("%d commands read the environment, want 4 (serve, proxy, receive, health)", withEnv)
	}
	_, stdout, _ := runRecmock(t, nil, "serve", "--help")
	for _, v := range []string{"RECMOCK_ADDR", "RECMOCK_DATA_DIR", "RECMOCK_SMTP_ADDR", "RECMOCK_ACCOUNTS", "RECMOCK_S3_CREDENTIALS", "RECMOCK_WEBHOOK_TIMEOUT"} {
		if !strings.Contains(stdout, "[$"+v+"]") {
			t.Errorf("serve --help lacks %s", v)
		}
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a:b:c", []string{"a:b:c"}},
		{"a:b:c,d:e:f", []string{"a:b:c", "d:e:f"}},
		{"a:b:c\nd:e:f\n", []string{"a:b:c", "d:e:f"}},
		{"a:b:c\r\nd:e:f\r\n", []string{"a:b:c", "d:e:f"}},
		{"  a:b:c ,\t d:e:f  ", []string{"a:b:c", "d:e:f"}},
		{",,\n,", nil},
		{`a:b:c\,d`, []string{"a:b:c,d"}},
		{`a:b:c\\,d:e:f`, []string{`a:b:c\`, "d:e:f"}},
		{`a:b:\ c\ `, []string{"a:b: c "}},
		{`a:b:c\n`, []string{"a:b:cn"}},
		{"a:b:ü,ç", []string{"a:b:ü", "ç"}},
	}
	for _, tt := range tests {
		got, err := splitList(tt.in)
		if err != nil {
			t.Errorf("splitList(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("splitList(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
	if _, err := splitList(`a:b:c\`); err != errLoneBackslash {
		t.Errorf("a trailing backslash: %v, want errLoneBackslash", err)
	}
}

// escapeList writes values as the help says a variable holds them.
func escapeList(values []string) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(",")
		}
		for i := range len(v) { // bytes: a variable need not be UTF-8
			if strings.IndexByte(",\n\\ \t\r", v[i]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// FuzzSplitList: whatever a variable holds is refused or split into non-empty values that,
// written back as documented, split the same again.
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"a:b:c", "a:b:c,d:e:f\n", `a:b:c\,d`, `x\`, " , ", `\ a\ `, "a\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values, err := splitList(s)
		if err != nil {
			return
		}
		for _, v := range values {
			if v == "" {
				t.Fatalf("splitList(%q) gave an empty value: %q", s, values)
			}
		}
		again, err := splitList(escapeList(values))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(values, again); diff != "" {
			t.Errorf("splitList(%q) does not survive escaping (-first +again):\n%s", s, diff)
		}
	})
}

// TestREADMEServeTable: the README's table of serve flags and variables is serve's flags, in
// step with --help: a flag added to serve without its row fails here, with the rows to paste.
func TestREADMEServeTable(t *testing.T) {
	const marker = "<!-- serve flags: TestREADMEServeTable keeps this table in step with serve --help -->"
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), marker+"\n")
	if !ok {
		t.Fatalf("README.md lacks the marker %q", marker)
	}
	got, _, _ := strings.Cut(after, "\n\n")
	serve := root().lookup("serve")
	fs, _, _ := serve.flagSet()
	want := []string{"| flag | variable | what (default) |", "|---|---|---|"}
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage, def := describeFlag(f)
		if def != "" {
			usage += "; default `" + def + "`"
		}
		want = append(want, "| `--"+f.Name+arg+"` | `"+envName(serve.Env, f)+"` | "+strings.ReplaceAll(usage, "|", `\|`)+" |")
	})
	if diff := cmp.Diff(strings.Join(want, "\n"), got); diff != "" {
		t.Errorf("README.md's serve table mismatch (-want +got):\n%s\nthe table, to paste after the marker:\n%s", diff, strings.Join(want, "\n"))
	}
}
