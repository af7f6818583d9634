package smtpsink_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// TestDataEnd checks how the end of a message is found and its text unstuffed, whatever
// precedes the end-of-data line: go-smtp's own reader missed the end after a line ending
// "\r\r\n" and lost the message when the session timed out.
func TestDataEnd(t *testing.T) {
	const head = "Subject: edge\r\n\r\n"
	tests := []struct {
		name string
		sent string // what follows the 354 reply, end-of-data line included
		want string // Raw
	}{
		{"CR CR LF before the end", head + "line\r\r\n.\r\n", head + "line\r\r\n"},
		{"only CRs on the last line", head + "\r\r\r\n.\r\n", head + "\r\r\r\n"},
		{"dot CR CR LF", head + ".\r\r\n.\r\n", head + "\r\r\n"},
		{"dot CR then text", head + ".\rx\r\n.\r\n", head + "\rx\r\n"},
		{"stuffed dots", head + "..\r\n...x\r\n.\r\n", head + ".\r\n..x\r\n"},
		{"bare LF dot LF is text", head + "a\n.\nb\r\n.\r\n", head + "a\n.\nb\r\n"},
		{"bare CR dot CR is text", head + "a\r.\rb\r\n.\r\n", head + "a\r.\rb\r\n"},
		{"dot line with trailing space is text", head + ". \r\n.\r\n", head + " \r\n"},
		{"empty message", ".\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSink(t, smtpsink.Config{})
			cv := dialRaw(t, s.Addr())
			cv.cmd(250, "EHLO raw.test")
			cv.cmd(250, "MAIL FROM:<a@example.com>")
			cv.cmd(250, "RCPT TO:<b@example.com>")
			cv.cmd(354, "DATA")
			cv.send(tt.sent)
			cv.expect(250)
			cv.cmd(221, "QUIT")
			ms := s.Messages()
			if len(ms) != 1 {
				t.Fatalf("stored %d messages, want 1", len(ms))
			}
			if diff := cmp.Diff(tt.want, string(ms[0].Raw)); diff != "" {
				t.Errorf("Raw mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDataPipelined checks clients that do not wait: the message sent with DATA in one
// write, before the 354, and the next transaction right behind the end-of-data line.
func TestDataPipelined(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	cv := dialRaw(t, s.Addr())
	cv.cmd(250, "EHLO raw.test")
	cv.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: one\r\n\r\nx\r\r\n.\r\n" +
		"MAIL FROM:<c@example.com>\r\nRCPT TO:<d@example.com>\r\nDATA\r\nSubject: two\r\n\r\n..y\r\n.\r\nQUIT\r\n")
	for _, code := range []int{250, 250, 354, 250, 250, 250, 354, 250, 221} {
		cv.expect(code)
	}
	got := []string{}
	for _, m := range s.Messages() {
		got = append(got, m.From+" "+string(m.Raw))
	}
	want := []string{"c@example.com Subject: two\r\n\r\n.y\r\n", "a@example.com Subject: one\r\n\r\nx\r\r\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages mismatch (-want +got):\n%s", diff)
	}
}

// TestBDAT checks CHUNKING, which go-smtp offers: chunks are taken as they are, even
// when they hold what would end a DATA message.
func TestBDAT(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	cv := dialRaw(t, s.Addr())
	cv.cmd(250, "EHLO raw.test")
	cv.cmd(250, "MAIL FROM:<a@example.com>")
	cv.cmd(250, "RCPT TO:<b@example.com>")
	first, last := "Subject: chunks\r\n\r\nDATA\r\n", ".\r\n..\r\r\n"
	cv.send(fmt.Sprintf("BDAT %d\r\n%s", len(first), first))
	cv.expect(250)
	cv.send(fmt.Sprintf("BDAT %d LAST\r\n%s", len(last), last))
	cv.expect(250)
	cv.cmd(221, "QUIT")
	ms := s.Messages()
	if len(ms) != 1 || string(ms[0].Raw) != first+last {
		t.Fatalf("stored %d messages (%q), want the two chunks as sent", len(ms), subjects(ms))
	}
}

// TestSwaksRawData sends with swaks a body it does not touch (--no-data-fixup), ending
// with a line that ends "\r\r\n".
func TestSwaksRawData(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Skip("swaks not found: install it with apt-get install swaks")
	}
	data := "Subject: raw swaks\r\n\r\nlast line\r\r\n.\r\n"
	file := filepath.Join(t.TempDir(), "data.eml")
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startSink(t, smtpsink.Config{})
	host, port, _ := net.SplitHostPort(s.Addr())
	args := []string{"--server", host, "--port", port, "--from", "swaks@example.com", "--to", "a@example.com", "--no-data-fixup", "--data", "@" + file, "--timeout", "10"}
	out, err := exec.CommandContext(t.Context(), swaks, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("swaks %v: %v\n%s", args, err, out)
	}
	ms := s.Messages()
	if len(ms) != 1 {
		t.Fatalf("got %d messages, want 1; swaks said:\n%s", len(ms), out)
	}
	if diff := cmp.Diff("Subject: raw swaks\r\n\r\nlast line\r\r\n", string(ms[0].Raw)); diff != "" {
		t.Errorf("Raw mismatch (-want +got):\n%s", diff)
	}
}
