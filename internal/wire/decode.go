package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// DecodeInto decodes raw into v as Decode reads it, and refuses fields v does not have. The
// admin API reads its bodies so, once openapi.yaml has validated them.
func DecodeInto(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return decodeOne(dec, raw, v)
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
