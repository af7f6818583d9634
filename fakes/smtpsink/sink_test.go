package smtpsink_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/fakes/smtpsink"
)

func TestReceive(t *testing.T) {
	loginSend := func(t *testing.T, s *smtpsink.Sink, from string, to []string, msg string) {
		t.Helper()
		c, err := gosmtp.Dial(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Auth(sasl.NewLoginClient("login-user", "login-secret")); err != nil {
			t.Fatalf("AUTH LOGIN: %v", err)
		}
		if err := c.SendMail(from, to, strings.NewReader(msg)); err != nil {
			t.Fatalf("SendMail: %v", err)
		}
		if err := c.Quit(); err != nil {
			t.Fatalf("QUIT: %v", err)
		}
	}
	tests := []struct {
		name string
		send func(t *testing.T, s *smtpsink.Sink, from string, to []string, msg string)
		from string
		to   []string
		want smtpsink.Message
	}{
		{
			name: "net/smtp without auth",
			send: func(t *testing.T, s *smtpsink.Sink, from string, to []string, msg string) {
				sendMail(t, s, nil, from, to, msg)
			},
			from: "a@example.com",
			to:   []string{"b@example.com"},
			want: smtpsink.Message{From: "a@example.com", To: []string{"b@example.com"}},
		},
		{
			name: "net/smtp with AUTH PLAIN",
			send: func(t *testing.T, s *smtpsink.Sink, from string, to []string, msg string) {
				sendMail(t, s, smtp.PlainAuth("", "plain-user", "plain-secret", "127.0.0.1"), from, to, msg)
			},
			from: "a@example.com",
			to:   []string{"b@example.com", "C@Example.com"},
			want: smtpsink.Message{From: "a@example.com", To: []string{"b@example.com", "C@Example.com"}, AuthUser: "plain-user"},
		},
		{
			name: "go-smtp client with AUTH LOGIN",
			send: loginSend,
			from: "a@example.com",
			to:   []string{"b@example.com"},
			want: smtpsink.Message{From: "a@example.com", To: []string{"b@example.com"}, AuthUser: "login-user"},
		},
		{
			name: "null sender",
			send: func(t *testing.T, s *smtpsink.Sink, from string, to []string, msg string) {
				sendMail(t, s, nil, from, to, msg)
			},
			from: "",
			to:   []string{"bounce@example.com"},
			want: smtpsink.Message{From: "", To: []string{"bounce@example.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := newLogRecorder()
			s := startSink(t, smtpsink.Config{Logger: logs.logger()})
			msg := simpleMail("Hello", "Hi there.")
			tt.send(t, s, tt.from, tt.to, msg)

			want := tt.want
			want.ID, want.Subject, want.Created, want.Size = "1", "Hello", epoch, len(msg)
			want.Text, want.Raw = "Hi there.\r\n", []byte(msg)
			want.Headers = map[string][]string{"From": {"sender@example.com"}, "To": {"rcpt@example.com"}, "Subject": {"Hello"}}
			want.Parts = []smtpsink.Part{{ContentType: "text/plain", Headers: map[string][]string{}, Size: len("Hi there.\r\n"), Body: "Hi there.\r\n"}}
			got := s.Messages()
			if diff := cmp.Diff([]smtpsink.Message{want}, got); diff != "" {
				t.Errorf("Messages mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(logs.text(), "secret") {
				t.Errorf("a password was logged:\n%s", logs.text())
			}
		})
	}
}

// TestAuthLogin speaks AUTH LOGIN by hand, with and without the user name as the

// initial response, which clients differ on.

func TestAuthLogin(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name   string
		dialog func(cv *conversation)
	}{
		{"challenge for the user name", func(cv *conversation) {
			if got := cv.cmd(334, "AUTH LOGIN"); got != b64([]byte("Username:")) {
				t.Errorf("first challenge = %q, want base64 of Username:", got)
			}
			if got := cv.cmd(334, "%s", b64([]byte("raw-user"))); got != b64([]byte("Password:")) {
				t.Errorf("second challenge = %q, want base64 of Password:", got)
			}
			cv.cmd(235, "%s", b64([]byte("raw-secret")))
		}},
		{"user name as initial response", func(cv *conversation) {
			cv.cmd(334, "AUTH LOGIN %s", b64([]byte("raw-user")))
			cv.cmd(235, "%s", b64([]byte("raw-secret")))
		}},
		{"PLAIN as initial response", func(cv *conversation) {
			cv.cmd(235, "AUTH PLAIN %s", b64([]byte("\x00raw-user\x00raw-secret")))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := newLogRecorder()
			s := startSink(t, smtpsink.Config{Logger: logs.logger()})
			cv := dialRaw(t, s.Addr())
			cv.cmd(250, "EHLO client.test")
			tt.dialog(cv)
			cv.cmd(250, "MAIL FROM:<a@example.com>")
			cv.cmd(250, "RCPT TO:<b@example.com>")
			cv.cmd(354, "DATA")
			cv.cmd(250, "Subject: auth\r\n\r\nbody\r\n.")
			cv.cmd(221, "QUIT")

			ms := s.Messages()
			if len(ms) != 1 || ms[0].AuthUser != "raw-user" {
				t.Fatalf("got %d messages, AuthUser %q; want 1 with AuthUser raw-user", len(ms), authUsers(ms))
			}
			if strings.Contains(logs.text(), "raw-secret") {
				t.Errorf("the password was logged:\n%s", logs.text())
			}
		})
	}
}

func authUsers(ms []smtpsink.Message) []string {
	var u []string
	for _, m := range ms {
		u = append(u, m.AuthUser)
	}
	return u
}

func TestAuthUnknownMechanism(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	cv := dialRaw(t, s.Addr())
	cv.cmd(250, "EHLO client.test")
	cv.cmd(504, "AUTH CRAM-MD5")
}

func TestOversizedMessage(t *testing.T) {
	s := startSink(t, smtpsink.Config{MaxMessageBytes: 1024})
	big := simpleMail("big", strings.Repeat("xxxxxxxxxxxxxxxxxxx\r\n", 100))
	err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(big))
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 552 {
		t.Fatalf("SendMail of %d bytes = %v, want a 552 reply", len(big), err)
	}
	if got := s.Messages(); len(got) != 0 {
		t.Errorf("the oversized message was stored: %d messages", len(got))
	}

	// The limit refuses only what is over it: a message of exactly MaxMessageBytes
	// is kept, one byte more is not.
	base := simpleMail("exact", "")
	exact := base + strings.Repeat("y", 1024-len(base)-2) + "\r\n"
	over := base + strings.Repeat("y", 1024-len(base)-1) + "\r\n"
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, exact)
	err = smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(over))
	if !errors.As(err, &perr) || perr.Code != 552 {
		t.Errorf("SendMail of 1025 bytes = %v, want a 552 reply", err)
	}
	if got := s.Messages(); len(got) != 1 || got[0].Size != 1024 {
		t.Errorf("after the refusals, Messages = %v, want the 1024-byte message only", subjects(got))
	}
}

func TestLongLines(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	line := strings.Repeat("<p>generated</p>", 1000)
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("long", line))
	if got := s.Messages(); len(got) != 1 || got[0].Text != line+"\r\n" {
		t.Errorf("a message with a %d-character line was not kept whole", len(line))
	}
}

func subjects(ms []smtpsink.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func ids(ms []smtpsink.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestBoundedStore(t *testing.T) {
	// What one 500-byte message costs the store, by its own accounting: a 2.5 times as
	// large store holds two.
	probe := startSink(t, smtpsink.Config{})
	sendMail(t, probe, nil, "a@example.com", []string{"b@example.com"}, simpleMail("1", strings.Repeat("x", 500)))
	one := probe.Stats().Bytes
	tests := []struct {
		name        string
		cfg         smtpsink.Config
		send        int
		bodyBytes   int
		wantIDs     []string
		wantDropped int
	}{
		{name: "by count", cfg: smtpsink.Config{MaxMessages: 3}, send: 5, bodyBytes: 10, wantIDs: []string{"5", "4", "3"}, wantDropped: 2},
		{name: "under the bounds", cfg: smtpsink.Config{MaxMessages: 3}, send: 3, bodyBytes: 10, wantIDs: []string{"3", "2", "1"}},
		{name: "by bytes", cfg: smtpsink.Config{MaxStoreBytes: one*5/2 + 1, MaxMessageBytes: 1000}, send: 5, bodyBytes: 500, wantIDs: []string{"5", "4"}, wantDropped: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSink(t, tt.cfg)
			for i := range tt.send {
				sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail(fmt.Sprint(i+1), strings.Repeat("x", tt.bodyBytes)))
			}
			got := s.Messages()
			if diff := cmp.Diff(tt.wantIDs, ids(got)); diff != "" {
				t.Errorf("IDs kept mismatch (-want +got):\n%s", diff)
			}
			if got := s.Dropped(); got != tt.wantDropped {
				t.Errorf("Dropped = %d, want %d", got, tt.wantDropped)
			}
			st := s.Stats()
			if st.Messages != len(tt.wantIDs) || st.Dropped != tt.wantDropped {
				t.Errorf("Stats = %+v, want %d messages, %d dropped", st, len(tt.wantIDs), tt.wantDropped)
			}
			if tt.cfg.MaxStoreBytes > 0 && st.Bytes > tt.cfg.MaxStoreBytes {
				t.Errorf("the store holds %d bytes, over MaxStoreBytes %d", st.Bytes, tt.cfg.MaxStoreBytes)
			}

			s.Reset()
			if got, dropped := len(s.Messages()), s.Dropped(); got != 0 || dropped != 0 {
				t.Errorf("after Reset: %d messages, Dropped %d; want 0 and 0", got, dropped)
			}
			if st := s.Stats(); st.Bytes != 0 {
				t.Errorf("after Reset the store holds %d bytes, want 0", st.Bytes)
			}
			sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("after reset", "x"))
			if diff := cmp.Diff([]string{fmt.Sprint(tt.send + 1)}, ids(s.Messages())); diff != "" {
				t.Errorf("IDs after Reset mismatch; IDs must not be reused (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMalformedMIMEIsStored(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	msg := "Subject: broken\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, msg)
	got := s.Messages()
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	if got[0].ParseError == "" {
		t.Errorf("ParseError is empty for a message with bad base64 and no closing boundary")
	}
	if string(got[0].Raw) != msg || got[0].Subject != "broken" {
		t.Errorf("got Raw %q, Subject %q; want the raw message and subject kept", got[0].Raw, got[0].Subject)
	}
}

func TestConcurrentSenders(t *testing.T) {
	const senders, each = 8, 50
	tests := []struct {
		name        string
		maxMessages int
		wantKept    int
	}{
		{"all kept", senders * each, senders * each},
		{"most dropped", 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSink(t, smtpsink.Config{MaxMessages: tt.maxMessages})
			api := startAPI(t, s)
			var wg sync.WaitGroup
			errs := make(chan error, senders)
			for g := range senders {
				wg.Go(func() {
					c, err := gosmtp.Dial(s.Addr())
					if err != nil {
						errs <- err
						return
					}
					defer c.Close()
					for i := range each {
						msg := simpleMail(fmt.Sprintf("g%d-%d", g, i), "body")
						if err := c.SendMail("a@example.com", []string{fmt.Sprintf("g%d@example.com", g)}, strings.NewReader(msg)); err != nil {
							errs <- fmt.Errorf("sender %d, mail %d: %w", g, i, err)
							return
						}
					}
				})
			}
			// Readers run alongside the senders, for the race detector.
			done := make(chan struct{})
			var readers sync.WaitGroup
			readers.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					for _, m := range s.Messages() {
						s.Message(m.ID)
					}
					do(t, "GET", api.URL+"/_admin/emails?limit=10")
				}
			})
			wg.Wait()
			close(done)
			readers.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			got := s.Messages()
			if len(got) != tt.wantKept {
				t.Fatalf("kept %d messages, want %d", len(got), tt.wantKept)
			}
			if got := s.Dropped(); got != senders*each-tt.wantKept {
				t.Errorf("Dropped = %d, want %d", got, senders*each-tt.wantKept)
			}
			// The newest messages are kept, with the IDs of the latest arrivals.
			want := make([]string, tt.wantKept)
			for i := range want {
				want[i] = fmt.Sprint(senders*each - i)
			}
			if diff := cmp.Diff(want, ids(got)); diff != "" {
				t.Errorf("IDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessagesAreCopies(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("original", "body"))
	// A printed snapshot shares no memory with the store, whatever Messages returns.
	want := fmt.Sprintf("%+v", s.Messages())

	for _, m := range []smtpsink.Message{s.Messages()[0], must(s.Message("1"))} {
		m.To[0] = "changed"
		m.Headers["Subject"][0] = "changed"
		m.Raw[0] = 'X'
		m.Parts[0].Headers["X-Changed"] = []string{"changed"}
		m.Parts[0].Body = "changed"
	}
	if diff := cmp.Diff(want, fmt.Sprintf("%+v", s.Messages())); diff != "" {
		t.Errorf("changing returned messages changed the store (-want +got):\n%s", diff)
	}
}

func must(m smtpsink.Message, ok bool) smtpsink.Message {
	if !ok {
		panic("message not found")
	}
	return m
}

func TestDelete(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	for _, subj := range []string{"one", "two", "three"} {
		sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail(subj, "x"))
	}
	if !s.Delete("2") {
		t.Errorf("Delete(2) = false, want true")
	}
	if s.Delete("2") {
		t.Errorf("second Delete(2) = true, want false")
	}
	if _, ok := s.Message("2"); ok {
		t.Errorf("Message(2) found after Delete")
	}
	if diff := cmp.Diff([]string{"3", "1"}, ids(s.Messages())); diff != "" {
		t.Errorf("IDs after Delete mismatch (-want +got):\n%s", diff)
	}
	if got := s.Dropped(); got != 0 {
		t.Errorf("Dropped = %d after Delete, want 0: deleting is not dropping", got)
	}
}
