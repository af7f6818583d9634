package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/recmock/recmock/internal/wire"
)

// APIPath is the path of the notifications API under Config.BaseURL.
const APIPath = "/rest/recording/notifications"

// Check is one assumption about the service, asked as a question. A check that neither fails
// nor skips passes.
type Check struct {
	// ID names the check in reports and for Config.Run, e.g. "notify.accepts-1". The part
	// before the first dot is its group.
	ID string
	// Question is what the check asks, on one line: "Is notify sent as 1 answered as true?"
	Question string
	// Writes says Run changes the account's settings, so it runs only with
	// Config.AllowWrites. Read-only checks may still write when writes are allowed (to create
	// settings they need to read); without, they are skipped at their first write.
	Writes bool
	// Run asks the question through t.
	Run func(t *T)
}

// Group is the part of the ID before the first dot: "notify" for "notify.accepts-1".
func (c Check) Group() string {
	g, _, _ := strings.Cut(c.ID, ".")
	return g
}

// Auth says which credentials a request carries.
type Auth int

const (
	// AuthConfigured sends Config's Basic credentials and headers.
	AuthConfigured Auth = iota
	// AuthNone sends neither Basic credentials nor Config's headers.
	AuthNone
	// AuthWrongSecret sends Config's apiKey with a wrong secret, and none of Config's headers.
	AuthWrongSecret
	// AuthUnknownKey sends an apiKey no account should have, and none of Config's headers.
	AuthUnknownKey
	// AuthOther sends the second account's Basic credentials (Config.OtherAPIKey), and none
	// of Config's headers.
	AuthOther
)

// Request is one request a check sends. The zero value is an authenticated GET of APIPath.
type Request struct {
	Method string // default GET
	// Path is appended to Config.BaseURL; default APIPath.
	Path string
	// URL, when set, is the absolute URL to send to instead of BaseURL+Path (a webhook
	// receiver's, say).
	URL string
	// Body is sent as is; with a body, Content-Type defaults to application/json.
	Body string
	// Header is added last, so it overrides Config's headers and the defaults.
	Header http.Header
	Auth   Auth
}

func (r Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

func (r Request) path() string {
	if r.Path == "" {
		return APIPath
	}
	return r.Path
}

// Response is what came back, unmasked, for the check to judge. Reports only ever see the
// masked Exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte

	route *wire.Route // nil when the path is not an operation of openapi.yaml
	// specErr is the whole response (status, headers, body) checked against openapi.yaml.
	specErr error
	// schema is the envelope schema the body's status value calls for ("" when the body is
	// not an envelope), and schemaErr the body checked against it.
	schema    string
	schemaErr error
}

// T is a running check's handle: it sends requests and records the verdict. Like
// testing.T, it belongs to the check's goroutine: Fatalf and Skipf end the check by unwinding
// its stack.
type T struct {
	ctx context.Context
	r   *runner
	res *Result
}

// stop unwinds a check that called Fatalf or Skipf; the runner recovers it.
type stop struct{}

// Context is cancelled when the run is interrupted.
func (t *T) Context() context.Context { return t.ctx }

// Errorf fails the check and lets it go on.
func (t *T) Errorf(format string, args ...any) {
	t.res.Status = StatusFail
	t.addMessage(fmt.Sprintf(format, args...))
}

// Fatalf fails the check and ends it.
func (t *T) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic(stop{})
}

// Skipf skips the check, giving the reason, and ends it. A check that already failed stays
// failed.
func (t *T) Skipf(format string, args ...any) {
	if t.res.Status != StatusFail {
		t.res.Status = StatusSkip
		t.res.Message = fmt.Sprintf(format, args...)
	}
	panic(stop{})
}

// Observef notes what the service did where it differs from one of recmock's own decisions,
// without failing the check: "HTTP 200 where recmock answers 400".
func (t *T) Observef(format string, args ...any) {
	t.res.Observed = append(t.res.Observed, t.r.scrub(fmt.Sprintf(format, args...)))
}

// Failed reports whether the check has failed so far.
func (t *T) Failed() bool { return t.res.Status == StatusFail }

// Diff fails the check when want and got differ, recording cmp.Diff(want, got) under what.
// It reports whether they were equal.
func (t *T) Diff(what string, want, got any) bool {
	d := cmp.Diff(want, got)
	if d == "" {
		return true
	}
	t.res.Status = StatusFail
	// The diff speaks for itself; the message only needs a line when nothing else said why.
	if t.res.Message == "" {
		t.addMessage(what + " mismatch")
	}
	entry := what + " mismatch (-want +got):\n" + t.r.scrub(d)
	if t.res.Diff != "" {
		t.res.Diff += "\n"
	}
	t.res.Diff += entry
	return false
}

func (t *T) addMessage(msg string) {
	msg = t.r.scrub(msg)
	if t.res.Message != "" {
		t.res.Message += "\n"
	}
	t.res.Message += msg
}

// Do sends req and returns the response. A request that gets no answer ends the check as
// failed. Without writes allowed, a request that could change the account (anything but GET,
// HEAD and OPTIONS to BaseURL) ends the check as skipped before it is sent.
func (t *T) Do(req Request) *Response {
	res, err := t.r.do(t.ctx, t.res, req)
	if err != nil {
		if reason, blocked := errors.AsType[writeBlocked](err); blocked {
			t.Skipf("%s", string(reason))
		}
		t.Fatalf("%s %s: no answer: %v", req.method(), t.r.target(req), err)
	}
	// Every answer of the API is held to openapi.yaml, whatever the check asks: an envelope
	// must match the schema of its status value. The HTTP status is the checks' business.
	if res.schemaErr != nil {
		t.Errorf("%s %s: HTTP %d: the answer breaks openapi.yaml's %s: %v", req.method(), req.path(), res.Status, res.schema, res.schemaErr)
	}
	if err := oneJSONValue(res); err != nil {
		t.Errorf("%s %s: HTTP %d: %v", req.method(), t.r.target(req), res.Status, err)
	}
	t.expectUsername(req, res)
	return res
}
