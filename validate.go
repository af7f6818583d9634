package recmock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Validator checks requests and responses against openapi.yaml. The mock, the contract suite
// and the proxy share it, so the document stays the single source of truth.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	// static holds the router's answer for each documented path without parameters and
	// each method it has there, by path and method: what FindRoute answers for them.
	static map[string]map[string]*Route
	// checks confirm valid bodies without VisitJSON, by schema (see schemaCheck).
	checks map[*openapi3.Schema]*schemaCheck
	// own: bodies are validated by the Validator's own path (decode once, then the check or
	// VisitJSON), which follows openapi3filter for OpenAPI 3.0 documents only.
	own    bool
	reqOpt *openapi3filter.Options
	resOpt *openapi3filter.Options
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

// NewValidator returns a Validator for doc (LoadSpec's, usually). The document's servers are
// ignored, so requests match by path and method whatever host and port they were sent to.
func NewValidator(doc *openapi3.T) (*Validator, error) {
	d := *doc
	d.Servers = nil
	router, err := gorillamux.NewRouter(&d)
	if err != nil {
		return nil, fmt.Errorf("recmock: route openapi.yaml: %w", err)
	}
	v := &Validator{
		doc:    &d,
		router: router,
		static: map[string]map[string]*Route{},
		checks: map[*openapi3.Schema]*schemaCheck{},
		own:    !d.IsOpenAPI31OrLater(),
		reqOpt: &openapi3filter.Options{
			MultiError: true,
			// Authentication is the server's own business; the document only declares it.
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
		},
		resOpt: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	// Every JSON body schema of the document gets its check, where one can be built.
	addCheck := func(content openapi3.Content) {
		for _, mt := range content {
			if mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				if _, done := v.checks[mt.Schema.Value]; !done {
					v.checks[mt.Schema.Value] = compileChecks(mt.Schema.Value)
				}
			}
		}
	}
	for _, item := range d.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				addCheck(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					if r.Value != nil {
						addCheck(r.Value.Content)
					}
				}
			}
		}
	}
	// The router tries each path's pattern in turn on every request. Its answers for the
	// paths without parameters are asked once here, so that requests to them (the
	// notifications API is one) take a map lookup. The router matches on the method and the
	// escaped path only, so the answer cannot differ.
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

// Doc returns the document the validator checks against.
func (v *Validator) Doc() *openapi3.T { return v.doc }

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
		allowed := v.Allowed(r)
		return nil, &Error{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("%s %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allowed, ", ")), Err: err}
	}
	return nil, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no operation at %s %s; see openapi.yaml (recmock spec)", r.Method, r.URL.Path), Err: err}
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

// ValidateRequest checks parameters and body against the route's operation. body is the
// request body already read (it may be nil). The error is a CodeInvalid *Error naming each
// field and rule.
func (v *Validator) ValidateRequest(ctx context.Context, r *http.Request, route *Route, body []byte) error {
	_, err := v.ValidateRequestJSON(ctx, r, route, body)
	return err
}

// ValidateRequestJSON is ValidateRequest that also returns the body as the schema saw it, so
// that a caller reads its fields without decoding the body a second time (see
// SettingsInputFromJSON). The JSONBody's Value is nil when the operation takes no body or the
// body is empty.
func (v *Validator) ValidateRequestJSON(ctx context.Context, r *http.Request, route *Route, body []byte) (JSONBody, error) {
	op := route.route.Operation
	if v.own && !route.HasParams() {
		// Without parameters, kin-openapi checks only the security requirements, which
		// NoopAuthenticationFunc passes (the server authenticates), and the body.
		if op.RequestBody == nil {
			return JSONBody{Raw: body}, nil
		}
		if jb, schema, ok := v.requestJSON(r, op.RequestBody.Value, body); ok {
			// The options openapi3filter.ValidateRequestBody passes for reqOpt.
			if err := v.visitJSON(schema, jb.Value, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
				return JSONBody{Raw: body}, Invalid(fieldErrors(err, "")...)
			}
			return jb, nil
		}
	}
	if err := v.validateRequest(ctx, r, route, body); err != nil {
		return JSONBody{Raw: body}, err
	}
	if len(body) == 0 {
		return JSONBody{Raw: body}, nil
	}
	jb, err := decodeJSONValue(body)
	if err != nil {
		// Valid for the document but not JSON: a body the operation does not read as JSON.
		return JSONBody{Raw: body}, nil
	}
	return jb, nil
}

// visitJSON is schema.VisitJSON(value, opts...), which the schema's check spares when it
// can confirm the value is valid. The options passed here only shape the errors (or apply
// to readOnly and writeOnly properties, which no checked schema has).
func (v *Validator) visitJSON(schema *openapi3.Schema, value any, opts ...openapi3.SchemaValidationOption) error {
	if c := v.checks[schema]; c != nil && c.check(value) == valid {
		return nil
	}
	return schema.VisitJSON(value, opts...)
}

// requestJSON decodes a JSON body the way openapi3filter.ValidateRequestBody would before
// visiting its schema, and returns that schema. ok is false where ValidateRequestBody would do
// anything else (an empty body, another media type, a body that is not JSON), for it to run
// instead and answer exactly as it does.
func (v *Validator) requestJSON(r *http.Request, rb *openapi3.RequestBody, body []byte) (JSONBody, *openapi3.Schema, bool) {
	if len(body) == 0 || rb == nil || len(rb.Content) == 0 {
		return JSONBody{}, nil, false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json" // as validateRequest sets it
	}
	mt := rb.Content.Get(ct)
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return JSONBody{}, nil, false
	}
	mediaType, _, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(mediaType), "application/json") {
		return JSONBody{}, nil, false
	}
	jb, err := decodeJSONValue(body)
	if err != nil {
		return JSONBody{}, nil, false
	}
	return jb, mt.Schema.Value, true
}

// validateRequest runs openapi3filter.ValidateRequest on a copy of r carrying body.
func (v *Validator) validateRequest(ctx context.Context, r *http.Request, route *Route, body []byte) error {
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: route.params,
		Route:      route.route,
		Options:    v.reqOpt,
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return Invalid(fieldErrors(err, "")...)
	}
	return nil
}

// ValidateResponse checks a response's status, headers and body against the route's
// operation. Fields are named from the response body's root, e.g. "content.data.email".
func (v *Validator) ValidateResponse(ctx context.Context, r *http.Request, route *Route, status int, header http.Header, body []byte) error {
	_, err := v.ValidateResponseJSON(ctx, r, route, status, header, body)
	return err
}

// ValidateResponseJSON is ValidateResponse that also returns the body as the schema saw it,
// when it was read as JSON (its Value is nil otherwise).
func (v *Validator) ValidateResponseJSON(ctx context.Context, r *http.Request, route *Route, status int, header http.Header, body []byte) (JSONBody, error) {
	if schema, ok := v.responseSchema(r, route, status, header); ok {
		if jb, err := decodeJSONValue(body); err == nil {
			// The options openapi3filter.ValidateResponse passes for resOpt.
			if err := v.visitJSON(schema, jb.Value, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
				return JSONBody{Raw: body}, Invalid(fieldErrors(err, "")...)
			}
			return jb, nil
		}
	}
	return JSONBody{Raw: body}, v.validateResponse(ctx, r, route, status, header, body)
}

// responseSchema finds the schema openapi3filter.ValidateResponse would check a JSON body
// against, when that is all it would do. ok is false whenever it would do more or else (no
// schema, headers to check, a status it skips or refuses, another media type), for it to run
// instead.
func (v *Validator) responseSchema(r *http.Request, route *Route, status int, header http.Header) (*openapi3.Schema, bool) {
	if !v.own {
		return nil, false
	}
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return nil, false
	}
	responses := route.route.Operation.Responses
	if r.Method == http.MethodHead || responses.Len() == 0 {
		return nil, false
	}
	ref := responses.Status(status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Headers) > 0 || len(ref.Value.Content) == 0 {
		return nil, false
	}
	ct := header.Get("Content-Type")
	mt := ref.Value.Content.Get(ct)
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, false
	}
	mediaType, _, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(mediaType), "application/json") {
		return nil, false
	}
	return mt.Schema.Value, true
}

// validateResponse runs openapi3filter.ValidateResponse.
func (v *Validator) validateResponse(ctx context.Context, r *http.Request, route *Route, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: route.params,
			Route:      route.route,
			Options:    v.reqOpt,
		},
		Status:  status,
		Header:  header,
		Options: v.resOpt,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) && re.Err == nil {
			return Invalid(FieldError{Field: "response", Message: fmt.Sprintf("status %d: %s", status, re.Reason)})
		}
		return Invalid(fieldErrors(err, "")...)
	}
	return nil
}

// ValidateSchema checks a JSON document against a named component schema, e.g.
// "RecordingCompletedEvent" or "ErrorEnvelope".
func (v *Validator) ValidateSchema(name string, body []byte) error {
	ref := v.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("recmock: no schema %q in openapi.yaml", name)
	}
	var value any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return Invalid(FieldError{Field: "body", Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")})
	}
	value = numbersToFloat(value)
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return Invalid(fieldErrors(err, "")...)
	}
	return nil
}

// numbersToFloat converts json.Number to float64, which is what VisitJSON expects, after
// decoding with UseNumber so integers were read exactly.
func numbersToFloat(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbersToFloat(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbersToFloat(e)
		}
	}
	return v
}

var propertyRE = regexp.MustCompile(`property "([^"]*)"`)

// fieldErrors flattens kin-openapi's errors into one FieldError per broken rule.
func fieldErrors(err error, prefix string) []FieldError {
	var out []FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, e := range e {
				walk(e)
			}
			return
		case *openapi3.SchemaError:
			out = append(out, schemaFieldError(e, prefix))
			return
		case *openapi3filter.ParseError:
			out = append(out, FieldError{Field: "body", Message: "invalid JSON: " + e.Error()})
			return
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				out = append(out, FieldError{Field: e.Parameter.Name, Message: paramMessage(e)})
			case e.Err != nil:
				walk(e.Err)
			default:
				out = append(out, FieldError{Field: "body", Message: e.Reason})
			}
			return
		case *openapi3filter.ResponseError:
			if e.Err != nil {
				walk(e.Err)
			} else {
				out = append(out, FieldError{Field: "response", Message: e.Reason})
			}
			return
		}
		if errors.Is(err, openapi3filter.ErrInvalidRequired) {
			out = append(out, FieldError{Field: "body", Message: "is required; send a JSON object"})
			return
		}
		if u := errors.Unwrap(err); u != nil {
			walk(u)
			return
		}
		out = append(out, FieldError{Field: "body", Message: err.Error()})
	}
	walk(err)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// paramMessage words a parameter's error as the rule broken.
func paramMessage(e *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(e.Err, &se) {
		return describe(se)
	}
	if p := e.Parameter; p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type != nil && len(p.Schema.Value.Type.Slice()) > 0 {
		return "must be " + article(p.Schema.Value.Type.Slice()[0])
	}
	if e.Reason != "" {
		return e.Reason
	}
	return e.Error()
}

func schemaFieldError(se *openapi3.SchemaError, prefix string) FieldError {
	path := se.JSONPointer()
	msg := se.Reason
	// kin-openapi names the property of "required" and "unsupported" errors only in Reason.
	unsupported := strings.HasSuffix(se.Reason, " is unsupported")
	switch {
	case se.SchemaField == "required", unsupported:
		if m := propertyRE.FindStringSubmatch(se.Reason); m != nil && m[1] != "" && (len(path) == 0 || path[len(path)-1] != m[1]) {
			path = append(path, m[1])
		}
		msg = "is required"
		if unsupported {
			msg = "is not a known field"
			if m := propertyRE.FindStringSubmatch(se.Reason); m != nil && m[1] == "" {
				msg = "has a field with an empty name"
			}
		}
	case se.SchemaField == "nullable":
		msg = "must not be null"
		if se.Schema.Type != nil && len(se.Schema.Type.Slice()) > 0 {
			msg = "must be " + article(se.Schema.Type.Slice()[0]) + ", not null"
		}
	case slices.Contains([]string{"pattern", "oneOf", "anyOf", "format", "enum"}, se.SchemaField):
		// x-rule words a rule plainly where the keyword alone would not help.
		if rule, ok := se.Schema.Extensions["x-rule"].(string); ok {
			msg = rule
		} else {
			msg = describe(se)
		}
	default:
		msg = describe(se)
	}
	field := strings.Join(path, ".")
	if prefix != "" {
		field = strings.TrimSuffix(prefix+"."+field, ".")
	}
	if field == "" {
		field = "body"
	}
	return FieldError{Field: field, Message: msg}
}

// describe words a schema error as the rule broken, without echoing the value (which could be
// a secret).
func describe(se *openapi3.SchemaError) string {
	s := se.Schema
	switch se.SchemaField {
	case "type":
		if s.Type != nil && len(s.Type.Slice()) > 0 {
			return "must be " + article(s.Type.Slice()[0])
		}
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			b, _ := json.Marshal(e)
			vals[i] = string(b)
		}
		return "must be one of " + strings.Join(vals, ", ")
	case "oneOf", "anyOf":
		alts := s.OneOf
		if se.SchemaField == "anyOf" {
			alts = s.AnyOf
		}
		var words []string
		for _, a := range alts {
			if a.Value == nil || a.Value.Type == nil || len(a.Value.Type.Slice()) == 0 {
				continue
			}
			w := article(a.Value.Type.Slice()[0])
			if len(a.Value.Enum) > 0 {
				vals := make([]string, len(a.Value.Enum))
				for i, e := range a.Value.Enum {
					b, _ := json.Marshal(e)
					vals[i] = string(b)
				}
				w = strings.Join(vals, " or ")
			}
			words = append(words, w)
		}
		if len(words) > 0 {
			return "must be " + strings.Join(words, ", or ")
		}
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("must be at most %d characters long", *s.MaxLength)
		}
	case "minLength":
		if s.MinLength == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters long", s.MinLength)
	case "pattern":
		return "must match the pattern " + s.Pattern
	case "minimum":
		if s.Min != nil {
			return fmt.Sprintf("must be at least %v", *s.Min)
		}
	case "maximum":
		if s.Max != nil {
			return fmt.Sprintf("must be at most %v", *s.Max)
		}
	case "format":
		switch s.Format {
		case "date-time":
			return "must be an RFC 3339 date-time such as 2026-11-30T09:00:00Z"
		case "date":
			return "must be a date such as 2026-11-30"
		}
		return "must be a valid " + s.Format
	}
	return se.Reason
}

func article(typ string) string {
	switch typ {
	case "integer", "object", "array":
		return "an " + typ
	}
	return "a " + typ
}
