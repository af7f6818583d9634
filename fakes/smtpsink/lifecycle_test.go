package smtpsink_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/fakes/smtpsink"
)

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     smtpsink.Config
		wantErr string // "" for success
	}{
		{name: "zero value", cfg: smtpsink.Config{}},
		{name: "all set", cfg: smtpsink.Config{Addr: "127.0.0.1:0", Domain: "mx.test", MaxMessageBytes: 1 << 10, MaxMessages: 5, MaxStoreBytes: 1 << 20, ReadTimeout: time.Second, WriteTimeout: time.Second}},
		{name: "small store lowers the default message limit", cfg: smtpsink.Config{MaxStoreBytes: 1 << 10}},
		{name: "address without port", cfg: smtpsink.Config{Addr: "127.0.0.1"}, wantErr: `Addr "127.0.0.1"`},
		{name: "domain with space", cfg: smtpsink.Config{Domain: "a b"}, wantErr: `Domain "a b"`},
		{name: "domain with CRLF", cfg: smtpsink.Config{Domain: "a\r\n250 b"}, wantErr: "Domain"},
		{name: "negative MaxMessageBytes", cfg: smtpsink.Config{MaxMessageBytes: -1}, wantErr: "MaxMessageBytes is -1"},
		{name: "negative MaxMessages", cfg: smtpsink.Config{MaxMessages: -1}, wantErr: "MaxMessages is -1"},
		{name: "negative MaxStoreBytes", cfg: smtpsink.Config{MaxStoreBytes: -1}, wantErr: "MaxStoreBytes is -1"},
		{name: "negative ReadTimeout", cfg: smtpsink.Config{ReadTimeout: -time.Second}, wantErr: "ReadTimeout"},
		{name: "negative WriteTimeout", cfg: smtpsink.Config{WriteTimeout: -time.Second}, wantErr: "WriteTimeout"},
		{name: "message larger than store", cfg: smtpsink.Config{MaxMessageBytes: 2 << 10, MaxStoreBytes: 1 << 10}, wantErr: "exceeds MaxStoreBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := smtpsink.New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if got := s.Addr(); got != "" {
					t.Errorf("Addr before Start = %q, want \"\"", got)
				}
				return
			}
			if !errors.Is(err, smtpsink.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want ErrInvalidConfig mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	s, err := smtpsink.New(smtpsink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr = %q, want 127.0.0.1:<a chosen port>", s.Addr())
	}
	if err := s.Start(); !errors.Is(err, smtpsink.ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	if _, err := smtpsink.Start(smtpsink.Config{Addr: s.Addr()}); err == nil {
		t.Errorf("Start on an address in use succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Start(); !errors.Is(err, smtpsink.ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if _, err := net.Dial("tcp", s.Addr()); err == nil {
		t.Errorf("the sink still accepts connections after Close")
	}

	unstarted, err := smtpsink.New(smtpsink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstarted.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
}

// TestCloseFinishesTransactions checks that Close lets a transaction in progress end
// with 250 and be stored, while an idle connection is told 421 and closed.
func TestCloseFinishesTransactions(t *testing.T) {
	logs := newLogRecorder()
	// An hour-long ReadTimeout: an idle session must be ended by Close, not by the clock.
	s, err := smtpsink.Start(smtpsink.Config{Logger: logs.logger(), Now: fixedNow, ReadTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	idle := dialRaw(t, s.Addr())
	idle.cmd(250, "EHLO idle.test")
	busy := dialRaw(t, s.Addr())
	busy.cmd(250, "EHLO busy.test")
	busy.cmd(250, "MAIL FROM:<a@example.com>")
	busy.cmd(250, "RCPT TO:<b@example.com>")
	busy.cmd(354, "DATA")
	if err := busy.c.PrintfLine("Subject: in flight\r\n\r\nfirst half"); err != nil {
		t.Fatal(err)
	}

	waiting := logs.on("smtpsink: closing: waiting for transactions in progress")
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	<-waiting

	if _, err := net.Dial("tcp", s.Addr()); err == nil {
		t.Errorf("a new connection was accepted while closing")
	}
	idle.expect(421)
	busy.cmd(250, "second half\r\n.")
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	got := s.Messages()
	if len(got) != 1 || got[0].Text != "first half\r\nsecond half\r\n" {
		t.Errorf("stored %d messages (%q), want the one in flight", len(got), subjects(got))
	}
}

// TestShutdownCutsStalledTransactions: a client that stalls in the middle of a message
// cannot hold Shutdown past its deadline; its connection is closed and logged with the
// bytes it had sent.
func TestShutdownCutsStalledTransactions(t *testing.T) {
	logs := newLogRecorder()
	// An hour-long ReadTimeout: only the deadline can end the stalled transfer.
	s, err := smtpsink.Start(smtpsink.Config{Logger: logs.logger(), ReadTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	stalled := dialRaw(t, s.Addr())
	stalled.cmd(250, "EHLO stalled.test")
	stalled.cmd(250, "MAIL FROM:<a@example.com>")
	stalled.cmd(250, "RCPT TO:<b@example.com>")
	stalled.cmd(354, "DATA")
	const half = "Subject: never ends\r\n\r\nhalf"
	stalled.send(half)
	eventually(t, "receiving the stalled message", func() bool { return s.Stats().Receiving > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v, want an error wrapping context.DeadlineExceeded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Shutdown still waits for the stalled client 30s later")
	}
	if _, err := stalled.c.ReadLine(); err == nil {
		t.Errorf("the stalled connection is still open after Shutdown")
	}
	if log := logs.text(); !strings.Contains(log, "session cut short by shutdown") || !strings.Contains(log, fmt.Sprintf("messageBytesReceived=%d", len(half))) {
		t.Errorf("log does not name the session cut short with its %d bytes:\n%s", len(half), log)
	}
	eventually(t, "releasing what the stalled message held", func() bool { return s.Stats().Receiving == 0 })
}
