package recmock

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// JSONBody is a request or response body as the Validator read it: the bytes, and the first
// JSON value in them, which is what the schema checked (kin-openapi, like json.Decoder, reads
// one value and ignores what follows).
type JSONBody struct {
	Raw   []byte
	Value any // objects as map[string]any, numbers as json.Number; nil when nothing was read
	// plain reports that Value came from decodePlain: an object without duplicate names or
	// escaped strings, ending at end.
	plain bool
	end   int
}

// decodeJSONValue reads the first JSON value of b as json.NewDecoder with UseNumber does:
// the common shapes with decodePlain, anything else with encoding/json itself.
func decodeJSONValue(b []byte) (JSONBody, error) {
	if v, end, ok := decodePlain(b); ok {
		return JSONBody{Raw: b, Value: v, plain: true, end: end}, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return JSONBody{Raw: b}, err
	}
	return JSONBody{Raw: b, Value: v}, nil
}

// decodePlain decodes a JSON object at the start of b (after white space) into what
// json.Decoder.Decode with UseNumber gives, and the offset just past it. It declines (ok
// false) rather than differ from encoding/json in any way: on strings with escapes or
// control characters, invalid UTF-8, duplicate names, deep nesting, and anything invalid, so
// that the caller decodes with encoding/json for its exact result or error.
func decodePlain(b []byte) (v any, end int, ok bool) {
	p := plainParser{b: b}
	p.space()
	if p.i >= len(b) || b[p.i] != '{' {
		return nil, 0, false
	}
	v, ok = p.value(0)
	return v, p.i, ok
}

type plainParser struct {
	b []byte
	i int
}

const plainMaxDepth = 64

func (p *plainParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *plainParser) value(depth int) (any, bool) {
	if depth > plainMaxDepth || p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *plainParser) literal(word string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return false
	}
	p.i += len(word)
	return true
}

func (p *plainParser) object(depth int) (any, bool) {
	p.i++ // {
	m := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		if _, dup := m[k]; dup {
			return nil, false
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v
		done, ok := p.separator('}')
		if !ok {
			return nil, false
		}
		if done {
			return m, true
		}
	}
}

func (p *plainParser) array(depth int) (any, bool) {
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		done, ok := p.separator(']')
		if !ok {
			return nil, false
		}
		if done {
			return a, true
		}
	}
}

// separator reads what follows a member or element: a comma (more follow) or close (done).
func (p *plainParser) separator(close byte) (done, ok bool) {
	p.space()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, true
	case close:
		p.i++
		return true, true
	}
	return false, false
}

// str reads a string without escapes or control characters, in valid UTF-8.
func (p *plainParser) str() (string, bool) {
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			p.i = j + 1
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", false
}

// number reads a JSON number as json.Number, its text unchanged.
func (p *plainParser) number() (any, bool) {
	b, i := p.b, p.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false
		}
	}
	p.i = i
	return json.Number(b[start:i]), true
}

// onlySpace reports whether b holds nothing but JSON white space.
func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// SettingsFromEnvelope returns the settings of a success envelope, {"status":1,"content":
// {"data":{...}}}, as json.Unmarshal into an Envelope reads them, for a body
// Validator.ValidateResponseJSON has checked against SettingsEnvelope. ok is false whenever
// it cannot tell with certainty (a body read by encoding/json, a status other than 1,
// anything the schema refuses): the caller unmarshals b.Raw then.
func SettingsFromEnvelope(b JSONBody) (s Settings, ok bool) {
	env, _ := b.Value.(map[string]any)
	content, _ := env["content"].(map[string]any)
	data, _ := content["data"].(map[string]any)
	if !b.plain || len(env) != 2 || env["status"] != json.Number("1") || len(content) != 1 || data == nil {
		return Settings{}, false
	}
	for k, v := range data {
		switch k {
		case "username":
			s.Username, ok = v.(string)
		case "notify":
			s.Notify, ok = v.(bool)
		case "url":
			s.URL, ok = v.(string)
		case "email":
			var list []any
			if list, ok = v.([]any); ok {
				s.Email = make([]string, len(list))
				for i, e := range list {
					if s.Email[i], ok = e.(string); !ok {
						break
					}
				}
			}
		case "s3Settings":
			var m map[string]any
			if m, ok = v.(map[string]any); ok {
				if len(m) != 3 {
					return Settings{}, false
				}
				s.S3 = &S3Settings{}
				for k, v := range m {
					var dst *string
					switch k {
					case "s3Arn":
						dst = &s.S3.ARN
					case "s3AccessKeyId":
						dst = &s.S3.AccessKeyID
					case "s3SecretAccessKey":
						dst = &s.S3.SecretAccessKey
					default:
						return Settings{}, false
					}
					if *dst, ok = v.(string); !ok {
						break
					}
				}
			}
		default:
			return Settings{}, false
		}
		if !ok {
			return Settings{}, false
		}
	}
	return s, true
}
