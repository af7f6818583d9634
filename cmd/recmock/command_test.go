package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
)

// runRecmock runs `recmock args...` in-process with env as its whole environment.
func runRecmock(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// eachCommand calls fn with the words that name every command below recmock, nested ones
// included ("contract webhook"), and the command's flags: a new command is covered as soon
// as it is in the tree.
func eachCommand(t *testing.T, fn func(t *testing.T, path []string, c *Command, fs *flag.FlagSet)) {
	t.Helper()
	root().walk(func(c *Command) {
		if c.parent == nil {
			return // recmock itself: TestTopLevelHelp
		}
		path := strings.Fields(c.LongName())[1:]
		fs, _, _ := c.flagSet()
		t.Run(strings.Join(path, " "), func(t *testing.T) { fn(t, path, c, fs) })
	})
}

// TestEveryCommandHelp: -h, --help and `help X` show the same help of X on stdout, exit 0,
// with its usage line and every flag as users type it.
func TestEveryCommandHelp(t *testing.T) {
	eachCommand(t, func(t *testing.T, path []string, c *Command, fs *flag.FlagSet) {
		var want []string
		want = append(want, "Usage: recmock "+strings.Join(path, " "))
		fs.VisitAll(func(f *flag.Flag) { want = append(want, "\n  --"+f.Name) })
		var first string
		for _, args := range [][]string{
			append(append([]string{}, path...), "-h"),
			append(append([]string{}, path...), "--help"),
			append([]string{"help"}, path...),
		} {
			code, stdout, stderr := runRecmock(t, nil, args...)
			if code != 0 || stderr != "" {
				t.Errorf("recmock %q: exit %d, stderr %q; want 0 and nothing", args, code, stderr)
			}
			for _, s := range want {
				if !strings.Contains(stdout, s) {
					t.Errorf("recmock %q: help lacks %q:\n%s", args, s, stdout)
				}
			}
			if first == "" {
				first = stdout
			} else if diff := cmp.Diff(first, stdout); diff != "" {
				t.Errorf("recmock %q differs from -h (-h +this):\n%s", args, diff)
			}
		}
	})
}

func TestTopLevelHelp(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // "stdout" or "stderr"
	}{
		{[]string{"help"}, 0, "stdout"},
		{[]string{"-h"}, 0, "stdout"},
		{[]string{"--help"}, 0, "stdout"},
		{nil, 2, "stderr"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runRecmock(t, nil, tt.args...)
			got := map[string]string{"stdout": stdout, "stderr": stderr}[tt.out]
			if code != tt.code || !strings.HasPrefix(got, "Usage: recmock <command> [flags]") {
				t.Errorf("exit %d, %s:\n%s\nwant %d and the usage", code, tt.out, got, tt.code)
			}
			for _, c := range root().Commands {
				if !strings.Contains(got, "\n  "+c.Name+" ") {
					t.Errorf("the command list lacks %s", c.Name)
				}
			}
		})
	}
}

// TestUsageErrors: every mistake is one line on stderr, naming what was wrong and what was
// probably meant or where help is, with exit status 2 and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serv"}, `recmock: unknown command "serv"; did you mean "serve"?`},
		{[]string{"simulat"}, `recmock: unknown command "simulat"; did you mean "simulate"?`},
		{[]string{"frobnicate"}, `recmock: unknown command "frobnicate"; see 'recmock --help'`},
		{[]string{"help", "serv"}, `recmock: unknown command "serv"; did you mean "serve"?`},
		{[]string{"help", "contract", "webhok"}, `recmock contract: unknown command "webhok"; did you mean "webhook"?`},
		{[]string{"--nope"}, `recmock: flag provided but not defined: --nope; see 'recmock --help'`},
		{[]string{"serve", "--addr"}, `recmock serve: flag --addr: missing value; see 'recmock serve --help'`},
		{[]string{"serve", "--adr", "x"}, `recmock serve: flag provided but not defined: --adr; did you mean --addr?`},
		{[]string{"serve", "--frobnicate"}, `recmock serve: flag provided but not defined: --frobnicate; see 'recmock serve --help'`},
		{[]string{"serve", "--webhook-timeout", "30"}, `recmock serve: flag --webhook-timeout: "30" has no unit; write 30s, 500ms or 2m; see 'recmock serve --help'`},
		{[]string{"serve", "--presign-ttl=1.5"}, `recmock serve: flag --presign-ttl: "1.5" has no unit; write 1.5s, 500ms or 2m; see 'recmock serve --help'`},
		{[]string{"serve", "--presign-ttl", "soon"}, `recmock serve: flag --presign-ttl: invalid value "soon": not a duration; write 30s, 500ms or 2m; see 'recmock serve --help'`},
		{[]string{"serve", "--journal-size", "lots"}, `recmock serve: flag --journal-size: invalid value "lots": parse error; see 'recmock serve --help'`},
		{[]string{"serve", "--s3-strict=maybe"}, `recmock serve: flag --s3-strict: invalid value "maybe": parse error; see 'recmock serve --help'`},
		{[]string{"serve", "--log-level", "loud"}, `recmock serve: flag --log-level: invalid value "loud": slog: level string "loud": unknown name; see 'recmock serve --help'`},
		// A refused secret is masked by the flag's own parser, and not repeated.
		{[]string{"serve", "--account", "temasys:key"}, `recmock serve: flag --account: invalid value: recmock: account "temasys:***": want username:apiKey:secret, none of them empty; see 'recmock serve --help'`},
		{[]string{"serve", "--s3-credentials", "AKIA-no-secret"}, `recmock serve: flag --s3-credentials: invalid value: want KEY:SECRET, got "AKIA-no-secret:***"; see 'recmock serve --help'`},
		{[]string{"serve", "stray", "--addr", "x"}, `recmock serve: unexpected arguments ["stray" "--addr" "x"]; see 'recmock serve --help'`},
		{[]string{"contract", "--base-url", "http://x", "webhook"}, `recmock contract: unexpected arguments ["webhook"]; did you mean "recmock contract webhook"?`},
		{[]string{"contract", "webhook", "--url"}, `recmock contract webhook: flag --url: missing value; see 'recmock contract webhook --help'`},
		{[]string{"contract", "--timeout", "10"}, `recmock contract: flag --timeout: "10" has no unit; write 10s, 500ms or 2m; see 'recmock contract --help'`},
		{[]string{"proxy", "--upstream", "http://x", "--timeout", "5"}, `recmock proxy: flag --timeout: "5" has no unit; write 5s, 500ms or 2m; see 'recmock proxy --help'`},
		{[]string{"simulate", "--backoff-max", "2"}, `recmock simulate: flag --backoff-max: "2" has no unit; write 2s, 500ms or 2m; see 'recmock simulate --help'`},
		{[]string{"version", "--short"}, `recmock version: flag provided but not defined: --short; see 'recmock version --help'`},
		{[]string{"version", "extra"}, `recmock version: unexpected arguments ["extra"]; see 'recmock version --help'`},
		{[]string{"help", "--all"}, `recmock help: flag provided but not defined: --all; see 'recmock help --help'`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runRecmock(t, nil, tt.args...)
			if code != 2 || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if diff := cmp.Diff(tt.want+"\n", stderr); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryFlagError: for every flag of every command, a missing value and (for durations)
// a number without a unit are one line naming the flag, exit 2.
func TestEveryFlagError(t *testing.T) {
	eachCommand(t, func(t *testing.T, path []string, c *Command, fs *flag.FlagSet) {
		name := "recmock " + strings.Join(path, " ")
		fs.VisitAll(func(f *flag.Flag) {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				return // stands alone
			}
			args := append(append([]string{}, path...), "--"+f.Name)
			code, stdout, stderr := runRecmock(t, nil, args...)
			want := name + ": flag --" + f.Name + ": missing value; see '" + name + " --help'\n"
			if code != 2 || stdout != "" || stderr != want {
				t.Errorf("recmock %q: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, stdout, stderr, want)
			}
			if g, ok := unwrapValue(f.Value).(flag.Getter); ok {
				if _, isDuration := g.Get().(time.Duration); isDuration {
					code, _, stderr := runRecmock(t, nil, append(args, "30")...)
					want := name + ": flag --" + f.Name + `: "30" has no unit; write 30s, 500ms or 2m; see '` + name + " --help'\n"
					if code != 2 || stderr != want {
						t.Errorf("recmock %q 30: exit %d, stderr %q; want 2 and %q", args, code, stderr, want)
					}
				}
			}
		})
	})
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, stdout, stderr := runRecmock(t, nil, args...)
		if code != 0 || stdout != "recmock "+recmock.ReadBuild().String()+"\n" || stderr != "" {
			t.Errorf("recmock %q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"serve", "simulate", "contract", "proxy", "spec", "version", "help"}
	tests := []struct{ typed, want string }{
		{"serv", "serve"},
		{"sreve", "serve"},
		{"sim", "simulate"},
		{"contrat", "contract"},
		{"prxy", "proxy"},
		{"verison", "version"},
		{"frobnicate", ""},
		{"", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := nearest(tt.typed, names); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
