package wire

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/recmock/recmock"
)

// Validator checks requests and responses against an OpenAPI document (openapi.yaml, as a
// rule). It is read-only and safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	// static holds the router's answer for each documented path without parameters and each
	// method it has there, by escaped path and method: the notifications API takes a map
	// lookup instead of the router's walk over every pattern. The router matches on the
	// method and the escaped path only, so the answer cannot differ.
	static map[string]map[string]*Route
	params *openapi3filter.Options // for parameters; bodies are checked on their decoded value
	res    *openapi3filter.Options // for response statuses and headers
}

// Route is an operation of the document matched by a request.
type Route struct {
	route  *routers.Route
	params map[string]string
}

// OperationID names the matched operation, as in openapi.yaml.
func (r *Route) OperationID() string { return r.route.Operation.OperationID }

// Param returns a path parameter's value.
func (r *Route) Param(name string) string { return r.params[name] }

// HasParams reports whether the operation (or its path) declares parameters.
func (r *Route) HasParams() bool {
	return len(r.route.Operation.Parameters) > 0 || len(r.route.PathItem.Parameters) > 0
}

// HasBody reports whether the operation takes a request body.
func (r *Route) HasBody() bool { return r.route.Operation.RequestBody != nil }

// settingsSchema is the component every settings body is, in openapi.yaml.
const settingsSchema = "#/components/schemas/NotificationSettingsInput"

// TakesSettings reports whether the operation's body is a setting (NotificationSettingsInput),
// which ValidateSettings checks with recmock's rules as well.
func (r *Route) TakesSettings() bool {
	s := requestSchema(r.route.Operation)
	return s != nil && s.Ref == settingsSchema
}

// requestSchema is the JSON schema of an operation's body, or nil.
func requestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// Spec returns the Validator of the embedded openapi.yaml, built on the first call and shared
// afterwards: parsing the document is most of what building one costs.
func Spec() (*Validator, error) { return spec() }

var spec = sync.OnceValues(func() (*Validator, error) {
	doc, err := recmock.LoadSpec()
	if err != nil {
		return nil, err
	}
	return New(doc)
})

// New returns a Validator for doc. The document's servers are ignored, so requests match by
// path and method whatever host and port they were sent to.
func New(doc *openapi3.T) (*Validator, error) {
	if doc.IsOpenAPI31OrLater() {
		return nil, errors.New("wire: OpenAPI 3.1 documents are not supported: keep openapi.yaml at 3.0.3")
	}
	d := *doc
	d.Servers = nil
	router, err := gorillamux.NewRouter(&d)
	if err != nil {
		return nil, fmt.Errorf("wire: route openapi.yaml: %w", err)
	}
	v := &Validator{
		doc:    &d,
		router: router,
		static: map[string]map[string]*Route{},
		params: &openapi3filter.Options{
			ExcludeRequestBody: true,
			MultiError:         true,
			// Authentication is the server's own business; the document only declares it.
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
		},
		res: &openapi3filter.Options{ExcludeResponseBody: true, MultiError: true, IncludeResponseStatus: true},
	}
	for _, path := range d.Paths.InMatchingOrder() {
		if strings.ContainsAny(path, "{}") {
			continue
		}
		for m := range d.Paths.Value(path).Operations() {
			probe := &http.Request{Method: m, URL: &url.URL{Path: path}, Header: http.Header{}}
			route, params, err := router.FindRoute(probe)
			if err != nil || route.Operation == nil {
				continue
			}
			escaped := probe.URL.EscapedPath()
			if v.static[escaped] == nil {
				v.static[escaped] = map[string]*Route{}
			}
			v.static[escaped][m] = &Route{route: route, params: params}
		}
	}
	return v, nil
}

// methods are those a path may be asked for, to list in a 405's Allow header.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// FindRoute matches a request to an operation. It fails with a CodeNotFound error for unknown
// paths and a CodeMethodNotAllowed error, listing the allowed methods, for a known path asked
// with a method it does not have.
func (v *Validator) FindRoute(r *http.Request) (*Route, error) {
	if route := v.static[r.URL.EscapedPath()][r.Method]; route != nil {
		return route, nil // shared: a Route is read-only
	}
	route, params, err := v.router.FindRoute(r)
	if err == nil {
		return &Route{route: route, params: params}, nil
	}
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		return nil, &recmock.Error{Code: recmock.CodeMethodNotAllowed, Message: fmt.Sprintf("%s %s; allowed: %s", r.Method, r.URL.Path, strings.Join(v.Allowed(r), ", ")), Err: err}
	}
	return nil, &recmock.Error{Code: recmock.CodeNotFound, Message: fmt.Sprintf("no operation at %s %s; see openapi.yaml (recmock spec)", r.Method, r.URL.Path), Err: err}
}

// Allowed lists the methods the document has for the request's path.
func (v *Validator) Allowed(r *http.Request) []string {
	var allowed []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, _, err := v.router.FindRoute(probe); err == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// ValidateRequest checks a request's parameters and its decoded body against the route's
// operation. The error is a CodeInvalid *recmock.Error naming each field and rule.
func (v *Validator) ValidateRequest(ctx context.Context, r *http.Request, route *Route, body Body) error {
	if errs := v.requestErrors(ctx, r, route, body); len(errs) > 0 {
		return recmock.Invalid(errs...)
	}
	return nil
}

func (v *Validator) requestErrors(ctx context.Context, r *http.Request, route *Route, body Body) []recmock.FieldError {
	return append(v.paramErrors(ctx, r, route), v.bodyErrors(route, body)...)
}

// paramErrors checks the request's parameters.
func (v *Validator) paramErrors(ctx context.Context, r *http.Request, route *Route) []recmock.FieldError {
	if !route.HasParams() {
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: route.params, Route: route.route, Options: v.params}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return fieldErrors(err)
	}
	return nil
}

// bodyErrors checks the decoded body against the operation's schema.
func (v *Validator) bodyErrors(route *Route, body Body) []recmock.FieldError {
	op := route.route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	switch schema := requestSchema(op); {
	case !body.Present():
		if op.RequestBody.Value.Required {
			return []recmock.FieldError{{Field: "body", Message: "is required; send a JSON object"}}
		}
	case schema != nil && schema.Value != nil:
		if err := schema.Value.VisitJSON(body.Value, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
			return fieldErrors(err)
		}
	}
	return nil
}

// ValidateSettings checks a settings body (see Route.TakesSettings) and returns the settings
// it holds, without a username. openapi.yaml's NotificationSettingsInput states recmock's
// rules exactly — the root package's TestSchemaAgreesWithRules* and FuzzSchemaAgreesWithRules
// (run in CI) fail the day either one changes without the other — so the body is checked
// once, by the rules: their errors name each field and say what is wrong with its value, and
// kin-openapi's walk of the schema, with its patterns, would double a PUT's cost to learn
// nothing more. The request's parameters, and a missing body, are checked against the
// document as for any operation.
func (v *Validator) ValidateSettings(ctx context.Context, r *http.Request, route *Route, body Body) (recmock.Settings, error) {
	params := v.paramErrors(ctx, r, route)
	if !body.Present() {
		return recmock.Settings{}, recmock.Invalid(append(params, v.bodyErrors(route, body)...)...)
	}
	s, err := recmock.ParseSettings(body.Value, "")
	if err != nil {
		var rules []recmock.FieldError
		if e, ok := errors.AsType[*recmock.Error](err); ok {
			rules = e.Fields
		}
		return recmock.Settings{}, recmock.Invalid(recmock.MergeFieldErrors(rules, params)...)
	}
	if len(params) > 0 {
		return recmock.Settings{}, recmock.Invalid(params...)
	}
	return s, nil
}

// ValidateResponse checks a response's status, headers and body against the route's
// operation, and returns the body, decoded when the operation answers it as JSON. Fields are
// named from the body's root, e.g. "content.data.email".
func (v *Validator) ValidateResponse(ctx context.Context, r *http.Request, route *Route, status int, header http.Header, raw []byte) (Body, error) {
	body := Body{Raw: raw}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: route.params, Route: route.route, Options: v.params},
		Status:                 status,
		Header:                 header,
		Options:                v.res,
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		if re, ok := errors.AsType[*openapi3filter.ResponseError](err); ok && re.Err == nil {
			return body, recmock.Invalid(recmock.FieldError{Field: "response", Message: fmt.Sprintf("status %d: %s", status, re.Reason)})
		}
		return body, recmock.Invalid(fieldErrors(err)...)
	}
	schema, err := responseSchema(r, route, status, header)
	if err != nil || schema == nil {
		return body, err
	}
	body, err = Decode(raw)
	if err != nil {
		return body, err
	}
	if !body.Present() {
		return body, recmock.Invalid(recmock.FieldError{Field: "body", Message: "is empty; the operation answers JSON"})
	}
	if err := schema.VisitJSON(body.Value, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		return body, recmock.Invalid(fieldErrors(err)...)
	}
	return body, nil
}

// responseSchema is the JSON schema the body of a response must match, or nil when the
// operation documents no JSON body for it (or the request was a HEAD). A Content-Type the
// operation does not answer with is an error.
func responseSchema(r *http.Request, route *Route, status int, header http.Header) (*openapi3.Schema, error) {
	responses := route.route.Operation.Responses
	if r.Method == http.MethodHead || responses.Len() == 0 {
		return nil, nil
	}
	ref := responses.Status(status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil, nil
	}
	ct := header.Get("Content-Type")
	mt := ref.Value.Content.Get(ct)
	if mt == nil {
		return nil, recmock.Invalid(recmock.FieldError{Field: "Content-Type", Message: fmt.Sprintf("%q is not what the operation answers with (status %d)", ct, status)})
	}
	if mediaType, _, _ := mime.ParseMediaType(ct); mediaType != "application/json" || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, nil
	}
	return mt.Schema.Value, nil
}

// ValidateSchema checks a JSON document against a named component schema, e.g.
// "RecordingCompletedEvent" or "ErrorEnvelope".
func (v *Validator) ValidateSchema(name string, raw []byte) error {
	ref := v.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("wire: no schema %q in openapi.yaml", name)
	}
	body, err := Decode(raw)
	if err != nil {
		return err
	}
	if !body.Present() {
		return recmock.Invalid(recmock.FieldError{Field: "body", Message: "is empty"})
	}
	if err := ref.Value.VisitJSON(body.Value, openapi3.MultiErrors()); err != nil {
		return recmock.Invalid(fieldErrors(err)...)
	}
	return nil
}
