// Package certs makes and loads the certificates recmock serves HTTPS with: an authority of
// its own, as mkcert makes one, and server certificates it signs for the names a server is
// reached by. Clients trust the authority's PEM (curl --cacert, AWS_CA_BUNDLE), so a
// certificate issued again for new names is still trusted.
package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Validity of what New and Issue make: long enough for a test environment that lives for
// months, short enough that browsers still accept the server certificate (825 days).
const (
	AuthorityValidity = 10 * 365 * 24 * time.Hour
	ServerValidity    = 800 * 24 * time.Hour
)

// ErrNoCertificate is returned for a PEM file that holds no certificate.
var ErrNoCertificate = errors.New("certs: no PEM certificate in the file")

// Authority signs server certificates.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewAuthority makes an authority named name, valid from now for validity.
func NewAuthority(name string, now time.Time, validity time.Duration) (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: authority key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"recmock"}},
		NotBefore:             now.Add(-time.Hour), // a client's clock a little behind still accepts it
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("certs: authority: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certs: authority: %w", err)
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// Issue signs a server certificate for hosts (names and IP addresses), valid from now for
// validity, and returns it with its chain, ready for tls.Config.Certificates.
func (a *Authority) Issue(hosts []string, now time.Time, validity time.Duration) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "recmock", Organization: []string{"recmock"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if tmpl.NotAfter.After(a.Cert.NotAfter) {
		tmpl.NotAfter = a.Cert.NotAfter // a certificate outliving its issuer fails to verify
	}
	if len(tmpl.DNSNames) > 0 {
		tmpl.Subject.CommonName = tmpl.DNSNames[0]
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, a.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// serial is a random 128-bit serial number, as RFC 5280 asks serials to be unique.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

// CertPEM is the authority's certificate in PEM: what clients trust.
func (a *Authority) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
}

// Save writes the authority to dir as ca.pem (its certificate, for clients) and ca-key.pem
// (its key, readable by the owner only), so a server restarted with the same dir signs with
// the authority its clients already trust.
func (a *Authority) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	return WriteKeyPair(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem"),
		tls.Certificate{Certificate: [][]byte{a.Cert.Raw}, PrivateKey: a.Key})
}

// WriteKeyPair writes c's chain to certFile (PEM, leaf first) and its key to keyFile (PKCS
// #8 PEM, readable by the owner only), as tls.LoadX509KeyPair and --tls-cert/--tls-key read
// them.
func WriteKeyPair(certFile, keyFile string, c tls.Certificate) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	var chain []byte
	for _, der := range c.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := writeFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeFile(certFile, chain, 0o644)
}

// writeFile replaces path with data through a rename, so a reader never sees half a file.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	return nil
}

// LoadAuthority reads an authority Save wrote to dir. It returns an error wrapping
// os.ErrNotExist when there is none.
func LoadAuthority(dir string) (*Authority, error) {
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		return nil, fmt.Errorf("certs: authority in %s: %w", dir, err)
	}
	signer, ok := pair.PrivateKey.(crypto.Signer)
	if !ok || !pair.Leaf.IsCA {
		return nil, fmt.Errorf("certs: %s/ca.pem is not a certificate authority", dir)
	}
	return &Authority{Cert: pair.Leaf, Key: signer}, nil
}

// LoadOrNewAuthority loads the authority in dir when it is valid for at least another day,
// and otherwise makes one and saves it there. made reports whether it is new.
func LoadOrNewAuthority(dir, name string, now time.Time) (a *Authority, made bool, err error) {
	if a, err := LoadAuthority(dir); err == nil && now.Add(24*time.Hour).Before(a.Cert.NotAfter) && now.After(a.Cert.NotBefore) {
		return a, false, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	if a, err = NewAuthority(name, now, AuthorityValidity); err != nil {
		return nil, false, err
	}
	return a, true, a.Save(dir)
}

// AppendPEMFile adds every certificate of a PEM file to pool, and fails for a file that
// holds none, as a trust setting that silently trusts nothing helps no one.
func AppendPEMFile(pool *x509.CertPool, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("%w: %s", ErrNoCertificate, path)
	}
	return nil
}

// SystemPool is a copy of the system's roots, or an empty pool where the system has none
// (a scratch container without a CA bundle).
func SystemPool() *x509.CertPool {
	if p, err := x509.SystemCertPool(); err == nil && p != nil {
		return p
	}
	return x509.NewCertPool()
}

// Hosts is the list of names a self-signed server certificate covers: localhost, the
// loopback addresses, the hosts of the listen addresses (unless they are unspecified, such
// as 0.0.0.0), the machine's host name and extra, without duplicates.
func Hosts(listen []string, extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, addr := range listen {
		h, _, err := net.SplitHostPort(addr)
		if err != nil || h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
			continue
		}
		hosts = append(hosts, h)
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		hosts = append(hosts, name)
	}
	hosts = append(hosts, extra...)
	out := hosts[:0]
	for _, h := range hosts {
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}
