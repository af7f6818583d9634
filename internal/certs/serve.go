package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrOptions is wrapped by the errors of Options that cannot work together.
var ErrOptions = errors.New("certs: invalid TLS options")

// Options say what a server serves HTTPS with: certificate files, or a certificate issued by
// an authority of recmock's own. The zero value is plain HTTP.
type Options struct {
	// CertFile and KeyFile are a PEM certificate (with its chain, if any) and its key.
	CertFile, KeyFile string
	// SelfSigned issues a certificate for Hosts.
	SelfSigned bool
	// Hosts are the names and addresses the self-signed certificate covers.
	Hosts []string
	// Dir keeps the self-signed authority (ca.pem, ca-key.pem), reused while it is valid so
	// clients that trust it go on trusting it. Default "": a new temporary directory, which
	// the caller removes (Served.TempDir).
	Dir string
}

// Served is what a server serves HTTPS with.
type Served struct {
	// Config holds the certificate; nil for plain HTTP.
	Config *tls.Config
	// Root is what a client trusts to reach the server: the self-signed authority, or the
	// last certificate of CertFile, the closest to a root it holds.
	Root *x509.Certificate
	// CAFile is the self-signed authority's PEM certificate file, for clients (curl
	// --cacert); "" for certificate files.
	CAFile string
	// TempDir is the temporary directory holding CAFile, to remove once the server is done.
	TempDir string
}

// Load loads or issues the certificate o asks for.
func Load(o Options, now time.Time) (Served, error) {
	switch {
	case o.SelfSigned && (o.CertFile != "" || o.KeyFile != ""):
		return Served{}, fmt.Errorf("%w: a self-signed certificate or a certificate file, not both", ErrOptions)
	case (o.CertFile == "") != (o.KeyFile == ""):
		return Served{}, fmt.Errorf("%w: a certificate file needs its key file, and a key file its certificate", ErrOptions)
	case o.CertFile != "":
		pair, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return Served{}, fmt.Errorf("certs: %w", err)
		}
		root, err := x509.ParseCertificate(pair.Certificate[len(pair.Certificate)-1])
		if err != nil {
			return Served{}, fmt.Errorf("certs: %s: %w", o.CertFile, err)
		}
		return Served{Config: serverConfig(pair), Root: root}, nil
	case !o.SelfSigned:
		return Served{}, nil
	}
	var (
		s   Served
		ca  *Authority
		err error
	)
	if o.Dir != "" {
		ca, _, err = LoadOrNewAuthority(o.Dir, "recmock CA", now)
	} else if s.TempDir, err = os.MkdirTemp("", "recmock-tls-"); err == nil {
		o.Dir = s.TempDir
		if ca, err = NewAuthority("recmock CA", now, AuthorityValidity); err == nil {
			err = ca.Save(o.Dir)
		}
	}
	if err == nil {
		var leaf tls.Certificate
		if leaf, err = ca.Issue(o.Hosts, now, ServerValidity); err == nil {
			s.Config, s.Root, s.CAFile = serverConfig(leaf), ca.Cert, filepath.Join(o.Dir, "ca.pem")
			return s, nil
		}
	}
	if s.TempDir != "" {
		os.RemoveAll(s.TempDir)
	}
	return Served{}, fmt.Errorf("certs: self-signed certificate: %w", err)
}

func serverConfig(c tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
}
