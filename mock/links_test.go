package mock_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// operation is one operation of openapi.yaml with where it is served.
type operation struct {
	method, path string
	op           *openapi3.Operation
}

// TestLinks follows openapi.yaml's links as a stateful tool (Schemathesis' stateful phase)
// does: from POST with each of its request examples, every link of every answer, as far as
// they lead. Each linked request must succeed and answer the settings the first POST stored.
// A link this test cannot follow (parameters, an expression it does not know) fails it, so a
// link added to the document is either followed here or noticed.
func TestLinks(t *testing.T) {
	doc, err := recmock.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = operation{method: method, path: path, op: op}
		}
	}
	start := ops["createNotificationSettings"]
	examples := start.op.RequestBody.Value.Content.Get("application/json").Examples
	if len(examples) == 0 {
		t.Fatal("POST has no request examples to start from")
	}
	followed := 0
	for name, ex := range examples {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, mock.Config{})
			body, err := json.Marshal(ex.Value.Value)
			if err != nil {
				t.Fatal(err)
			}
			res := c.do(req{Method: start.method, Path: start.path, Body: string(body)})
			if res.Status != 200 {
				t.Fatalf("POST %s: %d %s", body, res.Status, res.Body)
			}
			followed += follow(t, c, ops, start, string(body), res, data(t, res.Body), 0)
		})
	}
	if followed == 0 {
		t.Error("POST's answers link nowhere")
	}
}

// follow runs every link of the answer res to the request src sent with body, checks that
// each answers want, and follows the links of those answers in turn. It returns how many
// links it followed.
func follow(t *testing.T, c *client, ops map[string]operation, src operation, body string, res response, want recmock.Settings, depth int) int {
	t.Helper()
	if depth > 3 {
		return 0
	}
	r := src.op.Responses.Status(res.Status)
	if r == nil || r.Value == nil {
		t.Fatalf("%s %s answered %d, which openapi.yaml does not document", src.method, src.path, res.Status)
	}
	n := 0
	for name, l := range r.Value.Links {
		link := l.Value
		target, ok := ops[link.OperationID]
		if !ok {
			t.Fatalf("link %s names operation %q, which openapi.yaml does not have", name, link.OperationID)
		}
		if len(link.Parameters) > 0 || link.OperationRef != "" {
			t.Fatalf("link %s has parameters or an operationRef: teach TestLinks to send them", name)
		}
		var next string
		if link.RequestBody != nil {
			next = evaluate(t, link.RequestBody, body, res.Body)
		}
		got := c.do(req{Method: target.method, Path: target.path, Body: next})
		if got.Status/100 != 2 {
			t.Fatalf("link %s: %s %s %s answered %d %s", name, target.method, target.path, next, got.Status, got.Body)
		}
		if diff := cmp.Diff(want, data(t, got.Body)); diff != "" {
			t.Errorf("link %s: %s answers other settings (-want +got):\n%s", name, target.method, diff)
		}
		n += 1 + follow(t, c, ops, target, next, got, want, depth+1)
	}
	return n
}

// evaluate reads a link's requestBody: a runtime expression over the linked request's body
// or answer ($request.body, $response.body, either with a #/json-pointer), or a literal.
func evaluate(t *testing.T, expr any, reqBody string, resBody []byte) string {
	t.Helper()
	s, ok := expr.(string)
	if !ok || !strings.HasPrefix(s, "$") {
		b, err := json.Marshal(expr)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	source, pointer, _ := strings.Cut(s, "#")
	var doc []byte
	switch source {
	case "$request.body":
		doc = []byte(reqBody)
	case "$response.body":
		doc = resBody
	default:
		t.Fatalf("runtime expression %q: TestLinks knows only $request.body and $response.body", s)
	}
	if pointer == "" {
		return string(doc)
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not in %s", s, tok, doc)
		}
		v = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
	}
	b, _ := json.Marshal(v)
	return string(b)
}
