package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/internal/certs"
)

// TestIssueVerifies: a server certificate verifies against its authority for each name it
// was issued for, over a real handshake, and for no other.
func TestIssueVerifies(t *testing.T) {
	now := time.Now()
	ca, err := certs.NewAuthority("test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"localhost", "127.0.0.1", "::1", "recmock"}, now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "recmock"} {
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	var hostErr x509.HostnameError
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "other", Roots: pool}); !errors.As(err, &hostErr) {
		t.Errorf("verify for a name not issued: %v, want a HostnameError", err)
	}
	if !leaf.Leaf.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("the certificate ends %v, after its authority (%v)", leaf.Leaf.NotAfter, ca.Cert.NotAfter)
	}

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "recmock"})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	conn.Close()
}

// TestOpenSSLVerifies: OpenSSL, the TLS stack of curl and the aws CLI, accepts the chain.
func TestOpenSSLVerifies(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	ca, err := certs.NewAuthority("test CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Save(dir); err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"localhost"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leafFile := filepath.Join(dir, "leaf.pem")
	os.WriteFile(leafFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}), 0o644)
	out, err := exec.Command(openssl, "verify", "-CAfile", filepath.Join(dir, "ca.pem"), "-verify_hostname", "localhost", "-purpose", "sslserver", leafFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": OK") {
		t.Errorf("openssl verify: %v\n%s", err, out)
	}
}

// TestLoadOrNewAuthority: an authority is saved, loaded again while valid, and replaced when
// it is about to expire.
func TestLoadOrNewAuthority(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	a, made, err := certs.LoadOrNewAuthority(dir, "recmock CA", now)
	if err != nil || !made {
		t.Fatalf("first: made %t, %v", made, err)
	}
	b, made, err := certs.LoadOrNewAuthority(dir, "recmock CA", now.Add(time.Hour))
	if err != nil || made || !b.Cert.Equal(a.Cert) {
		t.Fatalf("second: made %t, same %t, %v", made, b.Cert.Equal(a.Cert), err)
	}
	c, made, err := certs.LoadOrNewAuthority(dir, "recmock CA", a.Cert.NotAfter.Add(-time.Hour))
	if err != nil || !made || c.Cert.Equal(a.Cert) {
		t.Fatalf("near expiry: made %t, %v", made, err)
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("not PEM"), 0o644)
	if _, _, err := certs.LoadOrNewAuthority(dir, "recmock CA", now); err == nil {
		t.Error("a damaged ca.pem was replaced silently; clients trusting the old one would break unawares")
	}
}

func TestHosts(t *testing.T) {
	host, _ := os.Hostname()
	got := certs.Hosts([]string{"0.0.0.0:8080", "[::]:9000", "10.1.2.3:9000", ":1025", "recmock.local:8080", "bad"}, []string{"recmock", "localhost"})
	want := []string{"localhost", "127.0.0.1", "::1", "10.1.2.3", "recmock.local", host, "recmock"}
	if host == "" {
		want = append(want[:5], want[6:]...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Hosts mismatch (-want +got):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	if s, err := certs.Load(certs.Options{}, time.Now()); err != nil || s.Config != nil {
		t.Errorf("zero Options: %+v, %v; want plain HTTP", s, err)
	}
	s, err := certs.Load(certs.Options{SelfSigned: true, Hosts: []string{"127.0.0.1"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(s.TempDir)
	if s.CAFile != filepath.Join(s.TempDir, "ca.pem") || s.Root == nil || !s.Root.IsCA || len(s.Config.Certificates) != 1 {
		t.Errorf("self-signed: %+v", s)
	}
	pool := x509.NewCertPool()
	if err := certs.AppendPEMFile(pool, s.CAFile); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Config.Certificates[0].Leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: pool}); err != nil {
		t.Errorf("the certificate does not verify against CAFile: %v", err)
	}
	if err := certs.AppendPEMFile(x509.NewCertPool(), filepath.Join(s.TempDir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
