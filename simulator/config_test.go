package simulator_test

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/logbuf"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

func TestNew_InvalidConfig(t *testing.T) {
	tests := []struct {
		name     string
		cfg      simulator.Config
		contains string
	}{
		{"presign TTL over 7 days", simulator.Config{PresignTTL: 8 * 24 * time.Hour}, "PresignTTL"},
		{"negative timeout", simulator.Config{Timeout: -time.Second}, "must not be negative"},
		{"SMTP address without port", simulator.Config{SMTPAddr: "localhost"}, "want host:port"},
		{"From without address", simulator.Config{SMTPFrom: "recmock"}, "SMTPFrom"},
		{"S3 endpoint not a URL", simulator.Config{S3Endpoint: "127.0.0.1:9000"}, "S3Endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := simulator.New(tt.cfg)
			if !errors.Is(err, simulator.ErrConfig) || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("New: %v, want ErrConfig naming %s", err, tt.contains)
			}
		})
	}
	sim, err := simulator.New(simulator.Config{})
	if err != nil {
		t.Fatalf("the zero Config: %v", err)
	}
	sim.Close()
}

func TestReadRecording(t *testing.T) {
	dir := t.TempDir()
	notMP4 := filepath.Join(dir, "notes.txt")
	os.WriteFile(notMP4, []byte("hello, world"), 0o644)
	tests := []struct {
		path    string
		wantErr error
		wantLen int
	}{
		{"../testdata/sample.mp4", nil, len(recmock.SampleRecording())},
		{notMP4, simulator.ErrNotMP4, 0},
		{filepath.Join(dir, "missing.mp4"), os.ErrNotExist, 0},
	}
	for _, tt := range tests {
		b, err := simulator.ReadRecording(tt.path)
		if !errors.Is(err, tt.wantErr) || len(b) != tt.wantLen {
			t.Errorf("ReadRecording(%s) = %d bytes, %v; want %d bytes, %v", tt.path, len(b), err, tt.wantLen, tt.wantErr)
		}
	}
}

// TestSampleRecording checks the shipped MP4 is what an integrator can play: an ftyp box,
// then the moov atom before the media data, so playback starts before the download ends.
func TestSampleRecording(t *testing.T) {
	b := recmock.SampleRecording()
	var boxes []string
	for i := 0; i+8 <= len(b); {
		n := int(b[i])<<24 | int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
		boxes = append(boxes, string(b[i+4:i+8]))
		if n < 8 {
			break
		}
		i += n
	}
	got := strings.Join(boxes, " ")
	if !strings.HasPrefix(got, "ftyp moov") || !strings.Contains(got, "mdat") || len(b) > 100<<10 {
		t.Errorf("sample.mp4 boxes %q, %d bytes; want ftyp, moov before mdat, at most 100 KiB", got, len(b))
	}
}

// syncBuffer is shared by the package's tests.
type syncBuffer = logbuf.Buffer

// TestLogsKeepSecrets fails every channel with a logger at debug level: the log names the
// access key and shows the secret as ***.
func TestLogsKeepSecrets(t *testing.T) {
	fs3 := newS3(t, true, map[string]string{"AKIDGOOD": "good-secret"})
	var logs syncBuffer
	sim, _ := newSimulator(t, simulator.Config{
		S3Endpoint: fs3.URL(), SMTPAddr: closedAddr(t), Retries: -1,
		DefaultSecretKey: "default-very-secret",
		Logger:           slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	recv, _ := receiver(t, http.StatusInternalServerError)
	settings := recmock.Settings{
		Username: "temasys", Notify: true, URL: recv.URL, Email: []string{"ops@example.com"},
		S3: &recmock.S3Settings{ARN: "arn:aws:s3:::acme", AccessKeyID: "AKIDGOOD", SecretAccessKey: "wrong-but-secret"},
	}
	res, err := sim.NotifyRecording(t.Context(), recmock.DefaultAccount(), settings, recmock.RecordingOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	if res.S3.Status != "failed" || res.Webhook.Status != "failed" || res.Email.Status != "failed" {
		t.Fatalf("want every channel failed: %+v", res)
	}
	out := logs.String()
	for _, secret := range []string{"wrong-but-secret", "good-secret", "default-very-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"accessKeyId=AKIDGOOD", "secretAccessKey=***", "webhook delivery", "e-mail failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}
