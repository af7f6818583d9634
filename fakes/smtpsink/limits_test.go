package smtpsink_test

import (
	"errors"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// TestCommandLineLimit: a command line may not make the sink buffer more than
// MaxCommandLine, however long the client makes it; message text is not bounded so.
func TestCommandLineLimit(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	addr := func(n int) string { return strings.Repeat("a", n-len("@example.com")) + "@example.com" }
	// "MAIL FROM:<" + address + ">\r\n" is 14 bytes more than the address.
	tests := []struct {
		name     string
		line     string
		wantCode int
	}{
		{"at the limit", "MAIL FROM:<" + addr(smtpsink.MaxCommandLine-14) + ">", 250},
		{"one over", "MAIL FROM:<" + addr(smtpsink.MaxCommandLine-13) + ">", 500},
		{"a megabyte", "MAIL FROM:<" + addr(1<<20) + ">", 500},
		{"no line end at all", strings.Repeat("x", 1<<20), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := dialRaw(t, s.Addr())
			cv.cmd(250, "EHLO raw.test")
			if tt.line == strings.Repeat("x", 1<<20) {
				// Written in the background: the sink stops reading long before the end.
				go func() { cv.c.W.WriteString(tt.line); cv.c.W.Flush() }()
			} else {
				go cv.c.PrintfLine("%s", tt.line)
			}
			code, msg, err := cv.c.ReadResponse(tt.wantCode)
			if err != nil {
				t.Fatalf("reply %d %q, want %d: %v", code, msg, tt.wantCode, err)
			}
			if tt.wantCode != 500 {
				return
			}
			if !strings.Contains(msg, "Too long line") {
				t.Errorf("reply %d %q, want one saying the line is too long", code, msg)
			}
			if _, err := cv.c.ReadLine(); !errors.Is(err, io.EOF) && !isReset(err) {
				t.Errorf("after the 500 reply the connection stays open: read %v", err)
			}
		})
	}

	t.Run("net/smtp", func(t *testing.T) {
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Mail(addr(4000))
		var perr *textproto.Error
		if !errors.As(err, &perr) || perr.Code != 500 {
			t.Errorf("Mail with a 4000-byte address = %v, want a 500 reply", err)
		}
	})

	t.Run("message text is not limited", func(t *testing.T) {
		line := strings.Repeat("x", 10*smtpsink.MaxCommandLine)
		sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("long text", line))
		if m := s.Messages()[0]; m.Text != line+"\r\n" {
			t.Errorf("the long line of text was not kept whole")
		}
	})
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// TestMaxSessions: connections over MaxSessions are told 421 and closed; once a session
// ends, a new one is served.
func TestMaxSessions(t *testing.T) {
	s := startSink(t, smtpsink.Config{MaxSessions: 3})
	var open []*conversation
	for range 3 {
		cv := dialRaw(t, s.Addr())
		cv.cmd(250, "EHLO held.test")
		open = append(open, cv)
	}

	refused := func(t *testing.T) {
		t.Helper()
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("reading the refusal: %v (got %q)", err, got)
		}
		if string(got) != "421 4.7.0 too many connections, try again later\r\n" {
			t.Errorf("a connection over MaxSessions got %q, want the 421 reply and EOF", got)
		}
	}
	refused(t)
	err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(simpleMail("over", "x")))
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 421 {
		t.Errorf("net/smtp over MaxSessions: %v, want a 421 reply", err)
	}

	open[0].cmd(221, "QUIT")
	eventually(t, "down to 2 sessions", func() bool { return s.Stats().Sessions == 2 })
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("after one left", "x"))
	if st := s.Stats(); st.Refused != 2 || st.Messages != 1 {
		t.Errorf("Stats = %+v, want 2 refused and the message sent after a session ended", st)
	}
}

// TestMessagesInTransitBounded: the messages being received together may hold at most
// MaxStoreBytes; one that finds no room is refused with 452, a temporary failure, and
// goes through once the others are done.
func TestMessagesInTransitBounded(t *testing.T) {
	s := startSink(t, smtpsink.Config{MaxStoreBytes: 4000, MaxMessageBytes: 3000})
	slow := dialRaw(t, s.Addr())
	slow.cmd(250, "EHLO slow.test")
	slow.cmd(250, "MAIL FROM:<a@example.com>")
	slow.cmd(250, "RCPT TO:<b@example.com>")
	slow.cmd(354, "DATA")
	half := "Subject: slow\r\n\r\n" + strings.Repeat("x", 2000-17)
	slow.send(half)
	eventually(t, "receiving the slow message", func() bool { return s.Stats().Receiving == 2000 })

	big := simpleMail("big", strings.Repeat("y", 2500))
	err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(big))
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 452 {
		t.Fatalf("SendMail while the sink receives 2000 of its 4000 bytes: %v, want a 452 reply", err)
	}
	slow.send("\r\n.\r\n")
	slow.expect(250)
	if got := s.Stats().Receiving; got != 0 {
		t.Errorf("Receiving = %d after every transfer ended, want 0", got)
	}
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, big)
	if got := subjects(s.Messages()); len(got) != 1 || got[0] != "big" {
		t.Errorf("stored %q; want the big message (the slow one is dropped to make room)", got)
	}
}

// TestManyLongCommandLinesCutOff: many clients sending long command lines at once are
// each cut off at MaxCommandLine, rather than each making the sink buffer megabytes.
func TestManyLongCommandLinesCutOff(t *testing.T) {
	const clients = 50
	s := startSink(t, smtpsink.Config{MaxSessions: clients})
	long := "MAIL FROM:<" + strings.Repeat("a", 4<<20) + ">\r\n"
	var wg sync.WaitGroup
	replies := make(chan string, clients)
	for range clients {
		wg.Go(func() {
			c, err := textproto.Dial("tcp", s.Addr())
			if err != nil {
				replies <- err.Error()
				return
			}
			defer c.Close()
			c.ReadResponse(220)
			go func() { c.W.WriteString(long); c.W.Flush() }()
			_, msg, err := c.ReadResponse(500)
			if err != nil {
				replies <- err.Error()
				return
			}
			replies <- msg
		})
	}
	wg.Wait()
	close(replies)
	for r := range replies {
		if !strings.Contains(r, "Too long line") {
			t.Errorf("a client with a 4 MiB command line got %q, want 500 Too long line", r)
		}
	}
}

// TestStalledMessageTimesOut: a client that stalls in the middle of a message is cut
// off after ReadTimeout, and what it held in transit is released.
func TestStalledMessageTimesOut(t *testing.T) {
	s := startSink(t, smtpsink.Config{ReadTimeout: 100 * time.Millisecond})
	cv := dialRaw(t, s.Addr())
	cv.cmd(250, "EHLO stalled.test")
	cv.cmd(250, "MAIL FROM:<a@example.com>")
	cv.cmd(250, "RCPT TO:<b@example.com>")
	cv.cmd(354, "DATA")
	cv.send("Subject: stalled\r\n\r\nhalf")
	code, msg, _ := cv.c.ReadResponse(0)
	if code/100 != 5 {
		t.Errorf("the stalled transaction got %d %q, want a failure", code, msg)
	}
	code, msg, _ = cv.c.ReadResponse(421)
	if code != 421 {
		t.Errorf("then %d %q, want 421", code, msg)
	}
	if _, err := cv.c.ReadLine(); err == nil {
		t.Errorf("the connection stays open")
	}
	if st := s.Stats(); st.Receiving != 0 || st.Messages != 0 {
		t.Errorf("Stats = %+v, want nothing stored or in transit", st)
	}
}
