// Command smtpload measures how fast an SMTP server takes in mail: it opens -conns
// connections and sends the same message over each, one transaction after another on the
// same connection, for -duration. It prints the messages accepted per second as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/smtp"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Messages  int64   `json:"messages"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"perSecond"`
	FirstErr  string  `json:"firstError,omitempty"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:1025", "SMTP server `host:port`")
	conns := flag.Int("conns", 8, "connections sending at once")
	dur := flag.Duration("duration", 5*time.Second, "how long to send")
	file := flag.String("message", "", "the message to send, as a `file` (default: a short text message)")
	flag.Parse()
	msg := []byte("From: load@bench.test\nTo: sink@bench.test\nSubject: load\n\nhello\n")
	if *file != "" {
		var err error
		if msg, err = os.ReadFile(*file); err != nil {
			log.Fatal(err)
		}
	}
	var ok, bad atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		bad.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	start := time.Now()
	deadline := start.Add(*dur)
	var wg sync.WaitGroup
	for range *conns {
		wg.Go(func() {
			c, err := smtp.Dial(*addr)
			if err != nil {
				fail(err)
				return
			}
			defer c.Close()
			if err := c.Hello("bench.test"); err != nil {
				fail(err)
				return
			}
			for time.Now().Before(deadline) {
				if err := send(c, msg); err != nil {
					fail(err)
					return
				}
				ok.Add(1)
			}
			c.Quit()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	r := result{Messages: ok.Load(), Errors: bad.Load(), Seconds: secs, PerSecond: float64(ok.Load()) / secs}
	if e, _ := firstErr.Load().(string); e != "" {
		r.FirstErr = e
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	if r.Errors > 0 {
		os.Exit(1)
	}
}

func send(c *smtp.Client, msg []byte) error {
	if err := c.Mail("load@bench.test"); err != nil {
		return err
	}
	if err := c.Rcpt("sink@bench.test"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}
