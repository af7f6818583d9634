package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"time"

	"github.com/recmock/recmock/internal/certs"
)

// serverTLS is what Start serves HTTPS with and what the simulator trusts.
type serverTLS struct {
	certs.Served
	// trust holds what the simulator trusts: the system's roots, the served certificate's
	// root (so it can upload to the fake S3 it presigns for) and WebhookCAFile's; nil when
	// that is the system's roots alone, which Go then loads on the first HTTPS request
	// rather than at start.
	trust *x509.CertPool
}

// setupTLS loads or issues the served certificate and builds the simulator's trust.
func setupTLS(cfg Config) (serverTLS, error) {
	var st serverTLS
	if cfg.WebhookCAFile != "" {
		st.trust = certs.SystemPool()
		if err := certs.AppendPEMFile(st.trust, cfg.WebhookCAFile); err != nil {
			return st, fmt.Errorf("webhook CA: %w", err)
		}
	}
	o := certs.Options{
		CertFile:   cfg.TLSCertFile,
		KeyFile:    cfg.TLSKeyFile,
		SelfSigned: cfg.TLSSelfSigned,
		Hosts:      certs.Hosts([]string{cfg.Addr, cfg.S3Addr}, cfg.TLSHosts),
	}
	if cfg.DataDir != "" {
		o.Dir = filepath.Join(cfg.DataDir, "tls")
	}
	served, err := certs.Load(o, time.Now())
	if err != nil {
		return st, fmt.Errorf("TLS: %w", err)
	}
	st.Served = served
	if served.Root != nil {
		if st.trust == nil {
			st.trust = certs.SystemPool()
		}
		st.trust.AddCert(served.Root)
	}
	return st, nil
}

// simulatorTLS is the simulator's client configuration.
func (st serverTLS) simulatorTLS(cfg Config) *tls.Config {
	if st.trust == nil && !cfg.WebhookInsecure {
		return nil // Go's own defaults
	}
	return &tls.Config{RootCAs: st.trust, InsecureSkipVerify: cfg.WebhookInsecure, MinVersion: tls.VersionTLS12}
}
