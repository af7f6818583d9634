package contract

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/recmock/recmock"
)

// maxResponseBytes bounds what is read of an answer; the API's are a few KiB at most.
const maxResponseBytes = 4 << 20

// writeBlocked is do's error for a request that could change the account while writes are
// not allowed; its text is the reason, which the check is skipped with.
type writeBlocked string

var _ error = writeBlocked("")

func (w writeBlocked) Error() string { return string(w) }

// target is the URL req goes to.
func (r *runner) target(req Request) string {
	if req.URL != "" {
		return req.URL
	}
	return r.base + req.path()
}

// safeMethod reports whether a method cannot change the account.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// do sends req, records the exchange (masked) in res, and checks the answer against
// openapi.yaml when the path is one of its operations.
func (r *runner) do(ctx context.Context, res *Result, req Request) (*Response, error) {
	method := req.method()
	toAPI := req.URL == ""
	if toAPI && r.base == "" {
		return nil, fmt.Errorf("no base URL configured (--base-url)")
	}
	if toAPI && !safeMethod(method) {
		if r.writes != "" {
			return nil, writeBlocked(r.writes)
		}
		// Set before sending: a request that times out may still have been applied.
		r.dirty = true
	}
	rctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(rctx, method, r.target(req), body)
	if err != nil {
		return nil, err
	}
	r.setHeaders(hr, req)
	ex := Exchange{Method: method, URL: hr.URL.Redacted(), RequestHeader: r.maskHeader(hr.Header), RequestBody: r.maskBody([]byte(req.Body))}
	start := r.now()
	hres, err := r.hc.Do(hr)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(io.LimitReader(hres.Body, maxResponseBytes))
		hres.Body.Close()
	}
	ex.Duration = r.now().Sub(start)
	if hres != nil {
		ex.Status = hres.StatusCode
		ex.ResponseHeader = r.maskHeader(hres.Header)
		ex.ResponseBody = r.maskBody(raw)
	}
	if err != nil {
		ex.Error = r.scrub(err.Error())
	}
	r.record(res, ex)
	if err != nil {
		return nil, err
	}
	out := &Response{Status: hres.StatusCode, Header: hres.Header, Body: raw}
	if toAPI {
		if schema, ok := envelopeSchema[statusOf(raw)]; ok {
			out.schema, out.schemaErr = schema, r.v.ValidateSchema(schema, raw)
		}
		r.validate(ctx, out, method, req.path())
		acct := r.accountFor(req.Auth)
		r.learn(acct, raw)
		if acct != nil && (method == http.MethodPost || method == http.MethodPut) && statusOf(raw) == recmock.StatusSuccess {
			acct.exists = true
		}
	}
	return out, nil
}

func (r *runner) setHeaders(hr *http.Request, req Request) {
	hr.Header.Set("User-Agent", "recmock-contract/"+recmock.Version())
	hr.Header.Set("Accept", "application/json")
	if req.Body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	switch req.Auth {
	case AuthConfigured:
		if r.cfg.APIKey != "" {
			hr.SetBasicAuth(r.cfg.APIKey, r.cfg.Secret)
		}
		for k, vs := range r.cfg.Header {
			hr.Header.Del(k)
			for _, v := range vs {
				hr.Header.Add(k, v)
			}
		}
	case AuthWrongSecret:
		key := r.cfg.APIKey
		if key == "" {
			key = "recmock-contract-key"
		}
		secret := "recmock-contract-wrong-secret"
		if secret == r.cfg.Secret {
			secret += "-2"
		}
		hr.SetBasicAuth(key, secret)
	case AuthOther:
		hr.SetBasicAuth(r.cfg.OtherAPIKey, r.cfg.OtherSecret)
	case AuthUnknownKey:
		hr.SetBasicAuth("recmock-contract-unknown-key", "recmock-contract-unknown-secret")
	}
	for k, vs := range req.Header {
		hr.Header.Del(k)
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
}

// validate checks the answer against the operation's documented responses, keeping the
// verdict for the check to weigh: the path is matched without BaseURL's prefix.
func (r *runner) validate(ctx context.Context, res *Response, method, path string) {
	probe, err := http.NewRequestWithContext(ctx, method, "http://recmock.invalid"+path, nil)
	if err != nil {
		return
	}
	route, err := r.v.FindRoute(probe)
	if err != nil {
		return
	}
	res.route = route
	_, res.specErr = r.v.ValidateResponse(ctx, probe, route, res.Status, res.Header, res.Body)
}

func (r *runner) record(res *Result, ex Exchange) {
	res.Exchanges = append(res.Exchanges, ex)
	if r.cfg.Trace != nil {
		fmt.Fprintf(r.cfg.Trace, "=== %s\n", res.ID)
		writeExchange(r.cfg.Trace, ex, "")
	}
}
