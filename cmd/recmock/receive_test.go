package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/recmock/recmock/receiver"
)

var receiveURLRE = regexp.MustCompile(`(?m)^recmock receive: (https?://\S+) `)

// startReceive runs recmock receive with args on a free port and returns its URL and its
// standard output as it grows.
func startReceive(t *testing.T, args ...string) (string, *readyWriter) {
	t.Helper()
	out := startLive(t, nil, append([]string{"receive", "--addr", "127.0.0.1:0"}, args...)...)
	m := receiveURLRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no URL in:\n%s", out.String())
	}
	return m[1], out
}

// TestReceiveAndSimulate: the README's try-it-out steps — recmock receive, then recmock
// simulate at it — work as written: with --fail-first 1 the first event is answered 503 and
// retried, each event is printed with its verdict, the retry marked a duplicate.
func TestReceiveAndSimulate(t *testing.T) {
	url, out := startReceive(t, "--fail-first", "1")
	code, stdout, stderr := runRecmock(t, nil, "simulate", "--url", url+"/hooks/recording", "--count", "2", "--backoff-base", "1ms", "--seed", "3")
	if code != 0 || !strings.Contains(stdout, "succeeded   2\n") || !strings.Contains(stdout, "attempts    3\n") {
		t.Fatalf("simulate: exit %d\n%s%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^recmock receive: http://127\.0\.0\.1:\d+ \(POST on any path; answers 200, but 503 to the first 1\)$`),
		regexp.MustCompile(`^Ready; Ctrl-C stops\.$`),
		regexp.MustCompile(`^#1 \d\d:\d\d:\d\d POST /hooks/recording -> 503 valid meetingId (\S+) \[d-1 attempt 1\]$`),
		regexp.MustCompile(`^#2 \d\d:\d\d:\d\d POST /hooks/recording -> 200 valid meetingId (\S+) \(duplicate\) \[d-1 attempt 2\]$`),
		regexp.MustCompile(`^#3 \d\d:\d\d:\d\d POST /hooks/recording -> 200 valid meetingId (\S+) \[d-2 attempt 1\]$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
		}
	}
}

// TestReceivePrintsBrokenRules: an invalid event is printed with each broken rule, and
// --json prints events for machines.
func TestReceivePrintsBrokenRules(t *testing.T) {
	url, out := startReceive(t)
	code, stdout, _ := runRecmock(t, nil, "simulate", "--url", url, "--variant", "wrong-types", "--seed", "1")
	if code != 0 {
		t.Fatalf("simulate: exit %d\n%s", code, stdout)
	}
	if !regexp.MustCompile(`(?m)^#1 \S+ POST / -> 200 INVALID .*\n    \w+: `).MatchString(out.String()) {
		t.Errorf("no broken rule printed:\n%s", out.String())
	}

	url, out = startReceive(t, "--json", "--status", "202")
	if code, stdout, _ := runRecmock(t, nil, "simulate", "--url", url+"/x"); code != 0 {
		t.Fatalf("simulate: exit %d\n%s", code, stdout)
	}
	last := strings.TrimSpace(out.String())
	last = last[strings.LastIndex(last, "\n")+1:]
	var ev receiver.Event
	if err := json.Unmarshal([]byte(last), &ev); err != nil || ev.N != 1 || !ev.Valid || ev.Status != 202 || ev.Path != "/x" {
		t.Errorf("--json line %q: %+v, %v", last, ev, err)
	}
}

func TestReceiveBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"receive", "--status", "99"}, "recmock receive: receiver: invalid config: Status 99: want an HTTP status from 200 to 599\n"},
		{[]string{"receive", "--tls-cert", "x.pem"}, "recmock receive: certs: invalid TLS options: a certificate file needs its key file, and a key file its certificate\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runRecmock(t, nil, tt.args...)
		if code != 2 || stdout != "" || stderr != tt.want {
			t.Errorf("recmock %q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}
