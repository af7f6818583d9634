package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/recmock/recmock/internal/certs"
	"github.com/recmock/recmock/receiver"
)

// receiveOpts are receive's flags, bound to the receiver's Config.
type receiveOpts struct {
	cfg           receiver.Config
	tls           tlsFlags
	json, verbose bool
}

func receiveCommand() *Command {
	return &Command{
		Name:      "receive",
		UsageLine: "receive [flags]",
		Short:     "run a webhook receiver that prints and checks every event",
		Long: `Runs a webhook receiver until interrupted: every POST, on any path, is printed with what
openapi.yaml says of it (a valid RecordingCompletedEvent, or each broken rule), whether its
meetingId was seen before, and the status answered. Other methods are answered 405.

--status chooses the answer; --fail-first N answers the first N events --fail-status
instead, so a sender's retries show. A body over --max-body-bytes is answered 413.

  recmock receive &
  recmock simulate --url http://127.0.0.1:3000/hooks/recording

The newest --max-events events are kept; the answer's body is {"n":N,"valid":...,"errors":[...]}.`,
		Env: envPrefix + "RECEIVE_",
		Flags: func(fs *flag.FlagSet) runFunc {
			var o receiveOpts
			o.flags(fs)
			return o.run
		},
	}
}

func (o *receiveOpts) flags(fs *flag.FlagSet) {
	c := &o.cfg
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:3000", "listen `address` (port 0 picks a free port)")
	fs.IntVar(&c.Status, "status", receiver.DefaultStatus, "HTTP `status` answered to every event (200-599)")
	fs.IntVar(&c.FailFirst, "fail-first", 0, "answer the first `N` events --fail-status instead")
	fs.IntVar(&c.FailStatus, "fail-status", receiver.DefaultFailStatus, "HTTP `status` of the --fail-first events")
	fs.IntVar(&c.MaxEvents, "max-events", receiver.DefaultMaxEvents, "events kept, in `entries`")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", receiver.DefaultMaxBodyBytes, "request body limit in `bytes`; larger bodies are answered 413")
	fs.DurationVar(&c.Timeout, "timeout", receiver.DefaultTimeout, "bound on reading a request and writing its answer")
	fs.BoolVar(&o.json, "json", false, "print each event as a JSON line")
	fs.BoolVar(&o.verbose, "verbose", false, "print each event's body too")
	o.tls.flags(fs, "the receiver")
}

func (o *receiveOpts) run(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	served, err := certs.Load(certs.Options{
		CertFile:   o.tls.Cert,
		KeyFile:    o.tls.Key,
		SelfSigned: o.tls.SelfSigned,
		Hosts:      certs.Hosts([]string{o.cfg.Addr}, o.tls.Hosts),
	}, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "recmock receive: %v\n", err)
		return 2
	}
	if served.TempDir != "" {
		defer os.RemoveAll(served.TempDir)
	}
	o.cfg.TLSConfig = served.Config
	var mu sync.Mutex
	o.cfg.OnEvent = func(ev receiver.Event) {
		mu.Lock()
		defer mu.Unlock()
		o.print(stdout, ev)
	}
	r, err := receiver.New(o.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "recmock receive: %v\n", err)
		return 2
	}
	if err := r.Start(); err != nil {
		fmt.Fprintf(stderr, "recmock receive: %v\n", err)
		return 1
	}
	answers := fmt.Sprintf("answers %d", o.cfg.Status)
	if o.cfg.FailFirst > 0 {
		answers += fmt.Sprintf(", but %d to the first %d", o.cfg.FailStatus, o.cfg.FailFirst)
	}
	fmt.Fprintf(stdout, "recmock receive: %s (POST on any path; %s)\n", r.URL(), answers)
	if served.CAFile != "" {
		fmt.Fprintf(stdout, "  TLS  self-signed; trust %s   (recmock simulate --webhook-ca %s)\n", served.CAFile, served.CAFile)
	}
	fmt.Fprintln(stdout, "Ready; Ctrl-C stops.")
	<-ctx.Done()
	err = r.Close()
	events, dropped := r.Events()
	var valid int
	for _, ev := range events {
		if ev.Valid {
			valid++
		}
	}
	mu.Lock()
	fmt.Fprintf(stdout, "received %d events; %d of the %d kept were valid\n", int64(len(events))+dropped, valid, len(events))
	mu.Unlock()
	if err != nil {
		fmt.Fprintf(stderr, "recmock receive: %v\n", err)
		return 1
	}
	return 0
}

// print writes one event: a line, the broken rules, and the body with --verbose.
func (o *receiveOpts) print(w io.Writer, ev receiver.Event) {
	if o.json {
		b, _ := json.Marshal(ev)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	verdict := "valid"
	if !ev.Valid {
		verdict = "INVALID"
	}
	line := fmt.Sprintf("#%d %s POST %s -> %d %s", ev.N, ev.Time.Format(time.TimeOnly), ev.Path, ev.Status, verdict)
	if ev.MeetingID != "" {
		line += " meetingId " + ev.MeetingID
	}
	if ev.Duplicate {
		line += " (duplicate)"
	}
	if ev.Delivery != "" {
		line += fmt.Sprintf(" [%s attempt %s]", ev.Delivery, ev.Attempt)
	}
	fmt.Fprintln(w, line)
	for _, e := range ev.Errors {
		fmt.Fprintf(w, "    %s\n", e)
	}
	if o.verbose {
		fmt.Fprintf(w, "    %s\n", ev.Body)
	}
}
