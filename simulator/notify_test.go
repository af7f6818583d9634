package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/simulator"
)

// TestNotifyRecording_FullFlow runs the whole flow against the real fakes: the receiver gets a
// valid event whose retrievalUrl downloads the MP4 that the SDK finds under the ARN's prefix,
// and both addresses get the e-mail naming it.
func TestNotifyRecording_FullFlow(t *testing.T) {
	ctx := t.Context()
	fs3 := newS3(t, false, nil)
	sink := newSink(t)
	recv, got := receiver(t, http.StatusOK)
	sim, _ := newSimulator(t, simulator.Config{S3Endpoint: fs3.URL(), SMTPAddr: sink.Addr()})

	acct := recmock.DefaultAccount()
	settings := recmock.Settings{
		Username: acct.Username,
		Notify:   true,
		URL:      recv.URL + "/hooks/recording",
		Email:    []string{"ops@example.com", "qa@example.org"},
		S3: &recmock.S3Settings{
			ARN:             "arn:aws:s3:::acme-recordings/calls/2026",
			AccessKeyID:     "AKIDEXAMPLE",
			SecretAccessKey: "wJalrXUtnFEMI",
		},
	}
	res, err := sim.NotifyRecording(ctx, acct, settings, recmock.RecordingOverrides{RoomID: ptr("weekly-standup")})
	if err != nil {
		t.Fatalf("NotifyRecording: %v", err)
	}
	ev := res.Event
	key := "calls/2026/" + ev.MeetingID + ".mp4"
	sample := recmock.SampleRecording()

	wantStatus := map[string]string{"s3": "ok", "webhook": "ok", "email": "ok"}
	gotStatus := map[string]string{"s3": res.S3.Status, "webhook": res.Webhook.Status, "email": res.Email.Status}
	if diff := cmp.Diff(wantStatus, gotStatus); diff != "" {
		t.Fatalf("outcomes mismatch (-want +got):\n%s\nresult: %+v", diff, res)
	}
	if diff := cmp.Diff(recmock.S3Outcome{Outcome: recmock.Outcome{Status: "ok"}, Bucket: "acme-recordings", Key: key, Size: int64(len(sample))}, res.S3); diff != "" {
		t.Errorf("S3 outcome mismatch (-want +got):\n%s", diff)
	}

	// The receiver got one valid event, the one in the result.
	reqs := received(got)
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	if err := validator(t).ValidateSchema("RecordingCompletedEvent", reqs[0].body); err != nil {
		t.Errorf("webhook body does not match RecordingCompletedEvent: %v\n%s", err, reqs[0].body)
	}
	var sent recmock.RecordingEvent
	if err := json.Unmarshal(reqs[0].body, &sent); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ev, sent); diff != "" {
		t.Errorf("webhook event mismatch (-want +got):\n%s", diff)
	}
	wantHeader := map[string]string{"Content-Type": "application/json", "User-Agent": simulator.UserAgent()}
	gotHeader := map[string]string{"Content-Type": reqs[0].header.Get("Content-Type"), "User-Agent": reqs[0].header.Get("User-Agent")}
	if diff := cmp.Diff(wantHeader, gotHeader); diff != "" {
		t.Errorf("webhook headers mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(gotHeader["User-Agent"], "recmock/") || !strings.HasSuffix(gotHeader["User-Agent"], " (+https://github.com/recmock/recmock)") {
		t.Errorf("User-Agent = %q", gotHeader["User-Agent"])
	}

	// The retrievalUrl downloads the recording with plain net/http.
	resp, err := http.Get(ev.RetrievalURL)
	if err != nil {
		t.Fatalf("GET retrievalUrl: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, sample) {
		t.Errorf("GET retrievalUrl: status %d, %d bytes; want 200 and the %d-byte sample", resp.StatusCode, len(body), len(sample))
	}

	// The SDK finds it under the ARN's prefix.
	list, err := fs3.Client("AKIDEXAMPLE", "wJalrXUtnFEMI").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("acme-recordings"), Prefix: aws.String("calls/2026/")})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if diff := cmp.Diff([]string{key}, keys); diff != "" {
		t.Errorf("objects under the prefix mismatch (-want +got):\n%s", diff)
	}

	// Both addresses got the e-mail, naming the room and the retrievalUrl in both parts.
	msg, err := sink.Wait(ctx, nil)
	if err != nil {
		t.Fatalf("sink.Wait: %v", err)
	}
	wantMail := map[string]any{
		"to":        []string{"ops@example.com", "qa@example.org"},
		"subject":   "Recording ready: weekly-standup",
		"messageId": res.Email.MessageID,
		"text":      true,
		"html":      true,
		"parse":     "",
	}
	gotMail := map[string]any{
		"to":        msg.To,
		"subject":   msg.Subject,
		"messageId": strings.Join(msg.Headers["Message-Id"], ","),
		"text":      strings.Contains(msg.Text, ev.RetrievalURL) && strings.Contains(msg.Text, "weekly-standup"),
		// html/template escapes & as &amp; in the HTML source; the sink keeps the source.
		"html":  strings.Contains(msg.HTML, strings.ReplaceAll(ev.RetrievalURL, "&", "&amp;")) && strings.Contains(msg.HTML, "weekly-standup"),
		"parse": msg.ParseError,
	}
	if diff := cmp.Diff(wantMail, gotMail); diff != "" {
		t.Errorf("e-mail mismatch (-want +got):\n%s\ntext:\n%s\nhtml:\n%s", diff, msg.Text, msg.HTML)
	}
	if diff := cmp.Diff([]string{"ops@example.com", "qa@example.org"}, res.Email.Recipients); diff != "" {
		t.Errorf("e-mail recipients mismatch (-want +got):\n%s", diff)
	}

	// The delivery log has it, with its one attempt.
	dl := deliveries(t, sim)
	if len(dl.Items) != 1 || dl.Items[0].ID != res.Webhook.DeliveryID || dl.Items[0].Status != recmock.DeliveryOK || len(dl.Items[0].Attempts) != 1 {
		t.Errorf("Deliveries = %+v, want the one delivery %s", dl, res.Webhook.DeliveryID)
	}
}

// TestNotifyRecording_Skips checks which channels run for which settings.
func TestNotifyRecording_Skips(t *testing.T) {
	tests := []struct {
		name     string
		settings func(url string) recmock.Settings
		want     map[string]string // channel: status + " " + message
		requests int
		mails    int
		objects  int
	}{
		{
			name: "notify false sends nothing",
			settings: func(url string) recmock.Settings {
				return recmock.Settings{Notify: false, URL: url, Email: []string{"a@example.com"}}
			},
			want: map[string]string{"s3": "skipped notify is false", "webhook": "skipped notify is false", "email": "skipped notify is false"},
		},
		{
			name: "no url, no email: only the upload",
			settings: func(string) recmock.Settings {
				return recmock.Settings{Notify: true, Email: []string{}}
			},
			want:    map[string]string{"s3": "ok ", "webhook": "skipped no url is set", "email": "skipped no email is set"},
			objects: 1,
		},
		{
			name: "url only",
			settings: func(url string) recmock.Settings {
				return recmock.Settings{Notify: true, URL: url}
			},
			want:     map[string]string{"s3": "ok ", "webhook": "ok ", "email": "skipped no email is set"},
			requests: 1,
			objects:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			fs3 := newS3(t, false, nil)
			sink := newSink(t)
			recv, got := receiver(t, http.StatusOK)
			sim, _ := newSimulator(t, simulator.Config{S3Endpoint: fs3.URL(), SMTPAddr: sink.Addr()})
			res, err := sim.NotifyRecording(ctx, recmock.DefaultAccount(), tt.settings(recv.URL), recmock.RecordingOverrides{})
			if err != nil {
				t.Fatalf("NotifyRecording: %v", err)
			}
			gotStatus := map[string]string{
				"s3":      res.S3.Status + " " + res.S3.Message,
				"webhook": res.Webhook.Status + " " + res.Webhook.Message,
				"email":   res.Email.Status + " " + res.Email.Message,
			}
			if diff := cmp.Diff(tt.want, gotStatus); diff != "" {
				t.Errorf("outcomes mismatch (-want +got):\n%s", diff)
			}
			objs, err := fs3.Objects(ctx)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{"requests": len(received(got)), "mails": len(sink.Messages()), "objects": len(objs)}
			if diff := cmp.Diff(map[string]int{"requests": tt.requests, "mails": tt.mails, "objects": tt.objects}, counts); diff != "" {
				t.Errorf("what was sent mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotifyRecording_ChannelFailures checks that a failing channel is reported on its own
// and the others still go out.
func TestNotifyRecording_ChannelFailures(t *testing.T) {
	const goodKey, goodSecret = "AKIDGOOD", "good-secret"
	tests := []struct {
		name       string
		strictS3   bool
		s3         *recmock.S3Settings
		closedSMTP bool
		closedURL  bool
		want       map[string]string // channel: status
		wantMsg    map[string]string // channel: a substring of its message
	}{
		{
			name:     "strict S3, wrong credentials",
			strictS3: true,
			s3:       &recmock.S3Settings{ARN: "arn:aws:s3:::acme-recordings/calls", AccessKeyID: "AKIDWRONG", SecretAccessKey: "wrong-secret"},
			want:     map[string]string{"s3": "failed", "webhook": "ok", "email": "ok"},
			wantMsg:  map[string]string{"s3": `access key "AKIDWRONG"`, "webhook": "points at a missing object", "email": "points at a missing object"},
		},
		{
			name:     "strict S3, bucket missing",
			strictS3: true,
			s3:       &recmock.S3Settings{ARN: "arn:aws:s3:::no-such-bucket", AccessKeyID: goodKey, SecretAccessKey: goodSecret},
			want:     map[string]string{"s3": "failed", "webhook": "ok", "email": "ok"},
			wantMsg:  map[string]string{"s3": `bucket "no-such-bucket" does not exist`},
		},
		{
			name:     "strict S3, default bucket is created",
			strictS3: true,
			want:     map[string]string{"s3": "ok", "webhook": "ok", "email": "ok"},
		},
		{
			name:       "SMTP refused",
			closedSMTP: true,
			want:       map[string]string{"s3": "ok", "webhook": "ok", "email": "failed"},
			wantMsg:    map[string]string{"email": "connection refused"},
		},
		{
			name:      "receiver down",
			closedURL: true,
			want:      map[string]string{"s3": "ok", "webhook": "failed", "email": "ok"},
			wantMsg:   map[string]string{"webhook": "no answer after 4 attempts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			creds := map[string]string{goodKey: goodSecret, "recmock-default": "default-secret"}
			fs3 := newS3(t, tt.strictS3, creds)
			if err := fs3.CreateBucket(ctx, "acme-recordings"); err != nil {
				t.Fatal(err)
			}
			sink := newSink(t)
			smtpAddr := sink.Addr()
			if tt.closedSMTP {
				smtpAddr = closedAddr(t)
			}
			recv, got := receiver(t, http.StatusOK)
			url := recv.URL
			if tt.closedURL {
				url = "http://" + closedAddr(t) + "/hook"
			}
			sim, _ := newSimulator(t, simulator.Config{
				S3Endpoint: fs3.URL(), SMTPAddr: smtpAddr,
				DefaultAccessKey: "recmock-default", DefaultSecretKey: "default-secret",
			})
			settings := recmock.Settings{Notify: true, URL: url, Email: []string{"ops@example.com"}, S3: tt.s3}
			res, err := sim.NotifyRecording(ctx, recmock.DefaultAccount(), settings, recmock.RecordingOverrides{})
			if err != nil {
				t.Fatalf("NotifyRecording: %v", err)
			}
			gotStatus := map[string]string{"s3": res.S3.Status, "webhook": res.Webhook.Status, "email": res.Email.Status}
			if diff := cmp.Diff(tt.want, gotStatus); diff != "" {
				t.Errorf("outcomes mismatch (-want +got):\n%s\nresult: %+v", diff, res)
			}
			msgs := map[string]string{"s3": res.S3.Message, "webhook": res.Webhook.Message, "email": res.Email.Message}
			for ch, sub := range tt.wantMsg {
				if !strings.Contains(msgs[ch], sub) {
					t.Errorf("%s message = %q, want it to contain %q", ch, msgs[ch], sub)
				}
			}
			for ch, m := range msgs {
				if strings.Contains(m, "wrong-secret") || strings.Contains(m, goodSecret) {
					t.Errorf("%s message %q shows a secret", ch, m)
				}
			}
			// The other channels really went out.
			if res.Webhook.Status == recmock.OutcomeOK && len(received(got)) != 1 {
				t.Errorf("webhook ok but the receiver got no request")
			}
			if res.Email.Status == recmock.OutcomeOK {
				if _, err := sink.Wait(ctx, func(m smtpsink.Message) bool { return m.Headers["X-Recmock-Meeting-Id"][0] == res.Event.MeetingID }); err != nil {
					t.Errorf("e-mail ok but not in the sink: %v", err)
				}
			}
			// Whatever happened to the upload, the retrievalUrl is a presigned S3 URL.
			if !strings.HasPrefix(res.Event.RetrievalURL, fs3.URL()+"/") || !strings.Contains(res.Event.RetrievalURL, "X-Amz-Signature=") {
				t.Errorf("retrievalUrl %q is not presigned for %s", res.Event.RetrievalURL, fs3.URL())
			}
		})
	}
}

// TestNotifyRecording_InvalidOverrides checks that overrides that make no valid event are an
// error naming the field, and nothing is sent.
func TestNotifyRecording_InvalidOverrides(t *testing.T) {
	recv, got := receiver(t, http.StatusOK)
	sim, _ := newSimulator(t, simulator.Config{S3Endpoint: "http://" + closedAddr(t)})
	_, err := sim.NotifyRecording(t.Context(), recmock.DefaultAccount(),
		recmock.Settings{Notify: true, URL: recv.URL}, recmock.RecordingOverrides{Participants: ptr(0)})
	var e *recmock.Error
	if !errors.As(err, &e) || e.Code != recmock.CodeInvalid {
		t.Fatalf("err = %v, want a CodeInvalid *recmock.Error", err)
	}
	if diff := cmp.Diff([]recmock.FieldError{{Field: "participants", Message: "must be between 1 and 10000"}}, e.Fields); diff != "" {
		t.Errorf("fields mismatch (-want +got):\n%s", diff)
	}
	if n := len(received(got)); n != 0 {
		t.Errorf("receiver got %d requests, want none", n)
	}
}

var _ = context.Background
