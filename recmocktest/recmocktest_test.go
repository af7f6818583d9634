package recmocktest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/recmocktest"
	"github.com/recmock/recmock/server"
)

// receiver is a webhook receiver under test: it hands every event it gets to the test.
func receiver(t *testing.T, status int) (string, <-chan recmock.RecordingEvent) {
	t.Helper()
	events := make(chan recmock.RecordingEvent, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev recmock.RecordingEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		events <- ev
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, events
}

func TestEnv(t *testing.T) {
	env := recmocktest.New(t, recmocktest.WithSeed(7))
	url, events := receiver(t, http.StatusOK)
	got := env.SetSettings(t, `{"notify":true,"url":"`+url+`","email":"ops@acme.example","s3Arn":"arn:aws:s3:::acme/rec","s3AccessKeyId":"AK","s3SecretAccessKey":"SK"}`)
	if got.Username != "temasys" || got.Email[0] != "ops@acme.example" || got.S3 == nil || got.S3.SecretAccessKey != "SK" {
		t.Errorf("settings %+v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := env.Recording(ctx, recmock.RecordingOverrides{RoomID: aws.String("retro")})
	if err != nil {
		t.Fatal(err)
	}
	ev := <-events
	if ev.RoomID != "retro" || ev.MeetingID != res.Event.MeetingID {
		t.Errorf("receiver got %+v, result %+v", ev, res.Event)
	}
	msg, err := env.Inbox.Wait(ctx, func(m smtpsink.Message) bool { return strings.Contains(m.Subject, "retro") })
	if err != nil || !strings.Contains(msg.Text, ev.RetrievalURL) {
		t.Errorf("e-mail %v: %+v", err, msg)
	}
	out, err := env.S3Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acme"), Key: aws.String("rec/" + ev.MeetingID + ".mp4")})
	if err != nil {
		t.Fatal(err)
	}
	mp4, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if len(mp4) != len(recmock.SampleRecording()) {
		t.Errorf("object has %d bytes", len(mp4))
	}
	if d, err := env.Deliveries(ctx); err != nil || len(d) != 1 || d[0].Status != recmock.DeliveryOK {
		t.Errorf("deliveries %+v, %v", d, err)
	}
	resp, err := env.Client().Get(env.URL + "/rest/recording/notifications")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("Client() GET: %d", resp.StatusCode)
	}
}

func TestEnvOptions(t *testing.T) {
	acct := recmock.Account{Username: "acme", APIKey: "acme-key", Secret: "acme-secret"}
	env := recmocktest.New(t, recmocktest.WithAccount(acct), recmocktest.WithStrictS3(map[string]string{"AK": "SK"}))
	if env.Account != acct {
		t.Errorf("Account %+v", env.Account)
	}
	env.S3.CreateBucket(context.Background(), "acme")
	env.SetSettings(t, `{"notify":true,"s3Arn":"arn:aws:s3:::acme","s3AccessKeyId":"AK","s3SecretAccessKey":"not-SK"}`)
	res, err := env.Recording(context.Background(), recmock.RecordingOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	if res.S3.Status != recmock.OutcomeFailed {
		t.Errorf("wrong secret in strict mode: %+v", res.S3)
	}
	if _, err := env.Recording(context.Background(), recmock.RecordingOverrides{Participants: aws.Int(0)}); err == nil || !strings.Contains(err.Error(), "participants") {
		t.Errorf("invalid override: %v", err)
	}
}

// TestEnvsAreIndependent: tests can run side by side, each with its own world.
func TestEnvsAreIndependent(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			env := recmocktest.New(t)
			url, events := receiver(t, http.StatusOK)
			env.SetSettings(t, `{"notify":true,"url":"`+url+`"}`)
			room := fmt.Sprint("room-", i)
			if _, err := env.Recording(context.Background(), recmock.RecordingOverrides{RoomID: &room}); err != nil {
				t.Fatal(err)
			}
			if ev := <-events; ev.RoomID != room {
				t.Errorf("got room %q", ev.RoomID)
			}
			if d, err := env.Deliveries(context.Background()); err != nil || len(d) != 1 {
				t.Errorf("%d deliveries (%v), want only this test's", len(d), err)
			}
		})
	}
}

// BenchmarkNew measures what a test pays for its own Env.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		env, err := recmocktest.Start()
		if err != nil {
			b.Fatal(err)
		}
		env.Close()
	}
}

// TestWithRequiredToken: the helpers keep working when the configuration asks for the admin
// token, which a client without it does not get past.
func TestWithRequiredToken(t *testing.T) {
	env := recmocktest.New(t, recmocktest.WithConfig(func(c *server.Config) { c.RequireToken = true }))
	if got := env.SetSettings(t, `{"notify":false}`); got.Notify {
		t.Errorf("settings %+v", got)
	}
	res, err := http.Get(env.URL + "/_admin/settings")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /_admin/settings without the token: %d", res.StatusCode)
	}
}
