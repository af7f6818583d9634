package smtpsink_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/fakes/smtpsink"
)

func subjectIs(s string) func(smtpsink.Message) bool {
	return func(m smtpsink.Message) bool { return m.Subject == s }
}

type waitResult struct {
	m   smtpsink.Message
	err error
}

func TestWaitForArrival(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("unrelated", "x"))

	// The matcher reports each message it sees, so the test knows Wait has looked at
	// what is stored, and anything sent from then on is an arrival.
	looked := make(chan string, 10)
	done := make(chan waitResult, 1)
	go func() {
		m, err := s.Wait(context.Background(), func(m smtpsink.Message) bool {
			looked <- m.Subject
			return m.Subject == "expected"
		})
		done <- waitResult{m, err}
	}()
	if got := <-looked; got != "unrelated" {
		t.Fatalf("Wait looked at %q first, want the stored message", got)
	}
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("expected", "x"))
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("expected", "later"))

	r := <-done
	if r.err != nil {
		t.Fatalf("Wait: %v", r.err)
	}
	// Whether Wait woke before or after the third message, the first arrival wins.
	if r.m.ID != "2" || r.m.Subject != "expected" {
		t.Errorf("Wait returned message %s %q, want 2 \"expected\"", r.m.ID, r.m.Subject)
	}
}

func TestWaitStored(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	for _, subj := range []string{"match", "other", "match"} {
		sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail(subj, "x"))
	}
	// A context that has already ended proves that a stored match is returned without
	// waiting at all.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		match  func(smtpsink.Message) bool
		wantID string
	}{
		{"newest match", subjectIs("match"), "3"},
		{"only match", subjectIs("other"), "2"},
		{"nil matches anything", nil, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := s.Wait(ctx, tt.match)
			if err != nil || m.ID != tt.wantID {
				t.Errorf("Wait = message %q, %v; want message %s", m.ID, err, tt.wantID)
			}
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("other", "x"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := s.Wait(ctx, subjectIs("never"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "smtpsink: wait") {
		t.Errorf("Wait = %v, want a smtpsink error wrapping context.DeadlineExceeded", err)
	}
}

func TestWaitClose(t *testing.T) {
	s, err := smtpsink.Start(smtpsink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	looked := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(context.Background(), func(smtpsink.Message) bool {
			close(looked)
			return false
		})
		done <- err
	}()
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("not it", "x"))
	<-looked // Wait is now past any stored message, waiting for more
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, smtpsink.ErrClosed) {
		t.Errorf("Wait after Close = %v, want ErrClosed", err)
	}
}

func TestWaitGetsCopies(t *testing.T) {
	s := startSink(t, smtpsink.Config{})
	sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("keep", "x"))
	m, err := s.Wait(context.Background(), func(m smtpsink.Message) bool {
		m.To[0] = "changed by the matcher"
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	m.To[0] = "changed by the caller"
	if got, _ := s.Message("1"); got.To[0] != "b@example.com" {
		t.Errorf("stored recipient is %q, want b@example.com: Wait leaked the store", got.To[0])
	}
}
