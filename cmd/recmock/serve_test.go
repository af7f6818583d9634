package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/smtp"
	"regexp"
	"strings"
	"testing"

	"github.com/recmock/recmock/server"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// startMain runs serve in-process on free ports and returns it with its startup lines.
func startMain(t *testing.T, cfg serveConfig) (*Main, string) {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr, cfg.SMTPAddr, cfg.S3Addr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	}
	var out bytes.Buffer
	m := &Main{Config: cfg, Out: &out}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m, out.String()
}

// TestServeWiresTheFakes: serve starts all three listeners, prints them, mounts the sink's
// API, and /_admin/reset empties the sink and the fake S3 too.
func TestServeWiresTheFakes(t *testing.T) {
	m, startup := startMain(t, serveConfig{})
	smtpAddr := regexp.MustCompile(`SMTP sink  (\S+)`).FindStringSubmatch(startup)
	s3URL := regexp.MustCompile(`fake S3    (\S+)`).FindStringSubmatch(startup)
	if smtpAddr == nil || s3URL == nil {
		t.Fatalf("startup lines lack the SMTP or S3 address:\n%s", startup)
	}
	if smtpAddr[1] != m.Sink.Addr() || s3URL[1] != m.S3.URL() {
		t.Errorf("printed %s and %s, listening on %s and %s", smtpAddr[1], s3URL[1], m.Sink.Addr(), m.S3.URL())
	}

	msg := "From: a@b.com\r\nTo: c@d.com\r\nSubject: wired\r\n\r\nhello\r\n"
	if err := smtp.SendMail(smtpAddr[1], nil, "a@b.com", []string{"c@d.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	client := m.S3.Client("any-key", "any-secret")
	ctx := context.Background()
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rec"), Key: aws.String("a.mp4"), Body: strings.NewReader("mp4")}); err != nil {
		t.Fatal(err)
	}

	status, body := call(t, "GET", m.URL()+"/_admin/emails", "")
	var list struct {
		Total int
		Items []struct{ Subject string }
	}
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || list.Total != 1 || list.Items[0].Subject != "wired" {
		t.Fatalf("GET /_admin/emails: %d %s", status, body)
	}

	status, body = call(t, "GET", m.URL()+"/_admin/objects", "")
	if status != 200 || !strings.Contains(body, `"key":"a.mp4"`) {
		t.Errorf("GET /_admin/objects: %d %s", status, body)
	}
	if status, body := call(t, "GET", m.URL()+"/_admin/objects/download?bucket=rec&key=a.mp4", ""); status != 200 || body != "mp4" {
		t.Errorf("download: %d %q", status, body)
	}

	if status, body := call(t, "POST", m.URL()+"/_admin/reset", ""); status != 200 {
		t.Fatalf("reset: %d %s", status, body)
	}
	if n := len(m.Sink.Messages()); n != 0 {
		t.Errorf("after reset the sink holds %d messages", n)
	}
	objs, err := m.S3.Objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Errorf("after reset the fake S3 holds %v", objs)
	}
	// The default bucket is back, so recordings of accounts without S3 settings still land.
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(server.DefaultBucket)}); err != nil {
		t.Errorf("default bucket after reset: %v", err)
	}
}

// TestServeStrictS3Credentials: strict mode always knows recmock's own key (the default
// bucket's) and prints it; the user's secrets are never printed.
func TestServeStrictS3Credentials(t *testing.T) {
	m, startup := startMain(t, serveConfig{S3Strict: true, S3Creds: map[string]string{"AK": "SK-never-printed"}})
	if !strings.Contains(startup, "strict: SigV4 from recmock:recmock-secret (bucket "+server.DefaultBucket+" only) or the 1 --s3-credentials key(s)") || strings.Contains(startup, "SK-never-printed") {
		t.Errorf("startup lines:\n%s", startup)
	}
	ctx := context.Background()
	for key, secret := range map[string]string{"recmock": "recmock-secret", "AK": "SK-never-printed"} {
		if _, err := m.S3.Client(key, secret).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(server.DefaultBucket)}); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	if _, err := m.S3.Client("AK", "wrong").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(server.DefaultBucket)}); err == nil {
		t.Error("a wrong secret passed strict mode")
	}
}

// TestServeAdminTokenAndHostsFromEnv: RECMOCK_ADMIN_TOKEN protects the admin API on loopback
// too and is never printed; RECMOCK_ALLOWED_HOSTS lets its names through the Host check,
// which refuses any other name.
func TestServeAdminTokenAndHostsFromEnv(t *testing.T) {
	const token = "env-token-0123456789abcdef"
	startup := startInProcess(t, freePorts(map[string]string{
		"RECMOCK_ADMIN_TOKEN":   token,
		"RECMOCK_ALLOWED_HOSTS": "recmock.test, .team.example",
	}), "serve")
	if strings.Contains(startup, token) {
		t.Errorf("the startup lines print the given token:\n%s", startup)
	}
	if !strings.Contains(startup, "(needs Authorization: Bearer TOKEN, your --admin-token)") {
		t.Errorf("the startup lines do not say the admin API needs the token:\n%s", startup)
	}
	base := apiRE.FindStringSubmatch(startup)[1]
	for _, c := range []struct {
		host, token string
		status      int
	}{
		{"", "", 401},
		{"", token, 200},
		{"recmock.test", token, 200},
		{"ci.team.example:8080", token, 200},
		{"evil.example", token, 403},
	} {
		req, err := http.NewRequest("GET", base+"/_admin/settings", nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.host != "" {
			req.Host = c.host
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("Host %q, token %q: %d, want %d", c.host, c.token, res.StatusCode, c.status)
		}
	}
}

// TestServeRefusesBadTokenOrHost: a token too short to guard anything, or a URL given as a
// host name, stops serve before it listens, saying why.
func TestServeRefusesBadTokenOrHost(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--admin-token", "short"}, "at least 16"},
		{[]string{"--allowed-host", "http://recmock.test"}, "without a scheme"},
	} {
		var stdout, stderr syncBuffer
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--smtp-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0"}, c.args...)
		code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" })
		if code == 0 || !strings.Contains(stderr.String(), c.want) || strings.Contains(stderr.String(), "short\"") {
			t.Errorf("%q: exit %d, stderr %q; want a failure saying %q", c.args, code, stderr.String(), c.want)
		}
	}
}
