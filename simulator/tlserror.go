package simulator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
)

// The Attempt.Error of a TLS failure begins with one of these causes, so the outcome of a
// delivery to an HTTPS receiver says what to fix without --verbose; Go's own text
// ("x509: certificate signed by unknown authority ...") follows as the detail.
const (
	TLSUnknownAuthority = "TLS unknown authority"
	TLSHostnameMismatch = "TLS hostname mismatch"
	TLSExpired          = "TLS certificate expired or not yet valid"
	TLSInvalid          = "TLS certificate invalid"
	TLSNotTLS           = "not TLS on that port"
	TLSHandshake        = "TLS handshake failed"
)

// tlsCause is the cause of err when it is a TLS failure, or "". Certificate errors are
// matched by type, as crypto/tls wraps them in *tls.CertificateVerificationError.
func tlsCause(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknown):
		return TLSUnknownAuthority
	case errors.As(err, &hostname):
		return TLSHostnameMismatch
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return TLSExpired
	case errors.As(err, &invalid), errors.As(err, &verify):
		return TLSInvalid
	case errors.Is(err, http.ErrSchemeMismatch), errors.As(err, &record):
		return TLSNotTLS
	case errors.As(err, &alert):
		return TLSHandshake
	}
	return ""
}

// describeTLS words a TLS failure as "<cause>: <Go's detail>", and any other error as is.
func describeTLS(err error) string {
	cause := tlsCause(err)
	if cause == "" {
		return err.Error()
	}
	return cause + ": " + strings.TrimPrefix(err.Error(), "tls: failed to verify certificate: ")
}

// certificateFailure reports whether err is a certificate that failed verification: trying
// again gets the same certificate, so such attempts are not retried.
func certificateFailure(err error) bool {
	switch tlsCause(err) {
	case TLSUnknownAuthority, TLSHostnameMismatch, TLSExpired, TLSInvalid:
		return true
	}
	return false
}
