package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// checkRequest validates the request against openapi.yaml and the rules of SPEC section 2.
func (p *Proxy) checkRequest(r *http.Request, ex *exchange, raw []byte) {
	if strings.HasPrefix(r.URL.Path, "/_admin/") {
		ex.Note = "recmock admin path: not part of the vendor's contract"
		return
	}
	route, err := p.v.FindRoute(r)
	if err != nil {
		if recmock.ErrorCode(err) == recmock.CodeMethodNotAllowed {
			// A documented path asked with an undocumented method: the client broke the
			// contract, and the server must still answer the error envelope.
			ex.routeErr = err
			ex.Validated = true
			ex.violations = append(ex.violations, Violation{Side: SideClient, Field: "method", Rule: strings.TrimPrefix(err.Error(), "method not allowed: "), Value: r.Method})
			return
		}
		ex.Note = "not in openapi.yaml: forwarded without checks"
		return
	}
	ex.route, ex.Validated = route, true
	ex.creds = readCreds(r, p.cfg.Accounts)
	body, err := wire.Decode(raw)
	if err == nil {
		if route.TakesSettings() {
			var s recmock.Settings
			if s, err = p.v.ValidateSettings(r.Context(), r, route, body); err == nil {
				ex.settings = &s
			}
		} else {
			err = p.v.ValidateRequest(r.Context(), r, route, body)
		}
	}
	if err != nil {
		ex.clientBad = true
		ex.violations = append(ex.violations, fieldViolations(SideClient, err, body.Value)...)
	}
}

// validateResponse validates the upstream's answer against the operation, then checks what
// a schema cannot: an invalid request must not be accepted, and a stored setting must be
// answered as it was sent.
func (p *Proxy) validateResponse(ex *exchange, res *http.Response, raw []byte) {
	switch {
	case ex.routeErr != nil:
		if err := p.v.ValidateSchema("ErrorEnvelope", raw); err != nil || res.StatusCode < 400 {
			ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "body", Rule: fmt.Sprintf("an undocumented method must be refused with the error envelope and a 4xx status (got %d)", res.StatusCode), Value: excerpt(raw)})
		}
		return
	case ex.route == nil:
		return
	}
	body, err := p.v.ValidateResponse(res.Request.Context(), res.Request, ex.route, res.StatusCode, res.Header, raw)
	if err != nil {
		ex.violations = append(ex.violations, fieldViolations(SideServer, err, body.Value)...)
	}
	env := readEnvelope(body.Value)
	if len(raw) > maxStateBytes {
		env.big = true
	}
	p.judgeCredentials(ex, res.StatusCode, env)
	p.judgeRefusal(ex, res.StatusCode, env)
	p.judgeState(ex, res.StatusCode, env)
	ok := res.StatusCode/100 == 2
	if ex.clientBad && ok {
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: "input that breaks a rule must be refused, not accepted", Value: fmt.Sprint(res.StatusCode)})
	}
	if ex.settings == nil || !ok || err != nil {
		return
	}
	got := valueAtPath(body.Value, "content.data")
	// What was stored, as the server should answer it; the proxy does not know the username.
	want := settingsValue(*ex.settings)
	if m, ok := got.(map[string]any); ok {
		want["username"] = m["username"]
	}
	for _, d := range diffValues("content.data", want, got) {
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: d.field, Rule: "must answer what was stored: " + d.want, Value: d.got})
	}
}

// judgeRefusal flags a body the rules accept refused as invalid: HTTP 400 or 422, or a
// failure naming fields. Refusals that are not about the body's values (413, 415) and those
// that name no field (a conflict, no settings: judgeState's business) are left alone.
func (p *Proxy) judgeRefusal(ex *exchange, status int, env envelope) {
	if ex.settings == nil || ex.clientBad || env.status != recmock.StatusFailed || status == http.StatusRequestEntityTooLarge || status == http.StatusUnsupportedMediaType {
		return
	}
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity || len(env.fields) > 0 {
		v := fmt.Sprint(status)
		if len(env.fields) > 0 {
			v += " naming " + strings.Join(env.fields, ", ")
		}
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: "a body the rules accept must not be refused as invalid", Value: v})
	}
}

// settingsValue is s as a decoded JSON value, the form answers are compared in: every field of
// Settings takes part, whatever fields it grows.
func settingsValue(s recmock.Settings) map[string]any {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // Settings holds only strings, booleans and slices of them
	}
	body, err := wire.Decode(b)
	if err != nil {
		panic(err)
	}
	return body.Value.(map[string]any)
}

type valueDiff struct{ field, want, got string }

// diffValues lists where two decoded JSON values differ, by dotted path; secrets are named,
// never shown.
func diffValues(path string, want, got any) []valueDiff {
	if reflect.DeepEqual(want, got) {
		return nil
	}
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if !wok || !gok {
		d := valueDiff{path, show(path, want), show(path, got)}
		if d.got == d.want { // two secrets, both masked
			d.got += " (a different one)"
		}
		return []valueDiff{d}
	}
	var out []valueDiff
	keys := slices.Sorted(maps.Keys(wm))
	for k := range gm {
		if _, ok := wm[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		p := path + "." + k
		w, inW := wm[k]
		g, inG := gm[k]
		switch {
		case !inW:
			out = append(out, valueDiff{p, "absent", "present"})
		case !inG:
			out = append(out, valueDiff{p, "present", "absent"})
		default:
			out = append(out, diffValues(p, w, g)...)
		}
	}
	return out
}

// show renders a value of a violation: secrets masked, long values cut.
func show(path string, v any) string {
	if i := strings.LastIndexByte(path, '.'); recmock.IsSecret(path[i+1:]) {
		if v == nil {
			return "absent"
		}
		return recmock.Redacted
	}
	b, err := json.Marshal(recmock.RedactValue(v))
	if err != nil {
		return ""
	}
	return excerpt(b)
}

// fieldViolations turns a validation error into violations, with each field's value taken
// from the body (secrets masked).
func fieldViolations(side string, err error, body any) []Violation {
	re, ok := errors.AsType[*recmock.Error](err)
	if !ok || len(re.Fields) == 0 {
		return []Violation{{Side: side, Field: "body", Rule: err.Error()}}
	}
	out := make([]Violation, len(re.Fields))
	for i, f := range re.Fields {
		v := Violation{Side: side, Field: f.Field, Rule: f.Message}
		if f.Field != "body" && f.Field != "" {
			if x := valueAtPath(body, f.Field); x != nil {
				v.Value = show(f.Field, x)
			}
		}
		out[i] = v
	}
	return out
}

// valueAtPath is the value at a dotted path of a decoded JSON value, or nil.
func valueAtPath(doc any, path string) any {
	cur := doc
	for k := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[k]; !ok {
			return nil
		}
	}
	return cur
}

func excerpt(b []byte) string {
	s := string(b)
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
