package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/certs"
	"github.com/recmock/recmock/receiver"
	"github.com/recmock/recmock/server"
)

// startTLS starts a server and returns it with an HTTP client that trusts only what a user
// would be told to trust: the CA file it wrote, or caPEM.
func startTLS(t *testing.T, cfg server.Config, caPEM []byte) (*server.Server, *http.Client) {
	t.Helper()
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	if caPEM == nil {
		if caPEM, err = os.ReadFile(srv.CAFile()); err != nil {
			t.Fatalf("the CA file serve names: %v", err)
		}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("no certificate in the CA PEM")
	}
	return srv, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func fetch(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func mustSend(t *testing.T, c *http.Client, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	return string(b)
}

// s3Client is the AWS SDK's client for the fake S3, through c.
func s3Client(srv *server.Server, c *http.Client) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.S3.URL()),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient:   c,
	})
}

// TestSelfSigned: the API and the fake S3 answer over HTTPS to net/http and the AWS SDK that
// trust the CA file serve wrote, and nothing else is trusted by default.
func TestSelfSigned(t *testing.T) {
	srv, client := startTLS(t, server.Config{TLSSelfSigned: true, TLSHosts: []string{"recmock.test"}}, nil)
	for _, u := range []string{srv.URL(), srv.S3.URL()} {
		if !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Errorf("URL %s, want https://127.0.0.1:port", u)
		}
	}
	if code, body := fetch(t, client, srv.URL()+"/_admin/health"); code != 200 || body != `{"status":"ok"}`+"\n" {
		t.Errorf("health over TLS: %d %q", code, body)
	}
	if _, err := http.Get(srv.URL() + "/_admin/health"); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("a client with the system's roots only: %v, want unknown authority", err)
	}

	c := s3Client(srv, client)
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("rec"), Key: aws.String("a"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject over TLS: %v", err)
	}
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("rec"), Key: aws.String("a")})
	if err != nil {
		t.Fatalf("GetObject over TLS: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "x" {
		t.Errorf("GetObject = %q", b)
	}

	// The dashboard, now at an https:// origin, may still use the fake S3; its http://
	// twin is another origin.
	for origin, want := range map[string]int{srv.URL(): http.StatusOK, strings.Replace(srv.URL(), "https", "http", 1): http.StatusForbidden} {
		req, _ := http.NewRequest("OPTIONS", srv.S3.URL()+"/"+server.DefaultBucket+"/k", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("S3 preflight from %s: %d, want %d", origin, res.StatusCode, want)
		}
	}

	leaf := peerCertificate(t, client, srv.URL())
	for _, name := range []string{"localhost", "recmock.test"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("the certificate does not cover %s: %v", name, err)
		}
	}
	if err := leaf.VerifyHostname("::1"); err != nil {
		t.Errorf("the certificate does not cover ::1: %v", err)
	}
	dir := filepath.Dir(srv.CAFile())
	srv.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary CA directory %s outlived Close: %v", dir, err)
	}
}

func peerCertificate(t *testing.T, c *http.Client, url string) *x509.Certificate {
	t.Helper()
	res, err := c.Get(url + "/_admin/health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.TLS.PeerCertificates[0]
}

// TestSelfSignedKeptInDataDir: with a data dir, a restart signs with the same authority, so
// clients that trust it need nothing new.
func TestSelfSignedKeptInDataDir(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startTLS(t, server.Config{TLSSelfSigned: true, DataDir: dir}, nil)
	first, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	if srv.CAFile() != filepath.Join(dir, "tls", "ca.pem") {
		t.Errorf("CAFile %s, want in the data dir", srv.CAFile())
	}
	if fi, err := os.Stat(filepath.Join(dir, "tls", "ca-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("ca-key.pem: %v %v, want mode 0600", fi.Mode(), err)
	}
	srv.Close()
	srv2, client := startTLS(t, server.Config{TLSSelfSigned: true, DataDir: dir}, first)
	if code, _ := fetch(t, client, srv2.URL()+"/_admin/health"); code != 200 {
		t.Errorf("health after restart: %d", code)
	}
}

// testCertFiles writes a certificate for 127.0.0.1 from a new authority, and returns the
// files and the authority's PEM.
func testCertFiles(t *testing.T) (certFile, keyFile string, caPEM []byte) {
	t.Helper()
	ca, err := certs.NewAuthority("test CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := certs.WriteKeyPair(certFile, keyFile, leaf); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, ca.CertPEM()
}

// TestCertFilesAndHTTPSWebhook: with certificate files the whole recording flow runs over
// HTTPS: the simulator uploads to the fake S3 it serves, POSTs to an HTTPS receiver it
// trusts through WebhookCAFile, and the retrievalUrl downloads over https://. Without the
// receiver's CA, the webhook fails naming the unknown authority.
func TestCertFilesAndHTTPSWebhook(t *testing.T) {
	certFile, keyFile, caPEM := testCertFiles(t)
	recvCert, recvKey, recvCA := testCertFiles(t)
	pair, err := tls.LoadX509KeyPair(recvCert, recvKey)
	if err != nil {
		t.Fatal(err)
	}
	recv, err := receiver.NewServer(receiver.Config{TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}}})
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	caFile := filepath.Join(t.TempDir(), "receiver-ca.pem")
	os.WriteFile(caFile, recvCA, 0o644)

	for _, tt := range []struct {
		name, webhookCA, want string
	}{
		{"receiver's CA trusted", caFile, "ok"},
		{"receiver's CA unknown", "", "failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := startTLS(t, server.Config{TLSCertFile: certFile, TLSKeyFile: keyFile, WebhookCAFile: tt.webhookCA}, caPEM)
			mustSend(t, client, "PUT", srv.URL()+"/_admin/settings/temasys", `{"notify":true,"url":"`+recv.URL()+`/hooks/recording"}`)
			var res recmock.RecordingResult
			if err := json.Unmarshal([]byte(mustSend(t, client, "POST", srv.URL()+"/_admin/recordings", `{"username":"temasys"}`)), &res); err != nil {
				t.Fatal(err)
			}
			if res.S3.Status != recmock.OutcomeOK || res.Webhook.Status != tt.want {
				t.Fatalf("s3 %s %q, webhook %s %q; want ok and %s", res.S3.Status, res.S3.Message, res.Webhook.Status, res.Webhook.Message, tt.want)
			}
			if tt.want == "failed" {
				if !strings.Contains(res.Webhook.Message, "TLS unknown authority: x509: certificate signed by unknown authority") {
					t.Errorf("webhook message %q does not name the unknown authority", res.Webhook.Message)
				}
				return
			}
			if !strings.HasPrefix(res.Event.RetrievalURL, srv.S3.URL()+"/") || !strings.HasPrefix(srv.S3.URL(), "https://") {
				t.Errorf("retrievalUrl %s, want on %s over https", res.Event.RetrievalURL, srv.S3.URL())
			}
			if code, body := fetch(t, client, res.Event.RetrievalURL); code != 200 || !bytes.Equal([]byte(body), recmock.SampleRecording()) {
				t.Errorf("retrievalUrl: %d, %d bytes", code, len(body))
			}
		})
	}
}

// TestCurlTrustsTheCAFile: curl, a client with its own TLS stack, accepts the self-signed
// authority as serve tells users to pass it.
func TestCurlTrustsTheCAFile(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	srv, _ := startTLS(t, server.Config{TLSSelfSigned: true}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, "-sS", "--cacert", srv.CAFile(), strings.Replace(srv.URL(), "127.0.0.1", "localhost", 1)+"/_admin/health").CombinedOutput()
	if err != nil || string(out) != `{"status":"ok"}`+"\n" {
		t.Errorf("curl --cacert: %v\n%s", err, out)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	certFile, keyFile, _ := testCertFiles(t)
	for _, cfg := range []server.Config{
		{TLSSelfSigned: true, TLSCertFile: certFile, TLSKeyFile: keyFile},
		{TLSCertFile: certFile},
		{TLSKeyFile: keyFile},
	} {
		if _, err := server.Start(cfg); !errors.Is(err, certs.ErrOptions) {
			t.Errorf("Start(%+v): %v, want ErrOptions", cfg, err)
		}
	}
	if _, err := server.Start(server.Config{WebhookCAFile: keyFile}); !errors.Is(err, certs.ErrNoCertificate) {
		t.Errorf("a webhook CA file without a certificate: %v", err)
	}
}
