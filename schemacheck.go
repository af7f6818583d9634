package recmock

import (
	"encoding/json"
	"math/big"
	"reflect"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// A schemaCheck answers, for a decoded JSON value, what kin-openapi's Schema.VisitJSON
// would: valid or not. It is built once per schema of openapi.yaml and runs without
// VisitJSON's per-call settings, sorted property names and error values, which cost most of
// a request's validation. It understands only the keywords openapi.yaml's bodies use (type,
// properties, additionalProperties, required, enum, oneOf, minLength, maxLength, pattern,
// items) and says "unknown" for anything else — another keyword, a null, a cycle — so the
// Validator then asks VisitJSON itself. VisitJSON also runs whenever the check fails, to
// word the errors: the check only ever saves the work of confirming a valid value.
type schemaCheck struct {
	s          *openapi3.Schema
	empty      bool // IsEmpty: any non-null value is valid
	oneOf      []*schemaCheck
	props      map[string]*schemaCheck
	additional *schemaCheck // additionalProperties as a schema
	closed     bool         // additionalProperties: false
	items      *schemaCheck
	string     bool // has string constraints: delegated to VisitJSONString
}

// verdict is a check's answer.
type verdict int8

const (
	unknown verdict = iota
	valid
	invalid
)

// compileChecks builds the checks of schema and everything it references; nil when the
// schema uses anything a check does not understand.
func compileChecks(schema *openapi3.Schema) *schemaCheck {
	return compileCheck(schema, map[*openapi3.Schema]bool{})
}

func compileCheck(s *openapi3.Schema, onPath map[*openapi3.Schema]bool) *schemaCheck {
	if s == nil || onPath[s] || !understood(s) {
		return nil
	}
	onPath[s] = true
	defer delete(onPath, s)
	c := &schemaCheck{s: s, empty: s.IsEmpty()}
	for _, ref := range s.OneOf {
		alt := compileCheck(ref.Value, onPath)
		if alt == nil {
			return nil
		}
		c.oneOf = append(c.oneOf, alt)
	}
	if len(s.Properties) > 0 {
		c.props = make(map[string]*schemaCheck, len(s.Properties))
		for name, ref := range s.Properties {
			p := compileCheck(ref.Value, onPath)
			if p == nil {
				return nil
			}
			c.props[name] = p
		}
	}
	if ap := s.AdditionalProperties; ap.Has != nil && !*ap.Has {
		c.closed = true
	} else if ap.Schema != nil {
		if c.additional = compileCheck(ap.Schema.Value, onPath); c.additional == nil {
			return nil
		}
	}
	if s.Items != nil {
		if c.items = compileCheck(s.Items.Value, onPath); c.items == nil {
			return nil
		}
	}
	c.string = s.MinLength != 0 || s.MaxLength != nil || s.Pattern != ""
	return c
}

// understood reports whether every field of s that can affect validation is one a check
// implements: the others must all be unset. Fields that only document (titles, examples,
// extensions such as x-rule) do not count, nor does default, which VisitJSON applies only
// when asked to set defaults, as the Validator never does.
func understood(s *openapi3.Schema) bool {
	rest := *s
	rest.Type, rest.Properties, rest.AdditionalProperties, rest.Required = nil, nil, openapi3.AdditionalProperties{}, nil
	rest.Enum, rest.OneOf, rest.MinLength, rest.MaxLength, rest.Pattern, rest.Items = nil, nil, 0, nil, "", nil
	rest.Extensions, rest.Origin, rest.Title, rest.Description, rest.Default, rest.Example = nil, nil, "", "", nil, nil
	rest.ExternalDocs, rest.Deprecated, rest.XML, rest.Examples, rest.Comment = nil, false, nil, nil, ""
	if s.Type != nil && len(*s.Type) != 1 {
		return false
	}
	for _, e := range s.Enum {
		switch e.(type) {
		case string, bool, float64, int, int64:
		default:
			return false // lists, objects, json.Number: compared otherwise
		}
	}
	return reflect.DeepEqual(rest, openapi3.Schema{})
}

// check follows Schema.visitJSON for a 3.0 document, keyword by keyword, in its order.
func (c *schemaCheck) check(value any) verdict {
	if value == nil {
		return unknown // nullable and oneOf interplay: left to VisitJSON
	}
	if c.empty {
		return valid
	}
	if len(c.oneOf) > 0 {
		matched := 0
		for _, alt := range c.oneOf {
			switch alt.check(value) {
			case valid:
				matched++
			case unknown:
				return unknown
			}
		}
		if matched != 1 {
			return invalid
		}
	}
	if enum := c.s.Enum; len(enum) > 0 {
		ok := false
		for _, e := range enum {
			if equalJSON(e, value) {
				ok = true
				break
			}
		}
		if !ok {
			return invalid
		}
	}
	t := c.s.Type
	switch v := value.(type) {
	case bool:
		if !t.Permits(openapi3.TypeBoolean) {
			return invalid
		}
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return invalid
		}
		if t.Permits(openapi3.TypeInteger) && !t.Permits(openapi3.TypeNumber) {
			if !big.NewFloat(f).IsInt() {
				return invalid
			}
		} else if !t.Permits(openapi3.TypeInteger) && !t.Permits(openapi3.TypeNumber) {
			return invalid
		}
	case string:
		switch {
		case c.s.Pattern != "":
			// VisitJSONString itself: the pattern is compiled and cached by kin-openapi.
			if c.s.VisitJSONString(v) != nil {
				return invalid
			}
		case !t.Permits(openapi3.TypeString):
			return invalid
		case c.string && !lengthOK(c.s, v):
			return invalid
		}
	case []any:
		if !t.Permits(openapi3.TypeArray) {
			return invalid
		}
		if c.items != nil {
			for _, e := range v {
				if r := c.items.check(e); r != valid {
					return r
				}
			}
		}
	case map[string]any:
		if !t.Permits(openapi3.TypeObject) {
			return invalid
		}
		for k, e := range v {
			p := c.props[k]
			switch {
			case p != nil:
			case c.closed:
				return invalid
			case c.additional != nil:
				p = c.additional
			default:
				continue
			}
			if r := p.check(e); r != valid {
				return r
			}
		}
		for _, k := range c.s.Required {
			if _, ok := v[k]; !ok {
				return invalid
			}
		}
	default:
		return unknown
	}
	return valid
}

// lengthOK checks minLength and maxLength as visitJSONString does, counting as it counts.
func lengthOK(s *openapi3.Schema, v string) bool {
	length := int64(0)
	for _, r := range v {
		if utf16.IsSurrogate(r) {
			length += 2
		} else {
			length++
		}
	}
	if s.MinLength != 0 && length < int64(s.MinLength) {
		return false
	}
	return s.MaxLength == nil || length <= int64(*s.MaxLength)
}

// equalJSON is kin-openapi's equalJSONValues for the enum values understood allows (string,
// bool, float64, int, int64) against a decoded value.
func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	}
	x, _ := jsonFloat(a)
	y, ok := jsonFloat(b)
	return ok && x == y
}

func jsonFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}
