package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// upstreamError answers a failed exchange with the envelope naming the cause: 504 when the
// upstream did not answer in time, 502 otherwise.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	ex, _ := r.Context().Value(exchangeKey{}).(*exchange)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; nobody is left to answer.
		if ex != nil {
			ex.Note = "client closed the connection"
		}
		return
	}
	code, msg := recmock.CodeBadGateway, "upstream "+p.upstream.Host+": "+err.Error()
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		code, msg = recmock.CodeGatewayTimeout, "upstream "+p.upstream.Host+" did not answer within "+p.cfg.Timeout.String()
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "upstream " + p.upstream.Host + " refused the connection"
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		msg = "TLS with upstream " + p.upstream.Host + " failed: its certificate is not trusted (" + err.Error() + ")"
	case errors.As(err, &recordErr):
		msg = "TLS with upstream " + p.upstream.Host + " failed: it does not speak TLS on that port"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		msg = "upstream " + p.upstream.Host + " closed the connection without a complete answer"
	}
	if ex != nil {
		ex.Note, ex.Upstream = msg, true
	}
	p.log.Warn("upstream failed", "method", r.Method, "path", r.URL.Path, "err", err)
	wire.WriteError(w, &recmock.Error{Code: code, Message: msg, Err: err})
}
