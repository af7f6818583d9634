package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/recmock/recmock"
)

// Body is a body as read: its bytes and, once Decode has read them, its JSON value. The zero
// Body is no body at all.
type Body struct {
	Raw []byte
	// Value is the JSON value as encoding/json decodes it into an any with UseNumber: objects
	// as map[string]any, numbers as json.Number. It is nil for no body and for null.
	Value any
}

// Present reports whether there was a body.
func (b Body) Present() bool { return len(b.Raw) > 0 }

// Decode reads raw as exactly one JSON value, the only time a request's body is decoded. It
// refuses what encoding/json would let through silently — invalid UTF-8 and lone surrogates
// in strings, which it would keep rewritten as U+FFFD, and data after the value — so that
// what is stored and answered is what was sent. An empty raw is no body, not an error. Errors
// are a CodeInvalid *recmock.Error naming the field.
func Decode(raw []byte) (Body, error) {
	if len(raw) == 0 {
		return Body{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := decodeOne(dec, raw, &v); err != nil {
		return Body{Raw: raw}, err
	}
	return Body{Raw: raw, Value: v}, nil
}

// DecodeInto decodes a body openapi.yaml has validated into v, refusing fields v does not
// have: the admin API reads its bodies so. JSON Schema reads numbers by value, so an integer
// field it took may be written 1e3 or 2.0, which encoding/json refuses for an int; such
// numbers are written as plain integers first, so that a body the schema accepts is one the
// handler reads.
func DecodeInto(body Body, v any) error {
	raw := body.Raw
	if plain, changed := plainIntegers(body.Value); changed {
		b, err := json.Marshal(plain)
		if err != nil {
			return err
		}
		raw = b
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return decodeOne(dec, raw, v)
}

// plainIntegers returns v with every integral number that is not written as an integer
// (1e3, 2.0, -0) written as one, and whether it changed anything. Numbers beyond 2^53, where
// float64 is no longer exact, are left as they are.
func plainIntegers(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if p, changed := plainIntegers(e); changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = p
			}
		}
		return out, out != nil
	case []any:
		var out []any
		for i, e := range x {
			if p, changed := plainIntegers(e); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = p
			}
		}
		return out, out != nil
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return x, false
		}
		f, err := x.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return x, false
		}
		return json.Number(strconv.FormatInt(int64(f), 10)), true
	}
	return v, false
}

func decodeOne(dec *json.Decoder, raw []byte, v any) error {
	if err := dec.Decode(v); err != nil {
		return recmock.Invalid(jsonFieldError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return recmock.Invalid(recmock.FieldError{Field: "body", Message: "unexpected data after the JSON value"})
	}
	if f, bad := badText(raw); bad {
		return recmock.Invalid(f)
	}
	return nil
}

// jsonFieldError turns an encoding/json error into the field and rule a client can act on.
func jsonFieldError(err error) recmock.FieldError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return recmock.FieldError{Field: "body", Message: "is empty; send a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return recmock.FieldError{Field: "body", Message: "invalid JSON: unexpected EOF"}
	case errors.As(err, &syntax):
		return recmock.FieldError{Field: "body", Message: "invalid JSON: " + strings.TrimPrefix(syntax.Error(), "json: ")}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return recmock.FieldError{Field: "body", Message: "must be " + kind(typ.Value)}
		}
		return recmock.FieldError{Field: typ.Field, Message: "must be " + article(typ.Type.Kind().String()) + ", not " + kind(typ.Value)}
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "emails"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, uerr := strconv.Unquote(name); uerr == nil {
			name = f
		}
		if name == "" {
			return recmock.FieldError{Field: "body", Message: "has a field with an empty name"}
		}
		return recmock.FieldError{Field: name, Message: "is not a known field"}
	}
	return recmock.FieldError{Field: "body", Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// kind names the JSON kind encoding/json reports in an UnmarshalTypeError.
func kind(v string) string {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return "a number"
	case v == "bool":
		return "a boolean"
	case v == "array", v == "object":
		return "an " + v
	case v == "string":
		return "a string"
	}
	return fmt.Sprint(v)
}
