package smtpsink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"slices"
	"time"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// A test starts a sink, points the code under test at its address, and waits for the
// mail. In a test, close the sink with t.Cleanup(func() { sink.Close() }).
func Example() {
	sink, err := smtpsink.Start(smtpsink.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close()

	// The code under test sends mail; here, net/smtp does.
	msg := "From: recmock@recmock.local\r\nTo: a@b.com\r\nSubject: Recording ready: weekly-standup\r\n\r\nYour recording is ready.\r\n"
	if err := smtp.SendMail(sink.Addr(), nil, "recmock@recmock.local", []string{"a@b.com"}, []byte(msg)); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := sink.Wait(ctx, func(m smtpsink.Message) bool { return slices.Contains(m.To, "a@b.com") })
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Subject)
	// Output: Recording ready: weekly-standup
}

// New and Start in two steps, as with httptest.NewUnstartedServer, leave room to
// change nothing but the config in between; Start picks the port.
func ExampleNew() {
	sink, err := smtpsink.New(smtpsink.Config{MaxMessages: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("before Start: %q\n", sink.Addr())
	if err := sink.Start(); err != nil {
		log.Fatal(err)
	}
	defer sink.Close()
	fmt.Println("after Start: listening:", sink.Addr() != "")
	// Output:
	// before Start: ""
	// after Start: listening: true
}

// The HTTP API is mounted under a prefix with http.StripPrefix, as recmock serve does;
// scripts long-poll /wait instead of sleeping.
func ExampleSink_Handler() {
	sink, err := smtpsink.Start(smtpsink.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close()
	api := httptest.NewServer(http.StripPrefix("/_admin/emails", sink.Handler()))
	defer api.Close()

	msg := "Subject: Recording ready\r\n\r\nYour recording is ready.\r\n"
	auth := smtp.PlainAuth("", "apikey", "secret", "127.0.0.1")
	if err := smtp.SendMail(sink.Addr(), auth, "recmock@recmock.local", []string{"a@b.com"}, []byte(msg)); err != nil {
		log.Fatal(err)
	}

	res, err := http.Get(api.URL + "/_admin/emails/wait?to=a@b.com&timeout=5s")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var m struct {
		ID       string `json:"id"`
		Subject  string `json:"subject"`
		AuthUser string `json:"authUser"`
		Text     string `json:"text"`
	}
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)
	fmt.Printf("%s %q from %s: %q\n", m.ID, m.Subject, m.AuthUser, m.Text)
	// Output:
	// 200 OK
	// 1 "Recording ready" from apikey: "Your recording is ready.\r\n"
}

// Parse reads a message without a server, for .eml files.
func ExampleParse() {
	raw := "Subject: =?UTF-8?Q?Caf=C3=A9?=\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nHello.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"
	m := smtpsink.Parse([]byte(raw))
	fmt.Printf("%s: %q, %+v\n", m.Subject, m.Text, m.Attachments)
	// Output: Café: "Hello.", [{Filename:report.pdf ContentType:application/pdf Size:5}]
}

// Stats shows what the sink holds against its bounds, and what it refused.
func ExampleSink_Stats() {
	sink, err := smtpsink.Start(smtpsink.Config{MaxSessions: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close()
	held, err := smtp.Dial(sink.Addr()) // the one session allowed
	if err != nil {
		log.Fatal(err)
	}
	defer held.Close()
	err = smtp.SendMail(sink.Addr(), nil, "a@b.com", []string{"c@d.com"}, []byte("Subject: hi\r\n\r\nhello\r\n"))
	fmt.Println(err)
	st := sink.Stats()
	fmt.Println(st.Sessions, "session,", st.Refused, "refused,", st.Messages, "messages")
	// Output:
	// 421 "4.7.0 too many connections, try again later"
	// 1 session, 1 refused, 0 messages
}
