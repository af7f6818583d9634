package smtpsink_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// TestSwaks sends with swaks, the Swiss Army knife for SMTP, a client written without
// go-smtp's assumptions.
func TestSwaks(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Skip("swaks not found: install it with apt-get install swaks")
	}
	attachment := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(attachment, []byte("attached text\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	type summary struct {
		From, Subject, Text, AuthUser, ParseError string
		To                                        []string
		Attachments                               []smtpsink.Attachment
	}
	tests := []struct {
		name string
		args []string
		want summary
	}{
		{
			name: "plain",
			args: []string{"--header", "Subject: plain swaks", "--body", "Hello from swaks."},
			want: summary{Subject: "plain swaks", Text: "Hello from swaks."},
		},
		{
			name: "attachment",
			args: []string{"--header", "Subject: with attachment", "--body", "See attached.", "--attach-type", "text/plain", "--attach", "@" + attachment},
			want: summary{
				Subject: "with attachment", Text: "See attached.",
				Attachments: []smtpsink.Attachment{{Filename: "report.txt", ContentType: "text/plain", Size: len("attached text\n")}},
			},
		},
		{
			name: "AUTH LOGIN",
			args: []string{"--header", "Subject: authenticated", "--body", "x", "--auth", "LOGIN", "--auth-user", "swaks-user", "--auth-password", "swaks-secret"},
			want: summary{Subject: "authenticated", Text: "x", AuthUser: "swaks-user"},
		},
		{
			name: "AUTH PLAIN",
			args: []string{"--header", "Subject: authenticated", "--body", "x", "--auth", "PLAIN", "--auth-user", "swaks-user", "--auth-password", "swaks-secret"},
			want: summary{Subject: "authenticated", Text: "x", AuthUser: "swaks-user"},
		},
		{
			name: "quoted-printable UTF-8",
			args: []string{
				"--header", "Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9_=E2=9C=93?=",
				"--header", "MIME-Version: 1.0",
				"--header", "Content-Type: text/plain; charset=utf-8",
				"--header", "Content-Transfer-Encoding: quoted-printable",
				"--body", "Caf=C3=A9 cr=C3=A8me, soft=\r\n break.",
			},
			want: summary{Subject: "Résumé ✓", Text: "Café crème, soft break."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // swaks is a Perl program: most of each run is its start-up
			s := startSink(t, smtpsink.Config{})
			host, port, _ := net.SplitHostPort(s.Addr())
			args := append([]string{"--server", host, "--port", port, "--from", "swaks@example.com", "--to", "a@example.com,b@example.com", "--helo", "swaks.test"}, tt.args...)
			out, err := exec.CommandContext(t.Context(), swaks, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("swaks %v: %v\n%s", args, err, out)
			}

			ms := s.Messages()
			if len(ms) != 1 {
				t.Fatalf("got %d messages, want 1; swaks said:\n%s", len(ms), out)
			}
			m := ms[0]
			// swaks versions differ in the blank lines they end the body with.
			text := strings.TrimRight(m.Text, "\r\n")
			got := summary{From: m.From, To: m.To, Subject: m.Subject, Text: text, AuthUser: m.AuthUser, ParseError: m.ParseError, Attachments: m.Attachments}
			want := tt.want
			want.From, want.To = "swaks@example.com", []string{"a@example.com", "b@example.com"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s\nraw:\n%s", diff, m.Raw)
			}
		})
	}
}
