package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/recmock/recmock"
)

// The fuzz check's generator. A sequence depends on nothing but the seed and the shape of
// openapi.yaml's NotificationSettingsInput: which properties it has, their JSON types, length
// bounds and enums, which are required, and whether others are refused. What the schema
// cannot say (how e-mail lists are split, what an S3 ARN looks like, that the S3 fields go
// together) comes from the rules of the root package, as values written for each known
// property; a property added to the schema is generated from its type and bounds alone.

// inputSchema is what the generator reads of NotificationSettingsInput.
type inputSchema struct {
	props    []propSchema // sorted by name, so that a seed gives the same sequence every time
	required []string
	closed   bool // additionalProperties: false
}

// propSchema is one property: its JSON types (from type, or the alternatives of oneOf,
// anyOf and allOf), its enum and its length bounds (maxLen < 0: none).
type propSchema struct {
	name           string
	types          []string
	enum           []any
	minLen, maxLen int
}

// settingsInputSchema is NotificationSettingsInput as read from the embedded openapi.yaml,
// read on the first call and shared afterwards, as wire.Spec shares its validator: the
// document never changes, and parsing it is most of what a short fuzz run costs.
var settingsInputSchema = sync.OnceValues(readSettingsInputSchema)

func readSettingsInputSchema() (inputSchema, error) {
	doc, err := recmock.LoadSpec()
	if err != nil {
		return inputSchema{}, err
	}
	ref := doc.Components.Schemas["NotificationSettingsInput"]
	if ref == nil || ref.Value == nil {
		return inputSchema{}, fmt.Errorf("openapi.yaml has no NotificationSettingsInput schema")
	}
	s := ref.Value
	out := inputSchema{required: s.Required}
	if ap := s.AdditionalProperties.Has; ap != nil && !*ap {
		out.closed = true
	}
	for name, p := range s.Properties {
		if p == nil || p.Value == nil {
			continue
		}
		ps := propSchema{name: name, maxLen: -1}
		readProp(&ps, p.Value)
		out.props = append(out.props, ps)
	}
	slices.SortFunc(out.props, func(a, b propSchema) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

func readProp(ps *propSchema, s *openapi3.Schema) {
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if !slices.Contains(ps.types, t) {
				ps.types = append(ps.types, t)
			}
		}
	}
	ps.enum = append(ps.enum, s.Enum...)
	ps.minLen = max(ps.minLen, int(s.MinLength))
	if s.MaxLength != nil && (ps.maxLen < 0 || int(*s.MaxLength) < ps.maxLen) {
		ps.maxLen = int(*s.MaxLength)
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, a := range alts {
			if a != nil && a.Value != nil {
				readProp(ps, a.Value)
			}
		}
	}
}

// authCrossed, for the fuzz check only, sends the account's apiKey with the other account's
// secret: a deployment that checks a secret against every account's, not the key's own, is
// found by no other request.
const authCrossed Auth = -1

// step is one request of a sequence.
type step struct {
	Method string
	Auth   Auth   // AuthConfigured or AuthOther, or AuthNone / AuthWrongSecret / authCrossed
	Body   string // for POST and PUT; sent as is
}

// gen draws sequences from one seeded source.
type gen struct {
	r      *rand.Rand
	schema inputSchema
	accts  int // 1 or 2
}

// sequenceSeed is the source of sequence i of a run seeded with seed: each sequence can be
// drawn again on its own.
func sequenceSeed(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(i)))
}

// maxSteps bounds a sequence's requests, before the GETs that close it.
const maxSteps = 8

// sequence draws one sequence of 1 to maxSteps requests.
func (g *gen) sequence() []step {
	n := 1 + g.r.IntN(maxSteps)
	steps := make([]step, n)
	for i := range steps {
		st := step{Method: pick(g.r, http.MethodGet, http.MethodGet, http.MethodGet, http.MethodPost, http.MethodPost, http.MethodPost, http.MethodPut, http.MethodPut, http.MethodPut, http.MethodPut), Auth: AuthConfigured}
		switch x := g.r.IntN(100); {
		case x < 6:
			st.Auth = AuthNone
		case x < 10:
			st.Auth = AuthWrongSecret
		case g.accts > 1 && x < 13:
			st.Auth = authCrossed
		case g.accts > 1 && x < 45:
			st.Auth = AuthOther
		}
		if st.Method != http.MethodGet {
			if g.r.IntN(10) < 6 {
				st.Body = g.validBody()
			} else {
				st.Body = g.invalidBody()
			}
		}
		steps[i] = st
	}
	return steps
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// member is one name and value of a body, kept in order.
type member struct {
	name  string
	value any // a Go value for encoding/json, or rawJSON
}

// rawJSON is a value written as it is.
type rawJSON string

// validBody is a body the rules accept: notify in one of its forms, and any of the other
// properties with values the rules accept, the S3 fields all together.
func (g *gen) validBody() string { return g.render(g.validMembers()) }

func (g *gen) validMembers() []member {
	var ms []member
	for _, p := range g.schema.props {
		switch {
		case slices.Contains(g.schema.required, p.name):
		case isS3Field(p.name):
			continue // below, the three together
		case g.r.IntN(2) == 0:
			continue
		}
		ms = append(ms, member{p.name, g.validValue(p)})
	}
	if g.r.IntN(3) == 0 {
		for _, p := range g.schema.props {
			if isS3Field(p.name) {
				ms = append(ms, member{p.name, g.validValue(p)})
			}
		}
	}
	g.r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	return ms
}

func isS3Field(name string) bool {
	return name == "s3Arn" || name == "s3AccessKeyId" || name == "s3SecretAccessKey"
}

// invalidBody is a valid body with one thing wrong: a value of the wrong type or that
// breaks its rule, a partial S3 set, an unknown or missing field, or a body that is not an
// object or not JSON at all.
func (g *gen) invalidBody() string {
	ms := g.validMembers()
	switch g.r.IntN(9) {
	case 0, 1: // a value of the wrong JSON type
		p := pick(g.r, g.schema.props...)
		ms = setMember(ms, p.name, g.wrongType(p))
	case 2, 3, 4: // a value that breaks its rule
		p := pick(g.r, g.schema.props...)
		ms = setMember(ms, p.name, g.invalidValue(p))
	case 5: // one or two of the three S3 fields
		var s3 []propSchema
		for _, p := range g.schema.props {
			if isS3Field(p.name) {
				ms = slices.DeleteFunc(ms, func(m member) bool { return m.name == p.name })
				s3 = append(s3, p)
			}
		}
		g.r.Shuffle(len(s3), func(i, j int) { s3[i], s3[j] = s3[j], s3[i] })
		for _, p := range s3[:min(len(s3), 1+g.r.IntN(2))] {
			ms = append(ms, member{p.name, g.validValue(p)})
		}
	case 6: // a field the schema does not have
		names := []string{"emails", "Notify", "URL", "s3Settings", "username", "s3arn", "notify ", ""}
		for _, p := range g.schema.props {
			names = append(names, strings.ToUpper(p.name[:1])+p.name[1:])
		}
		ms = append(ms, member{pick(g.r, names...), pick[any](g.r, "Ann@Example.com", true, 1, map[string]any{"s3Arn": testARN})})
	case 7: // a required field missing
		for _, name := range g.schema.required {
			ms = slices.DeleteFunc(ms, func(m member) bool { return m.name == name })
		}
	case 8: // not an object, or not JSON
		return pick(g.r, `[]`, `null`, `"notify"`, `42`, `true`, `{"notify":true`, `notify=true`,
			`{"notify":true}{"notify":false}`, `{"notify":true} x`, `{'notify':true}`, `{"notify":tru}`, "\xff\xfe{}", ` `)
	}
	return g.render(ms)
}

func setMember(ms []member, name string, v any) []member {
	for i := range ms {
		if ms[i].name == name {
			ms[i].value = v
			return ms
		}
	}
	return append(ms, member{name, v})
}

// render writes members as a JSON object, now and then spaced out or with letters written as
// \u escapes: valid JSON a careless parser may not read.
func (g *gen) render(ms []member) string {
	return renderMembers(ms, g.r.IntN(8) == 0, g.r.IntN(10) == 0)
}

func renderMembers(ms []member, spaced, escaped bool) string {
	var b bytes.Buffer
	sep := ","
	if spaced {
		sep = ",\n  "
		b.WriteString("{\n  ")
	} else {
		b.WriteByte('{')
	}
	for i, m := range ms {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(jsonValue(m.name, false))
		if spaced {
			b.WriteString(" : ")
		} else {
			b.WriteByte(':')
		}
		b.WriteString(jsonValue(m.value, escaped))
	}
	if spaced {
		b.WriteString("\n}")
	} else {
		b.WriteByte('}')
	}
	return b.String()
}

// jsonValue encodes v; escaped writes the letters of strings as \u escapes.
func jsonValue(v any, escaped bool) string {
	if r, ok := v.(rawJSON); ok {
		return string(r)
	}
	s := marshal(v)
	if str, ok := v.(string); ok && escaped {
		var b strings.Builder
		b.WriteByte('"')
		for _, c := range str {
			if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				fmt.Fprintf(&b, `\u%04x`, c)
				continue
			}
			b.WriteString(strings.Trim(marshal(string(c)), `"`))
		}
		b.WriteByte('"')
		return b.String()
	}
	return s
}

// objectMembers reports whether a body is exactly one JSON object, and returns its members
// in order, their values as written.
func objectMembers(body string) ([]member, bool) {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		ms = append(ms, member{name, rawJSON(v)})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // data after the object
	}
	return ms, true
}

// stringValue is a member's value when it is a JSON string.
func stringValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case rawJSON:
		var s string
		return s, json.Unmarshal([]byte(x), &s) == nil
	}
	return "", false
}
