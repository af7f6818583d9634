package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/recmock/recmock"
)

// account is one of a run's accounts: Config's, and the second one (--other-basic) when set.
type account struct {
	label string // how messages name it: "the account", "the other account"
	flag  string // the flag that gives its credentials, for hints
	auth  Auth   // what a request sends to act as it
	key   string
	// secret is its Basic secret; scrubbed from every report like the others.
	secret string
	// username is what its success answers must name: Config's, or else the first one an
	// answer named, pinned for the rest of the run.
	username string
	// exists is whether it has settings now, as far as the run knows.
	exists bool
	snap   snapshot
}

// accountFor is the account a request acts as, or nil for requests that send no valid
// credentials of either account.
func (r *runner) accountFor(a Auth) *account {
	for _, acct := range r.accts {
		if acct.auth == a {
			return acct
		}
	}
	return nil
}

// other is the second account, or nil.
func (r *runner) other() *account {
	if len(r.accts) < 2 {
		return nil
	}
	return r.accts[1]
}

// usernameOf is data.username of a success answer, and whether it is a non-empty string.
func usernameOf(body []byte) (string, bool) {
	raw, ok := dataField(body, "username")
	var u string
	if !ok || json.Unmarshal(raw, &u) != nil || u == "" {
		return "", false
	}
	return u, true
}

// learn pins an account's username on the first success answer that names one, when the
// configuration gave none.
func (r *runner) learn(acct *account, body []byte) {
	if acct == nil || acct.username != "" || statusOf(body) != recmock.StatusSuccess {
		return
	}
	if u, ok := usernameOf(body); ok {
		acct.username = u
	}
}

// expectUsername fails the check when a success answer to an account's credentials does not
// name its username: every answer, whatever the check asks.
func (t *T) expectUsername(req Request, res *Response) {
	acct := t.r.accountFor(req.Auth)
	if acct == nil || req.URL != "" || statusOf(res.Body) != recmock.StatusSuccess || acct.username == "" {
		return
	}
	got, _ := usernameOf(res.Body)
	if got != acct.username {
		t.Errorf("%s %s as %s: data.username is %q, want %q: an answer must name the account whose credentials were sent", req.method(), req.path(), acct.label, got, acct.username)
	}
}

// preflight makes sure the deployment can be tested at all before any check runs: BaseURL
// does not already hold the API path, the deployment answers, and it takes each account's
// credentials. Its error wraps ErrPreflight. An interrupted context is not its business: the
// run then reports every check as not run.
func (r *runner) preflight(ctx context.Context) error {
	if u, err := url.Parse(r.base); err == nil && strings.HasSuffix(strings.TrimRight(u.Path, "/"), APIPath) {
		return fmt.Errorf("%w: --base-url %s already ends in the API path %s; give the deployment's base URL (requests go to base URL + %s)", ErrPreflight, r.base, APIPath, APIPath)
	}
	for _, a := range r.accts {
		res, err := r.do(ctx, &Result{ID: "preflight"}, Request{Auth: a.auth})
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("%w: %s is unreachable: %s", ErrPreflight, r.base, r.scrub(err.Error()))
		case res.Status == http.StatusUnauthorized || statusOf(res.Body) == recmock.StatusUnauthorized:
			hint := "check " + a.flag
			if a.auth == AuthConfigured {
				hint += " and --header"
				if a.key == "" && len(r.cfg.Header) == 0 {
					hint = "none were given: use --basic KEY:SECRET or --header 'Name: value'"
				}
			}
			return fmt.Errorf("%w: %s refused the credentials of %s (HTTP %d, status %s): %s", ErrPreflight, r.base, a.label, res.Status, orMissing(rawStatus(res.Body)), hint)
		}
	}
	return nil
}
