package contract

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrHeader is wrapped by ParseHeader's errors.
var ErrHeader = errors.New("contract: bad header")

// ParseHeader parses "Name: value", the form of --header, as curl takes it. The name must be
// an HTTP token and the value must be non-empty and hold no control characters, so a header
// can neither be misread nor smuggle another into the request. Errors never quote the value,
// which is often a secret.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	value = strings.Trim(value, " \t")
	switch {
	case !ok:
		return "", "", fmt.Errorf("%w: want 'Name: value', found no colon", ErrHeader)
	case name == "":
		return "", "", fmt.Errorf("%w: the name before the colon is empty", ErrHeader)
	case !isToken(name):
		return "", "", fmt.Errorf("%w: %q is not a valid header name", ErrHeader, name)
	case value == "":
		return "", "", fmt.Errorf("%w: %s has an empty value", ErrHeader, name)
	}
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return "", "", fmt.Errorf("%w: the value of %s holds a control character", ErrHeader, name)
		}
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// isToken reports whether s is an RFC 9110 token, the only form a header name may take.
func isToken(s string) bool {
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return s != ""
}
