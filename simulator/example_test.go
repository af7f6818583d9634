package simulator_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/recmock/recmock"
	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/simulator"
)

// A recording completes for an account with a webhook, an e-mail address and its own bucket:
// the MP4 is uploaded, the receiver gets the event, the e-mail arrives, and the retrievalUrl
// downloads the recording. Everything runs in-process on loopback ports.
func ExampleSimulator_NotifyRecording() {
	ctx := context.Background()
	s3srv, err := fakes3.NewServer(fakes3.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer s3srv.Close()
	sink, err := smtpsink.Start(smtpsink.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	sim, err := simulator.New(simulator.Config{S3Endpoint: s3srv.URL(), SMTPAddr: sink.Addr()})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	settings := recmock.Settings{
		Username: "temasys",
		Notify:   true,
		URL:      receiver.URL,
		Email:    []string{"ops@example.com"},
		S3:       &recmock.S3Settings{ARN: "arn:aws:s3:::acme-recordings/calls", AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
	}
	meetingID, room := "2f1c6a7e-4b1d-4c55-9a0e-3f6f1d2b8c90", "weekly-standup"
	res, err := sim.NotifyRecording(ctx, recmock.DefaultAccount(), settings, recmock.RecordingOverrides{MeetingID: &meetingID, RoomID: &room})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("s3:", res.S3.Status, res.S3.Bucket, res.S3.Key)
	fmt.Println("webhook:", res.Webhook.Status, res.Webhook.Attempts[0].Status)
	fmt.Println("email:", res.Email.Status, res.Email.Recipients)

	msg, err := sink.Wait(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Subject)

	resp, err := http.Get(res.Event.RetrievalURL)
	if err != nil {
		log.Fatal(err)
	}
	mp4, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("download:", resp.Status, bytes.Equal(mp4, recmock.SampleRecording()))
	// Output:
	// s3: ok acme-recordings calls/2f1c6a7e-4b1d-4c55-9a0e-3f6f1d2b8c90.mp4
	// webhook: ok 204
	// email: ok [ops@example.com]
	// Recording ready: weekly-standup
	// download: 200 OK true
}

// The same seed and clock give the same event.
func ExampleSimulator_NewEvent() {
	sim, err := simulator.New(simulator.Config{
		Rand: rand.New(rand.NewPCG(42, 0)),
		Now:  func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.MeetingID, ev.RoomID, ev.Participants)
	fmt.Println(ev.StartTime.Format(time.RFC3339), ev.EndTime.Format(time.RFC3339), ev.UnixTime)
	fmt.Println(strings.SplitN(ev.RetrievalURL, "?", 2)[0])
	// Output:
	// 81735d46-231b-482f-b511-367e1dbb65f7 marketing-demo 6
	// 2026-11-30T09:02:22Z 2026-11-30T09:59:16Z 1796032800
	// http://127.0.0.1:9000/recmock-recordings/81735d46-231b-482f-b511-367e1dbb65f7.mp4
}

// Fire sends a batch straight to a receiver, here one that checks nothing and 200s.
func ExampleSimulator_Fire() {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()
	sim, err := simulator.New(simulator.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	sum, err := sim.Fire(context.Background(), simulator.Batch{
		URL: receiver.URL, Count: 100, Concurrency: 8, Variant: simulator.VariantDuplicate,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Sent, sum.Succeeded, sum.Failed, sum.Statuses)
	// Output:
	// 200 200 0 map[200:200]
}
