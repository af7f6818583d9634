package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/recmock/recmock"
)

// propertyRE finds the property kin-openapi names, quoted with %q, in a SchemaError's Reason.
var propertyRE = regexp.MustCompile(`property ("(?:[^"\\]|\\.)*")`)

// property is the property a Reason names, unquoted, and whether it names one.
func property(reason string) (string, bool) {
	m := propertyRE.FindStringSubmatch(reason)
	if m == nil {
		return "", false
	}
	name, err := strconv.Unquote(m[1])
	return name, err == nil
}

// fieldErrors flattens kin-openapi's errors into one FieldError per broken rule.
func fieldErrors(err error) []recmock.FieldError {
	var out []recmock.FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, e := range e {
				walk(e)
			}
			return
		case *openapi3.SchemaError:
			out = append(out, schemaFieldError(e))
			return
		case *openapi3filter.ParseError:
			out = append(out, recmock.FieldError{Field: "body", Message: "invalid JSON: " + e.Error()})
			return
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				out = append(out, recmock.FieldError{Field: e.Parameter.Name, Message: paramMessage(e)})
			case e.Err != nil:
				walk(e.Err)
			default:
				out = append(out, recmock.FieldError{Field: "body", Message: e.Reason})
			}
			return
		case *openapi3filter.ResponseError:
			if e.Err != nil {
				walk(e.Err)
			} else {
				out = append(out, recmock.FieldError{Field: "response", Message: e.Reason})
			}
			return
		}
		if errors.Is(err, openapi3filter.ErrInvalidRequired) {
			out = append(out, recmock.FieldError{Field: "body", Message: "is required; send a JSON object"})
			return
		}
		if u := errors.Unwrap(err); u != nil {
			walk(u)
			return
		}
		out = append(out, recmock.FieldError{Field: "body", Message: err.Error()})
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
	if errors.Is(e.Err, openapi3filter.ErrInvalidRequired) {
		return "is required"
	}
	if p := e.Parameter; p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type != nil && len(p.Schema.Value.Type.Slice()) > 0 {
		return "must be " + article(p.Schema.Value.Type.Slice()[0])
	}
	if e.Reason != "" {
		return e.Reason
	}
	return e.Error()
}

func schemaFieldError(se *openapi3.SchemaError) recmock.FieldError {
	path := se.JSONPointer()
	var msg string
	// kin-openapi names the property of "required" and "unsupported" errors only in Reason.
	unsupported := strings.HasSuffix(se.Reason, " is unsupported")
	switch {
	case se.SchemaField == "required", unsupported:
		if name, ok := property(se.Reason); ok && name != "" && (len(path) == 0 || path[len(path)-1] != name) {
			path = append(path, name)
		}
		msg = "is required"
		if unsupported {
			msg = "is not a known field"
			if name, ok := property(se.Reason); ok && name == "" {
				msg = "has a field with an empty name"
			}
		}
	case se.SchemaField == "nullable":
		msg = "must not be null"
		if se.Schema.Type != nil && len(se.Schema.Type.Slice()) > 0 {
			msg = "must be " + article(se.Schema.Type.Slice()[0]) + ", not null"
		}
	case slices.Contains([]string{"pattern", "not", "oneOf", "anyOf", "format", "enum"}, se.SchemaField):
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
	if field == "" {
		field = "body"
	}
	return recmock.FieldError{Field: field, Message: msg}
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
	case "not":
		return "must not match the schema under not"
	case "minimum":
		if s.Min != nil {
			return "must be at least " + strconv.FormatFloat(*s.Min, 'f', -1, 64)
		}
	case "maximum":
		if s.Max != nil {
			return "must be at most " + strconv.FormatFloat(*s.Max, 'f', -1, 64)
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
