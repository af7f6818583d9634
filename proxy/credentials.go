package proxy

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/recmock/recmock"
)

// credKind says what credentials a request carries, as far as the proxy can tell.
type credKind int

const (
	// credNone: no Authorization header and no other header that carries credentials.
	credNone credKind = iota
	// credOther: credentials the proxy cannot judge (a Bearer token, a cookie).
	credOther
	// credBasic: HTTP Basic credentials; without Config.Accounts, whether they are valid is
	// the server's to say.
	credBasic
	// credValid: the Basic credentials of one of Config.Accounts.
	credValid
	// credInvalid: Basic credentials no account of Config.Accounts holds (an unknown apiKey
	// or a wrong secret), or an Authorization header that claims Basic and is not.
	credInvalid
)

// creds is what checkRequest learns of a request's credentials.
type creds struct {
	kind    credKind
	key     string          // the Basic apiKey
	account recmock.Account // for credValid
	why     string          // for credInvalid: what is wrong, secrets left out
}

// readCreds classifies a request's credentials against accounts (none: any Basic
// credentials may be valid).
func readCreds(r *http.Request, accounts []recmock.Account) creds {
	auth := r.Header.Get("Authorization")
	key, secret, ok := r.BasicAuth()
	switch {
	case ok:
	case len(auth) >= 6 && strings.EqualFold(auth[:6], "basic "):
		return creds{kind: credInvalid, why: "an Authorization header that is not valid HTTP Basic"}
	case auth != "":
		return creds{kind: credOther}
	default:
		for k := range r.Header {
			if mayAuthenticate(k) {
				return creds{kind: credOther}
			}
		}
		return creds{kind: credNone}
	}
	c := creds{kind: credBasic, key: key}
	if len(accounts) == 0 {
		return c
	}
	for _, a := range accounts {
		if a.APIKey != key {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(a.Secret), []byte(secret)) == 1 {
			c.kind, c.account = credValid, a
			return c
		}
		c.kind, c.why = credInvalid, fmt.Sprintf("apiKey %q with a secret that is not its account's", key)
		return c
	}
	c.kind, c.why = credInvalid, fmt.Sprintf("apiKey %q, which no --account has", key)
	return c
}

// mayAuthenticate reports whether a request header may carry credentials: the secret policy's
// headers, and any a deployment may have made up for them (X-Auth-Token, X-Session-Id...). A
// request with one is not taken for one without credentials.
func mayAuthenticate(name string) bool {
	if recmock.IsSecretHeader(name) {
		return true
	}
	n := strings.ToLower(name)
	for _, w := range []string{"auth", "token", "key", "session", "signature", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// stateKey names the account whose state an exchange reads and changes: its username with
// Config.Accounts, its apiKey otherwise; "" for requests that name no account.
func (c creds) stateKey() string {
	switch c.kind {
	case credValid:
		return "user " + c.account.Username
	case credBasic:
		return "apiKey " + c.key
	}
	return ""
}

// judgeCredentials flags an answer that does not fit the request's credentials: a success to
// a request without valid credentials, a refusal of an account's own, or a success that names
// another account.
func (p *Proxy) judgeCredentials(ex *exchange, status int, env envelope) {
	c := ex.creds
	success := env.status == recmock.StatusSuccess
	switch {
	case c.kind == credNone && (success || status/100 == 2):
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: "a request without credentials must be refused with status -1, not answered", Value: fmt.Sprint(status)})
	case c.kind == credInvalid && (success || status/100 == 2):
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: "credentials that should have been refused (" + c.why + ") must get status -1, not an answer", Value: fmt.Sprint(status)})
	case c.kind == credValid && (env.status == recmock.StatusUnauthorized || status == http.StatusUnauthorized):
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: fmt.Sprintf("the credentials of account %q (--account) must be accepted", c.account.Username), Value: fmt.Sprint(status)})
	case c.kind == credValid && success && env.username() != c.account.Username:
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "content.data.username", Rule: fmt.Sprintf("must name the account whose credentials were sent: %q", c.account.Username), Value: show("content.data.username", env.data["username"])})
	}
}
