package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/certs"
)

// certFiles writes a certificate for 127.0.0.1 and localhost with its chain, and its key.
func certFiles(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	ca, err := certs.NewAuthority("test CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"127.0.0.1", "localhost"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := certs.WriteKeyPair(certFile, keyFile, leaf); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServeSelfSignedStartup: serve --tls-self-signed prints https:// URLs for the API and
// the fake S3, the CA file to trust, and a curl line that uses it, and that line works.
func TestServeSelfSignedStartup(t *testing.T) {
	startup := startInProcess(t, freePorts(nil), "serve", "--tls-self-signed", "--tls-host", "recmock")
	caRE := regexp.MustCompile(`(?m)^  TLS        self-signed; trust (\S+/ca\.pem)   \(curl --cacert, AWS_CA_BUNDLE, --webhook-ca\)$`)
	m := caRE.FindStringSubmatch(startup)
	if m == nil {
		t.Fatalf("no TLS line:\n%s", startup)
	}
	base := serveURL(t, startup)
	for _, want := range []string{
		"  API        https://127.0.0.1:",
		"  fake S3    https://127.0.0.1:",
		"Try: curl --cacert " + m[1] + " -u demo-key:demo-secret " + base + "/rest/recording/notifications",
	} {
		if !strings.Contains(startup, want) {
			t.Errorf("startup lacks %q:\n%s", want, startup)
		}
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Errorf("the CA file: %v", err)
	}
}

// TestSimulateWebhookCA: simulate reaches an HTTPS receiver (recmock receive
// --tls-self-signed) with --webhook-ca naming the CA file receive printed, or with
// --webhook-insecure, which it warns about; without either, the summary names the unknown
// authority and says what fixes it.
func TestSimulateWebhookCA(t *testing.T) {
	url, out := startReceive(t, "--tls-self-signed")
	m := regexp.MustCompile(`(?m)^  TLS  self-signed; trust (\S+)   \(recmock simulate --webhook-ca \S+\)$`).FindStringSubmatch(out.String())
	if m == nil || !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("receive's startup:\n%s", out.String())
	}
	code, stdout, stderr := runRecmock(t, nil, "simulate", "--url", url, "--webhook-ca", m[1])
	if code != 0 || !strings.Contains(stdout, "succeeded   1\n") || stderr != "" {
		t.Errorf("with --webhook-ca: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runRecmock(t, nil, "simulate", "--url", url, "--webhook-insecure")
	if code != 0 || stderr != "recmock simulate: WARNING: --webhook-insecure: the certificates of HTTPS webhook receivers are not verified\n" {
		t.Errorf("with --webhook-insecure: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runRecmock(t, nil, "simulate", "--url", url, "--retries", "3")
	for _, want := range []string{
		"failed      1\n",
		"attempts    1\n", // a certificate failure is not retried
		"error       TLS unknown authority: x509: certificate signed by unknown authority",
		"hint        --webhook-ca FILE trusts the receiver's CA; --webhook-insecure skips the check\n",
	} {
		if code != 1 || !strings.Contains(stdout, want) {
			t.Errorf("without a CA: exit %d, stdout lacks %q:\n%s", code, want, stdout)
		}
	}
	if code, _, stderr := runRecmock(t, nil, "simulate", "--url", url, "--webhook-ca", "/nonexistent.pem"); code != 2 || !strings.Contains(stderr, "--webhook-ca: certs: open /nonexistent.pem: no such file or directory") {
		t.Errorf("a missing --webhook-ca: exit %d, %q", code, stderr)
	}
}
