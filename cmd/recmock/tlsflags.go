package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"

	"github.com/recmock/recmock/internal/certs"
)

// tlsFlags are the HTTPS flags of the commands that serve: serve and receive.
type tlsFlags struct {
	Cert, Key  string
	SelfSigned bool
	Hosts      []string
}

func (t *tlsFlags) flags(fs *flag.FlagSet, what string) {
	fs.StringVar(&t.Cert, "tls-cert", "", "serve "+what+" over HTTPS with this PEM certificate `file` (with its chain, if any); needs --tls-key")
	fs.StringVar(&t.Key, "tls-key", "", "the PEM private key `file` of --tls-cert")
	fs.BoolVar(&t.SelfSigned, "tls-self-signed", false, "serve "+what+" over HTTPS with a certificate recmock issues for localhost, 127.0.0.1, ::1, the listen host, this machine's name and --tls-host; startup names the CA file to trust")
	repeatable(fs, "tls-host", "tls-hosts", "another `name` the --tls-self-signed certificate covers, such as a compose service name (repeatable)", func(s string) error {
		t.Hosts = append(t.Hosts, s)
		return nil
	})
}

// webhookTLS are the flags of the commands that send webhooks: serve and simulate.
type webhookTLS struct {
	CA       string
	Insecure bool
}

func (w *webhookTLS) flags(fs *flag.FlagSet) {
	fs.StringVar(&w.CA, "webhook-ca", "", "trust the PEM certificates in this `file`, besides the system's, for HTTPS webhook receivers")
	fs.BoolVar(&w.Insecure, "webhook-insecure", false, "do not verify the certificates of HTTPS webhook receivers (insecure; for trying things out)")
}

// config is the client configuration the flags ask for: nil when they ask for nothing.
func (w webhookTLS) config() (*tls.Config, error) {
	if w.CA == "" && !w.Insecure {
		return nil, nil
	}
	c := &tls.Config{InsecureSkipVerify: w.Insecure, MinVersion: tls.VersionTLS12}
	if w.CA != "" {
		c.RootCAs = certs.SystemPool()
		if err := certs.AppendPEMFile(c.RootCAs, w.CA); err != nil {
			return nil, fmt.Errorf("--webhook-ca: %w", err)
		}
	}
	return c, nil
}

// warnInsecure says once, on standard error, that certificates go unchecked.
func (w webhookTLS) warnInsecure(stderr io.Writer, cmd string) {
	if w.Insecure {
		fmt.Fprintf(stderr, "%s: WARNING: --webhook-insecure: the certificates of HTTPS webhook receivers are not verified\n", cmd)
	}
}

// printTLS adds serve's startup lines about HTTPS: the CA file to trust, and a warning when
// webhook certificates go unchecked.
func (m *Main) printTLS() {
	switch cfg := m.Config; {
	case m.CAFile() != "":
		fmt.Fprintf(m.Out, "  TLS        self-signed; trust %s   (curl --cacert, AWS_CA_BUNDLE, --webhook-ca)\n", m.CAFile())
	case cfg.TLS.Cert != "":
		fmt.Fprintf(m.Out, "  TLS        %s\n", cfg.TLS.Cert)
	}
	if m.Config.WebhookTLS.Insecure {
		fmt.Fprintf(m.Out, "  webhooks   WARNING: receivers' TLS certificates are NOT verified (--webhook-insecure)\n")
	}
}
