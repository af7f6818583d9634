package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/recmock/recmock"
)

// settingsOps are the operations whose body is a setting, checked with the Go rules too.
var settingsOps = map[string]bool{"createNotificationSettings": true, "replaceNotificationSettings": true}

// checkRequest validates the request against openapi.yaml and the rules of SPEC section 2.
func (p *Proxy) checkRequest(r *http.Request, ex *exchange, body []byte) {
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
	ex.route, ex.Validated, ex.reqBody = route, true, body
	jb, err := p.v.ValidateRequestJSON(r.Context(), r, route, body)
	if err != nil {
		ex.clientBad = true
		ex.violations = append(ex.violations, fieldViolations(SideClient, err, body)...)
		return
	}
	if !settingsOps[route.OperationID()] {
		return
	}
	// The body was decoded once, for the schema; its fields are taken from that.
	in, err := recmock.SettingsInputFromJSON(jb)
	if err == nil {
		var s recmock.Settings
		if s, err = in.Settings(""); err == nil {
			ex.settings = &s
			return
		}
	}
	ex.clientBad = true
	ex.violations = append(ex.violations, fieldViolations(SideClient, err, body)...)
}

// validateResponse validates the upstream's answer against the operation, then checks what
// a schema cannot: an invalid request must not be accepted, and a stored setting must be
// answered as it was sent.
func (p *Proxy) validateResponse(ex *exchange, res *http.Response, body []byte) {
	switch {
	case ex.routeErr != nil:
		if err := p.v.ValidateSchema("ErrorEnvelope", body); err != nil || res.StatusCode < 400 {
			ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "body", Rule: fmt.Sprintf("an undocumented method must be refused with the error envelope and a 4xx status (got %d)", res.StatusCode), Value: excerpt(body)})
		}
		return
	case ex.route == nil:
		return
	}
	jb, err := p.v.ValidateResponseJSON(res.Request.Context(), res.Request, ex.route, res.StatusCode, res.Header, body)
	if err != nil {
		ex.violations = append(ex.violations, fieldViolations(SideServer, err, body)...)
	}
	ok := res.StatusCode/100 == 2
	if ex.clientBad && ok {
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "status", Rule: "input that breaks a rule must be refused, not accepted", Value: fmt.Sprint(res.StatusCode)})
	}
	if ex.settings == nil || !ok {
		return
	}
	// The body was decoded once, for the schema; the settings are taken from that when they
	// can be, as json.Unmarshal would read them.
	got, ok := recmock.SettingsFromEnvelope(jb)
	if !ok || err != nil {
		var env recmock.Envelope
		if json.Unmarshal(body, &env) != nil || env.Content.Data == nil {
			return // the schema check has reported it
		}
		got = *env.Content.Data
	}
	want := *ex.settings
	want.Username = got.Username
	if got.Email == nil {
		got.Email = []string{}
	}
	for _, d := range diffSettings(want, got) {
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "content.data." + d.field, Rule: "must answer what was stored: " + d.want, Value: d.got})
	}
}

type settingsDiff struct{ field, want, got string }

func diffSettings(want, got recmock.Settings) []settingsDiff {
	var out []settingsDiff
	add := func(field string, w, g any) {
		out = append(out, settingsDiff{field, fmt.Sprint(w), fmt.Sprint(g)})
	}
	if want.Notify != got.Notify {
		add("notify", want.Notify, got.Notify)
	}
	if want.URL != got.URL {
		add("url", fmt.Sprintf("%q", want.URL), fmt.Sprintf("%q", got.URL))
	}
	if !slices.Equal(want.Email, got.Email) {
		add("email", want.Email, got.Email)
	}
	switch {
	case (want.S3 == nil) != (got.S3 == nil):
		add("s3Settings", present(want.S3 != nil), present(got.S3 != nil))
	case want.S3 != nil && *want.S3 != *got.S3:
		if want.S3.ARN != got.S3.ARN {
			add("s3Settings.s3Arn", want.S3.ARN, got.S3.ARN)
		}
		if want.S3.AccessKeyID != got.S3.AccessKeyID {
			add("s3Settings.s3AccessKeyId", want.S3.AccessKeyID, got.S3.AccessKeyID)
		}
		if want.S3.SecretAccessKey != got.S3.SecretAccessKey {
			add("s3Settings.s3SecretAccessKey", recmock.Redacted, recmock.Redacted+" (a different one)")
		}
	}
	return out
}

func present(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}

// fieldViolations turns a validation error into violations, with each field's value taken
// from the body (secrets masked).
func fieldViolations(side string, err error, body []byte) []Violation {
	var re *recmock.Error
	if !errors.As(err, &re) || len(re.Fields) == 0 {
		return []Violation{{Side: side, Field: "body", Rule: err.Error()}}
	}
	var doc any
	_ = json.Unmarshal(body, &doc)
	out := make([]Violation, len(re.Fields))
	for i, f := range re.Fields {
		out[i] = Violation{Side: side, Field: f.Field, Rule: f.Message, Value: valueAt(doc, f.Field)}
	}
	return out
}

// valueAt renders the value at a dotted path, masking secrets and cutting long values.
func valueAt(doc any, path string) string {
	if path == "" || path == "body" || doc == nil {
		return ""
	}
	cur := doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		if cur, ok = m[k]; !ok {
			return ""
		}
		if strings.EqualFold(k, "s3SecretAccessKey") {
			return recmock.Redacted
		}
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return ""
	}
	return excerpt(b)
}

func excerpt(b []byte) string {
	s := string(b)
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
