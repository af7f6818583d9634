package mock

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"

	"github.com/recmock/recmock"
)

// authenticate finds the account whose apiKey:secret the request sends with HTTP Basic.
func (s *Server) authenticate(r *http.Request) (recmock.Account, error) {
	key, secret, ok := r.BasicAuth()
	if !ok {
		msg := "send HTTP Basic credentials apiKey:secret"
		if r.Header.Get("Authorization") != "" {
			msg = "the Authorization header is not HTTP Basic; send apiKey:secret"
		}
		return recmock.Account{}, &recmock.Error{Code: recmock.CodeUnauthorized, Message: msg}
	}
	a, found := s.byKey[key]
	// Compare even for unknown keys, so timing does not tell which keys exist.
	want := a.Secret
	if !found {
		want = "\x00unknown"
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 || !found {
		return recmock.Account{}, &recmock.Error{Code: recmock.CodeUnauthorized, Message: "the apiKey or secret is wrong"}
	}
	return a, nil
}

// checkContentType accepts application/json (with any parameters) or no Content-Type at all,
// which clients such as curl --data-binary @file send without being told.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return nil
	}
	msg := quote(ct) + " is not supported; send application/json"
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		// What curl -d sends unless told otherwise.
		msg += " (with curl: -H 'Content-Type: application/json')"
	}
	return &recmock.Error{Code: recmock.CodeMediaType, Fields: []recmock.FieldError{{Field: "Content-Type", Message: msg}}}
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + s + `"`
}
