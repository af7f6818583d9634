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

func (s inputSchema) prop(name string) (propSchema, bool) {
	i := slices.IndexFunc(s.props, func(p propSchema) bool { return p.name == name })
	if i < 0 {
		return propSchema{}, false
	}
	return s.props[i], true
}

// step is one request of a sequence.
type step struct {
	Method string
	Auth   Auth   // AuthConfigured or AuthOther, or AuthNone / AuthWrongSecret
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

// validValue is a value the rules accept for property p.
func (g *gen) validValue(p propSchema) any {
	switch p.name {
	case "notify":
		return pick[any](g.r, true, false, rawJSON("1"), rawJSON("0"))
	case "url":
		return g.validURL(p)
	case "email":
		return g.emailList(nil)
	case "s3Arn":
		return g.validARN()
	case "s3AccessKeyId", "s3SecretAccessKey":
		return g.text(max(1, p.minLen), p.maxLen, "AKIAaz09+/=_-~ !#é")
	}
	return g.byType(p)
}

// byType is a valid value of a property the generator knows only from its schema.
func (g *gen) byType(p propSchema) any {
	if len(p.enum) > 0 {
		return pick(g.r, p.enum...)
	}
	types := p.types
	if len(types) == 0 {
		types = []string{"string"}
	}
	switch pick(g.r, types...) {
	case "boolean":
		return g.r.IntN(2) == 0
	case "integer", "number":
		return g.r.IntN(100)
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return g.text(p.minLen, p.maxLen, "aZ09-_.~")
}

// text is a string of letters from alphabet whose length is within [minLen, maxLen], now
// and then exactly maxLen.
func (g *gen) text(minLen, maxLen int, alphabet string) string {
	hi := 40
	if maxLen >= 0 {
		hi = min(hi, maxLen)
	}
	n := minLen + g.r.IntN(max(1, hi-minLen+1))
	if maxLen >= 0 && g.r.IntN(5) == 0 {
		n = maxLen
	}
	letters := []rune(alphabet)
	var b strings.Builder
	for b.Len() < n {
		c := letters[g.r.IntN(len(letters))]
		if b.Len()+len(string(c)) > n {
			c = 'x'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// wrongType is a value of a JSON type p does not take.
func (g *gen) wrongType(p propSchema) any {
	var vs []any
	for _, c := range []struct {
		typ string
		v   any
	}{{"string", "true"}, {"boolean", true}, {"integer", rawJSON("2")}, {"number", rawJSON("1.0")}, {"array", []any{"ann@example.com"}}, {"object", map[string]any{}}, {"null", nil}} {
		if !slices.Contains(p.types, c.typ) && !(c.typ == "number" && slices.Contains(p.types, "integer")) {
			vs = append(vs, c.v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return pick(g.r, vs...)
}

// invalidValue is a value of p's type that breaks its rule, or its length bounds.
func (g *gen) invalidValue(p propSchema) any {
	switch p.name {
	case "notify":
		return pick[any](g.r, "true", "1", rawJSON("2"), rawJSON("-1"), rawJSON("1.0"), rawJSON("1e0"), nil, "yes")
	case "url":
		return pick(g.r, "ftp://contract.recmock.invalid/hook", "contract.recmock.invalid/hook", "http://", "https:// space.example/",
			"javascript:alert(1)", "//contract.recmock.invalid/hook", "https://contract.recmock.invalid/a b", fill(hookURL+"?Pad=", "x", 2049))
	case "email":
		return g.emailList([]string{pick(g.r, "not-an-address", "a@b", "Ann <ann@example.com>", "a@@example.com", "@example.com", "ann@",
			"ann@.example.com", "ann@example.com.", fill("x", "y", 250)+"@example.com", "ann@[127.0.0.1]")})
	case "s3Arn":
		return pick(g.r, "arn:aws:sqs:::recmock-contract", "arn:aws:s3:::Upper-Bucket", "arn:aws:s3:::ab", "arn:aws:s3:::"+fill("b", "c", 64),
			"arn:aws:s3:::192.168.1.1", "arn:aws:s3:::a..b", "arn:AWS:s3:::recmock-contract", "arn:aws:s3:US-EAST-1::recmock-contract",
			"arn:aws:s3::12ab:recmock-contract", "s3://recmock-contract/key", "arn:aws:s3:::", "arn:aws:s3:::-recmock", "")
	}
	if p.maxLen >= 0 && g.r.IntN(2) == 0 {
		return fill("over", "x", p.maxLen+1)
	}
	if p.minLen > 0 {
		return ""
	}
	return g.wrongType(p)
}

// validURL is a URL the rules accept: either scheme in any case, hosts with ports, IPs and
// punycode, paths and queries with upper case and escapes, now and then the longest allowed,
// or "" to clear it.
func (g *gen) validURL(p propSchema) string {
	if g.r.IntN(8) == 0 {
		return ""
	}
	u := pick(g.r, "https://", "http://", "HTTPS://") +
		pick(g.r, "contract.recmock.invalid", "Hooks.Example.com", "127.0.0.1:8443", "[::1]:9000", "xn--bcher-kva.example", "sub.domain-with-dash.example.org:65535") +
		pick(g.r, "", "/", "/Hook", "/a/B/c%2Fd", "/~User/Recordings/", "/h%C3%A9") +
		pick(g.r, "", "?Token=AbC", "?a=1&b=%2f&C=~", "?q=a+b&empty=&flag", "#Frag", "?X=1#Y")
	if maxLen := p.maxLen; maxLen > len(u) && g.r.IntN(6) == 0 {
		sep := "?Pad="
		if strings.ContainsAny(u, "?#") {
			sep = "&Pad="
		}
		return fill(u+sep, "Ab~9", maxLen)
	}
	return u
}

// validARN is an S3 ARN the rules accept: any partition, region and account forms, a valid
// bucket name of 3 to 63 characters, and a key prefix in any case.
func (g *gen) validARN() string {
	bucket := pick(g.r, "folder_name", "recmock-contract", "a.b-c_d", "rec", fill("recmock.", "b-0", 63), "0123")
	return fmt.Sprintf("arn:%s:s3:%s:%s:%s%s",
		pick(g.r, "aws", "aws-cn", "aws-us-gov", "aws-iso-b"),
		pick(g.r, "", "us-east-1", "eu-west-3", "region", "us-gov-west-1"),
		pick(g.r, "", "123456789012", "000000000000"),
		bucket,
		pick(g.r, "", "/Recordings", "/a/B/c", "/Room-A_b/2026/", "/objectpath"))
}

// emailList is an email field the rules split into valid addresses — mixed case, duplicates
// in another case, separators of every kind in any mix, now and then the longest address or
// the most addresses allowed — with extra addresses placed among them.
func (g *gen) emailList(extra []string) string {
	var addrs []string
	switch x := g.r.IntN(20); {
	case x == 0:
		_, addrs = maxEmails(recmock.MaxEmails)
	case x == 1:
		addrs = []string{maxEmail}
	case x < 4:
		// "" clears the list
	default:
		locals := []string{"ann", "Ann.Lee", "bob+Rec", "O'Brien", "x_y-z", "UPPER", "{weird}|~", "a.b.c"}
		domains := []string{"example.com", "Example.org", "mail.EXAMPLE.net", "sub-dom.example.co.uk"}
		for range 1 + g.r.IntN(5) {
			a := pick(g.r, locals...) + "@" + pick(g.r, domains...)
			if len(addrs) > 0 && g.r.IntN(3) == 0 {
				a = pick(g.r, strings.ToUpper, strings.ToLower, strings.TrimSpace)(pick(g.r, addrs...))
			}
			addrs = append(addrs, a)
		}
	}
	for _, e := range extra {
		i := g.r.IntN(len(addrs) + 1)
		addrs = slices.Insert(addrs, i, e)
	}
	var b strings.Builder
	if g.r.IntN(6) == 0 {
		b.WriteString(pick(g.r, " ", ",", "; "))
	}
	for i, a := range addrs {
		if i > 0 {
			b.WriteString(pick(g.r, ",", ";", " ", ", ", " ; ", "\t", "\n", ",,", " ,; "))
		}
		b.WriteString(a)
	}
	return b.String()
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
