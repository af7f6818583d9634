package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// envelopeSchema names the openapi.yaml component each envelope status must match.
var envelopeSchema = map[int]string{
	recmock.StatusSuccess:      "SettingsEnvelope",
	recmock.StatusFailed:       "ErrorEnvelope",
	recmock.StatusUnauthorized: "UnauthorizedEnvelope",
}

// oneJSONValue is why an answer declared as JSON is not exactly one JSON value (bytes after
// it, say), or nil.
func oneJSONValue(res *Response) error {
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if mt != "application/json" {
		return nil
	}
	if _, err := wire.Decode(res.Body); err != nil {
		return fmt.Errorf("the answer is declared as JSON but is not one JSON value: %w", err)
	}
	return nil
}

// expectJSON fails the check unless the answer is declared application/json.
func (t *T) expectJSON(res *Response) {
	ct := res.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		t.Diff("Content-Type", "application/json", ct)
	}
}

// expectEnvelope is the hard part of every answer: JSON, the envelope with the status value
// wanted, valid against that envelope's schema in openapi.yaml (which Do checks). The HTTP status is recmock's
// decision: a different one is only observed here (the decision.* checks assert it), and when
// it is the one decided, the whole answer must match openapi.yaml, headers included.
func (t *T) expectEnvelope(res *Response, want, decided int) map[string]json.RawMessage {
	t.expectJSON(res)
	var env map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &env); err != nil || env == nil {
		t.Fatalf("HTTP %d: the answer is not a JSON object, so not the envelope", res.Status)
	}
	var got any
	if err := json.Unmarshal(env["status"], &got); err != nil {
		got = nil
	}
	if f, ok := got.(float64); !ok || f != float64(want) {
		t.Diff("envelope status", float64(want), got)
		t.Fatalf("HTTP %d: status is %s, want %d%s", res.Status, orMissing(env["status"]), want, messageOf(env))
	}
	// Do has reported a body that breaks its envelope's schema; what is left to check against
	// openapi.yaml is the rest of the answer, when its status is the one documented.
	if res.schemaErr == nil && res.Status == decided && res.route != nil && res.specErr != nil {
		t.Errorf("the answer breaks openapi.yaml: %v", res.specErr)
	}
	if res.Status != decided {
		t.Observef("HTTP %d where recmock answers %d (%s)", res.Status, decided, http.StatusText(decided))
	}
	var content map[string]json.RawMessage
	json.Unmarshal(env["content"], &content)
	return content
}

func orMissing(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	return string(raw)
}

func messageOf(env map[string]json.RawMessage) string {
	var c struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(env["content"], &c) == nil && c.Message != "" {
		return " (message: " + c.Message + ")"
	}
	return ""
}

// expectSuccess wants the success envelope and returns its data.
func (t *T) expectSuccess(res *Response) recmock.Settings {
	content := t.expectEnvelope(res, recmock.StatusSuccess, http.StatusOK)
	var s recmock.Settings
	if err := json.Unmarshal(content["data"], &s); err != nil {
		t.Fatalf("data does not decode as settings: %v", err)
	}
	return s
}

// expectRefused wants the failure envelope naming each field, in errors or in the message.
func (t *T) expectRefused(res *Response, decided int, fields ...string) {
	content := t.expectEnvelope(res, recmock.StatusFailed, decided)
	var msg string
	var errs []recmock.FieldError
	json.Unmarshal(content["message"], &msg)
	json.Unmarshal(content["errors"], &errs)
	if strings.TrimSpace(msg) == "" {
		t.Errorf("the failure has no message")
	}
	var unnamed []string
	for _, f := range fields {
		if !strings.Contains(msg, f) && !slices.ContainsFunc(errs, func(e recmock.FieldError) bool { return e.Field == f }) {
			unnamed = append(unnamed, f)
		}
	}
	if len(unnamed) > 0 {
		named := []string{}
		for _, e := range errs {
			named = append(named, e.Field)
		}
		t.Errorf("the failure does not name %s (message: %q)", strings.Join(unnamed, ", "), msg)
		t.Diff("fields named in errors", fields, named)
	}
}

// expectUnauthorized wants the not-authorized envelope.
func (t *T) expectUnauthorized(res *Response) {
	t.expectEnvelope(res, recmock.StatusUnauthorized, http.StatusUnauthorized)
}

// expectFailureEnvelope wants the failure envelope whatever the HTTP status, for the
// decision.* checks that assert the status themselves.
func (t *T) expectFailureEnvelope(res *Response) {
	t.expectEnvelope(res, recmock.StatusFailed, res.Status)
}

// expectHTTP is the decision.* checks' assertion: the HTTP status recmock decided on.
func (t *T) expectHTTP(res *Response, want int) {
	if res.Status != want {
		t.Errorf("HTTP %d, want %d (%s): recmock's decision where the vendor documents none", res.Status, want, http.StatusText(want))
		t.Diff("HTTP status", want, res.Status)
		t.Observef("HTTP %d with status %s where recmock answers %d", res.Status, orMissing(rawStatus(res.Body)), want)
	}
}

func rawStatus(body []byte) json.RawMessage {
	var env struct {
		Status json.RawMessage `json:"status"`
	}
	json.Unmarshal(body, &env)
	return env.Status
}

// dataField returns one field of a success answer's data as raw JSON, and whether it is there.
func dataField(body []byte, name string) (json.RawMessage, bool) {
	var env struct {
		Content struct {
			Data map[string]json.RawMessage `json:"data"`
		} `json:"content"`
	}
	json.Unmarshal(body, &env)
	v, ok := env.Content.Data[name]
	return v, ok
}

// get reads the settings.
func (t *T) get() *Response { return t.Do(Request{}) }

// send POSTs or PUTs body.
func (t *T) send(method, body string) *Response {
	return t.Do(Request{Method: method, Body: body})
}

// needSettings makes sure the account has settings to read or to PUT over, creating
// {"notify":false} when it has none; without writes, the check is skipped.
func (t *T) needSettings() { t.needSettingsOf(t.r.accts[0]) }

// needSettingsOf is needSettings for either account.
func (t *T) needSettingsOf(a *account) {
	if a.exists {
		return
	}
	if t.r.writes != "" {
		t.Skipf("%s has no settings, and creating some %s", a.label, t.r.writes)
	}
	res := t.Do(Request{Method: http.MethodPost, Body: offBody, Auth: a.auth})
	switch statusOf(res.Body) {
	case recmock.StatusSuccess:
	case recmock.StatusFailed:
		// Settings appeared since the snapshot (another client, or a DELETE not honoured).
		a.exists = true
	default:
		t.Fatalf("could not create settings for %s to work on: HTTP %d", a.label, res.Status)
	}
}

// needNoSettings skips a check that can only be asked of an account without settings.
func (t *T) needNoSettings() {
	if t.r.accts[0].exists {
		t.Skipf("the account has settings, and the API has no DELETE to remove them: ask this of an account without settings")
	}
}

// put replaces the settings with body, creating some first when the account has none.
func (t *T) put(body string) *Response {
	t.needSettings()
	return t.send(http.MethodPut, body)
}

// putOK PUTs body, wants it accepted, and wants GET to read back what PUT answered. It returns
// the settings with the raw answers of both.
func (t *T) putOK(body string) (recmock.Settings, *Response, *Response) {
	put := t.put(body)
	s := t.expectSuccess(put)
	get := t.get()
	g := t.expectSuccess(get)
	t.Diff("GET after PUT", s, g)
	return s, put, get
}

// putRefused PUTs body, wants it refused naming fields, and wants the settings unchanged.
func (t *T) putRefused(body string, fields ...string) {
	t.needSettings()
	before := t.get()
	t.expectRefused(t.send(http.MethodPut, body), http.StatusBadRequest, fields...)
	after := t.get()
	if !bytes.Equal(before.Body, after.Body) {
		t.Diff("settings after a refused PUT", string(before.Body), string(after.Body))
	}
}

// want is the settings expected after a PUT: username as answered, email never nil.
func want(got recmock.Settings, s recmock.Settings) recmock.Settings {
	s.Username = got.Username
	if s.Email == nil {
		s.Email = []string{}
	}
	return s
}

// answer is a named answer, to report on PUT's and GET's in a fixed order.
type answer struct {
	name string
	res  *Response
}

func answers(put, get *Response) []answer { return []answer{{"PUT", put}, {"GET", get}} }

// dataValue decodes one field of a success answer's data, nil when it is missing.
func dataValue(body []byte, name string) any {
	raw, _ := dataField(body, name)
	var v any
	json.Unmarshal(raw, &v)
	return v
}

// diffAbsent fails the check when a field is in the answer's data, showing the data's fields.
func (t *T) diffAbsent(a answer, field, after string) {
	if _, ok := dataField(a.res.Body, field); !ok {
		return
	}
	var env struct {
		Content struct {
			Data map[string]json.RawMessage `json:"data"`
		} `json:"content"`
	}
	json.Unmarshal(a.res.Body, &env)
	var got, want []string
	for k := range env.Content.Data {
		got = append(got, k)
		if k != field {
			want = append(want, k)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	t.Errorf("after %s, %s answers %s as %s, want it left out", after, a.name, field, env.Content.Data[field])
	t.Diff(a.name+" data fields", want, got)
}
