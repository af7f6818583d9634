package contract

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// maxShownBody bounds the bodies a report shows; the rest is summarised.
const maxShownBody = 4 << 10

// maskHeader copies h with the values of credential headers (recmock.IsSecretHeader) and of
// Config.Header's names replaced by "***".
func (r *runner) maskHeader(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		if recmock.IsSecretHeader(k) || r.masked[http.CanonicalHeaderKey(k)] {
			out[k] = []string{recmock.Redacted}
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// maskBody is what a report shows of a body: secrets masked, cut to maxShownBody.
func (r *runner) maskBody(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	n := len(b)
	// Cut generously first so masking a 2 MiB body stays cheap; mask; then cut for show.
	if len(b) > 4*maxShownBody {
		b = b[:4*maxShownBody]
	}
	s := r.scrub(string(recmock.RedactBody(b)))
	if n > maxShownBody {
		s = cut(s, maxShownBody) + fmt.Sprintf("…(%d bytes in all)", n)
	}
	return s
}

// scrub replaces every known secret (the Basic secret, header values, the account's S3
// secret) in s with "***". Very short values are left alone: replacing "a" everywhere would
// make reports unreadable, and a secret that short protects nothing.
func (r *runner) scrub(s string) string {
	for _, sec := range r.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, recmock.Redacted)
		}
	}
	return s
}

// cut shortens s to at most n bytes on a UTF-8 boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
