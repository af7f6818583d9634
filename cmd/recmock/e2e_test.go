package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/server"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/fakes/smtpsink"
)

// TestRecordingEndToEnd is the integrator's whole story through serve: settings through the
// REST API, a recording triggered through the admin API, then the webhook body checked
// against the spec, the MP4 downloaded through retrievalUrl and found with the AWS SDK under
// the ARN's prefix, and the e-mail found in the sink. Nothing sleeps: the receiver hands
// its body over a channel and the sink is waited on.
func TestRecordingEndToEnd(t *testing.T) {
	bodies := make(chan []byte, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "recmock/") {
			t.Errorf("webhook headers: %v", r.Header)
		}
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)

	m, _ := startMain(t, serveConfig{PresignTTL: time.Hour, WebhookTimeout: 5 * time.Second, WebhookRetries: 3})
	settings := `{"notify":true,"url":"` + receiver.URL + `/hooks/recording","email":"ops@acme.example; qa@acme.example",` +
		`"s3Arn":"arn:aws:s3:us-east-1::acme-recordings/prod/2026","s3AccessKeyId":"AKIAACME","s3SecretAccessKey":"acme-secret"}`
	if status, body := call(t, "POST", m.URL()+"/rest/recording/notifications", settings); status != 200 {
		t.Fatalf("settings: %d %s", status, body)
	}

	status, body := call(t, "POST", m.URL()+"/_admin/recordings", `{"username":"temasys","roomId":"weekly-standup","participants":5}`)
	if status != 200 {
		t.Fatalf("trigger: %d %s", status, body)
	}
	var res recmock.RecordingResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	for ch, o := range map[string]recmock.Outcome{"s3": res.S3.Outcome, "webhook": res.Webhook.Outcome, "email": res.Email.Outcome} {
		if o.Status != recmock.OutcomeOK {
			t.Errorf("%s: %+v", ch, o)
		}
	}

	// The webhook: a RecordingCompletedEvent as openapi.yaml defines it.
	hook := <-bodies
	v, err := wire.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ValidateSchema("RecordingCompletedEvent", hook); err != nil {
		t.Errorf("webhook body breaks the schema: %v\n%s", err, hook)
	}
	var ev recmock.RecordingEvent
	json.Unmarshal(hook, &ev)
	if ev.RoomID != "weekly-standup" || ev.Participants != 5 || ev.APIKey != "demo-key" || ev.MeetingID != res.Event.MeetingID {
		t.Errorf("event %+v", ev)
	}

	// retrievalUrl really downloads the MP4, with nothing but plain HTTP.
	dl, err := http.Get(ev.RetrievalURL)
	if err != nil {
		t.Fatal(err)
	}
	mp4, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != 200 || !bytes.Equal(mp4, recmock.SampleRecording()) {
		t.Errorf("retrievalUrl: %d, %d bytes; want the %d-byte sample", dl.StatusCode, len(mp4), len(recmock.SampleRecording()))
	}

	// The object is where the ARN says, found with the account's own credentials.
	client := m.S3.Client("AKIAACME", "acme-secret")
	list, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("acme-recordings"), Prefix: aws.String("prod/2026/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || *list.Contents[0].Key != "prod/2026/"+ev.MeetingID+".mp4" {
		t.Errorf("objects under prod/2026/: %+v", list.Contents)
	}

	// The e-mail reached both addresses and names the room and the link.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := m.Sink.Wait(ctx, func(m smtpsink.Message) bool { return strings.Contains(m.Subject, "weekly-standup") })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(msg.To, ",") != "ops@acme.example,qa@acme.example" || !strings.Contains(msg.Text, ev.RetrievalURL) || !strings.Contains(msg.HTML, "weekly-standup") {
		t.Errorf("e-mail to %v, subject %q:\n%s", msg.To, msg.Subject, msg.Text)
	}

	// The delivery log has the attempt.
	_, deliveries := call(t, "GET", m.URL()+"/_admin/deliveries", "")
	var dlist struct{ Items []recmock.Delivery }
	json.Unmarshal([]byte(deliveries), &dlist)
	if len(dlist.Items) != 1 || dlist.Items[0].Status != recmock.DeliveryOK || dlist.Items[0].Attempts[0].Status != 204 {
		t.Errorf("deliveries: %s", deliveries)
	}

	// notify false: nothing goes out on any channel.
	call(t, "PUT", m.URL()+"/rest/recording/notifications", `{"notify":false,"url":"`+receiver.URL+`","email":"ops@acme.example"}`)
	_, body = call(t, "POST", m.URL()+"/_admin/recordings", `{"username":"temasys"}`)
	json.Unmarshal([]byte(body), &res)
	if res.S3.Status != recmock.OutcomeSkipped || res.Webhook.Status != recmock.OutcomeSkipped || res.Email.Status != recmock.OutcomeSkipped {
		t.Errorf("notify false: %s", body)
	}
	select {
	case b := <-bodies:
		t.Errorf("a webhook went out with notify false: %s", b)
	default:
	}
	if n := len(m.Sink.Messages()); n != 1 {
		t.Errorf("the sink holds %d messages, want only the first", n)
	}
}

// TestServeRecordingFile: --recording-file swaps the sample, and a file that is not an MP4
// is refused at start.
func TestServeRecordingFile(t *testing.T) {
	bad := t.TempDir() + "/notes.txt"
	os.WriteFile(bad, []byte("not a video"), 0o644)
	m := &Main{Config: serveConfig{Addr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", RecordingFile: bad}}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "--recording-file") {
		t.Errorf("a text file as --recording-file: %v", err)
	}
}

// TestStrictS3EndToEnd: in strict mode an account's known credentials upload, wrong ones
// fail the S3 channel alone, and accounts without S3 settings still reach the default
// bucket with recmock's own credentials.
func TestStrictS3EndToEnd(t *testing.T) {
	m, _ := startMain(t, serveConfig{S3Strict: true, S3Creds: map[string]string{"AKIAACME": "acme-secret"}, PresignTTL: time.Hour, WebhookTimeout: 5 * time.Second})
	m.S3.CreateBucket(context.Background(), "acme-recordings")
	trigger := func(settings string) recmock.RecordingResult {
		t.Helper()
		call(t, "PUT", m.URL()+"/_admin/settings/temasys", settings)
		_, body := call(t, "POST", m.URL()+"/_admin/recordings", `{"username":"temasys"}`)
		var res recmock.RecordingResult
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return res
	}
	arn := `"s3Arn":"arn:aws:s3:::acme-recordings/rec","s3AccessKeyId":"AKIAACME"`
	if res := trigger(`{"notify":true,"email":"a@b.com",` + arn + `,"s3SecretAccessKey":"acme-secret"}`); res.S3.Status != recmock.OutcomeOK {
		t.Errorf("known credentials: %+v", res.S3)
	}
	res := trigger(`{"notify":true,"email":"a@b.com",` + arn + `,"s3SecretAccessKey":"wrong"}`)
	if res.S3.Status != recmock.OutcomeFailed || !strings.Contains(res.S3.Message, "SignatureDoesNotMatch") || res.Email.Status != recmock.OutcomeOK {
		t.Errorf("wrong secret: s3 %+v, email %+v", res.S3, res.Email)
	}
	if res := trigger(`{"notify":true}`); res.S3.Status != recmock.OutcomeOK || res.S3.Bucket != server.DefaultBucket {
		t.Errorf("default bucket in strict mode: %+v", res.S3)
	}
}
