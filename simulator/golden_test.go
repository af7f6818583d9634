package simulator_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/internal/golden"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

// goldenS3Host is the S3 endpoint the golden files name; a dialer sends it to the fake S3,
// whose port changes from run to run.
const goldenS3Host = "s3.golden.test:9000"

// TestGolden pins what goes over the wire, with a fixed seed and clock: the webhook body, the
// raw e-mail and the result the admin API answers. Refresh with go test -update.
func TestGolden(t *testing.T) {
	ctx := t.Context()
	fs3 := newS3(t, false, nil)
	sink := newSink(t)
	recv, got := receiver(t, http.StatusOK)
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == goldenS3Host {
				addr = fs3.Addr()
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(client.CloseIdleConnections)
	sim, _ := newSimulator(t, simulator.Config{
		S3Endpoint: "http://" + goldenS3Host,
		SMTPAddr:   sink.Addr(),
		HTTPClient: client,
		Rand:       rand.New(rand.NewPCG(42, 0)),
		Now:        fixedClock,
	})
	settings := recmock.Settings{
		Username: "temasys",
		Notify:   true,
		URL:      recv.URL + "/hooks/recording",
		Email:    []string{"ops@example.com", "qa@example.org"},
		S3:       &recmock.S3Settings{ARN: "arn:aws:s3:::acme-recordings/calls", AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI"},
	}
	res, err := sim.NotifyRecording(ctx, recmock.DefaultAccount(), settings, recmock.RecordingOverrides{RoomID: ptr("Réunion <weekly> & co")})
	if err != nil {
		t.Fatal(err)
	}
	if res.S3.Status != recmock.OutcomeOK {
		t.Fatalf("upload: %+v", res.S3)
	}

	reqs := received(got)
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	golden.Check(t, "webhook.json", reqs[0].body)

	msg, err := sink.Wait(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "email.eml", msg.Raw)
	// The subject is RFC 2047-encoded, and the sink decodes it back.
	if msg.Subject != "Recording ready: Réunion <weekly> & co" || !strings.Contains(string(msg.Raw), "Subject: =?utf-8?") {
		t.Errorf("subject %q; raw header not encoded", msg.Subject)
	}
	// The HTML part escapes the room; the text part does not need to.
	if !strings.Contains(msg.HTML, "Réunion &lt;weekly&gt; &amp; co") || !strings.Contains(msg.Text, "Réunion <weekly> & co") {
		t.Errorf("room not escaped for HTML, or mangled in text:\n%s\n%s", msg.HTML, msg.Text)
	}

	out, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "result.json", []byte(strings.ReplaceAll(string(out), recv.URL, "http://receiver.test")+"\n"))
}
