package recmock

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// Redacted is how secrets appear in logs, journals, reports and admin answers.
const Redacted = "***"

// The secret policy. A field holds a secret when its struct field carries the tag
// `recmock:"secret"`; its JSON name, in any case, is then a secret name wherever it appears: in a
// JSON body (even a malformed or cut one, and even when the name is written with escapes), in a
// query string or a form, in a decoded value. Every part of recmock that shows what went over
// the wire — the request journal, the proxy's violations, the contract suite's reports, the
// logs, the admin API — masks through the functions below, so that a secret field added to the
// domain types is masked everywhere by its tag alone.
var secretNames = func() []string {
	var names []string
	for _, t := range []reflect.Type{reflect.TypeFor[Settings](), reflect.TypeFor[SettingsInput]()} {
		walkFields(t, func(f reflect.StructField, name string) {
			if f.Tag.Get("recmock") == "secret" && !slices.Contains(names, name) {
				names = append(names, name)
			}
		})
	}
	return names
}()

// walkFields calls fn for every field of struct type t that has a JSON name, descending into
// fields of struct or pointer-to-struct type.
func walkFields(t reflect.Type, fn func(f reflect.StructField, name string)) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		fn(f, name)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[Notify]() {
			walkFields(ft, fn)
		}
	}
}

// jsonName is the name a field goes over the wire with, or "" when it does not.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// IsSecret reports whether a field, named as it goes over the wire, holds a secret. Case is
// ignored, so a misspelt field keeps its secret too.
func IsSecret(name string) bool {
	for _, s := range secretNames {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// isSecretName is IsSecret for a name as bytes, without converting it: the journal redacts
// every request and answer, member name by member name.
func isSecretName(name []byte) bool {
	for _, s := range secretNames {
		if len(name) == len(s) && bytes.EqualFold(name, []byte(s)) {
			return true
		}
	}
	return false
}

// secretHeaders are the request and response headers whose values are credentials.
var secretHeaders = map[string]bool{
	"Authorization":        true,
	"Proxy-Authorization":  true,
	"Cookie":               true,
	"Set-Cookie":           true,
	"X-Api-Key":            true,
	"X-Amz-Security-Token": true,
	"X-Recmock-Token":      true,
}

// IsSecretHeader reports whether an HTTP header carries credentials.
func IsSecretHeader(name string) bool { return secretHeaders[http.CanonicalHeaderKey(name)] }

// RedactBody masks the secret values of a body as it was sent: JSON (valid or not) when it
// starts like JSON, a query string or form otherwise. Everything but the secret values is
// kept byte for byte. A body without secrets is returned as it is.
func RedactBody(b []byte) []byte {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return redactJSONText(b)
	}
	return []byte(RedactQuery(string(b)))
}

// RedactQuery masks the values of secret parameters in a query string or form body, whatever
// their percent-encoding.
func RedactQuery(q string) string {
	if q == "" {
		return q
	}
	var out strings.Builder
	changed := false
	for i, pair := range strings.Split(q, "&") {
		if i > 0 {
			out.WriteByte('&')
		}
		k, _, hasValue := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && IsSecret(strings.TrimSpace(name)) {
			out.WriteString(k + "=" + Redacted)
			changed = true
			continue
		}
		out.WriteString(pair)
	}
	if !changed {
		return q
	}
	return out.String()
}

// RedactValue returns a copy of a decoded JSON value (as encoding/json decodes into any) whose
// secret members read "***".
func RedactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if IsSecret(k) {
				out[k] = Redacted
				continue
			}
			out[k] = RedactValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = RedactValue(e)
		}
		return out
	}
	return v
}

// redactJSONText masks the value after every secret member name in JSON text, which need not
// be valid: a body cut short, malformed or with unknown fields still keeps its secrets. Names
// are read as JSON reads them, escapes included, so "s3SecretAccess\u004bey" is recognised.
func redactJSONText(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			break
		}
		i += q
		end := stringEnd(b, i+1)
		name := b[i+1 : min(end, len(b))]
		j := skipSpace(b, end+1)
		if j >= len(b) || b[j] != ':' || !isSecretLiteral(name) {
			i = end + 1
			continue
		}
		k := skipSpace(b, j+1)
		vend := valueEnd(b, k)
		out = append(out, b[last:k]...)
		out = append(out, `"`+Redacted+`"`...)
		last, i = vend, vend
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// isSecretLiteral reports whether the body of a JSON string literal names a secret.
func isSecretLiteral(lit []byte) bool {
	if bytes.IndexByte(lit, '\\') < 0 {
		return isSecretName(lit)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, lit...), '"'), &s) != nil {
		return false
	}
	return IsSecret(s)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index of the quote closing a JSON string whose body starts at i, or len(b)
// when the text ends first.
func stringEnd(b []byte, i int) int {
	for i < len(b) {
		j := bytes.IndexAny(b[i:], `"\\`)
		if j < 0 {
			break
		}
		if i += j; b[i] == '"' {
			return i
		}
		i += 2 // an escape: the next byte is part of it, a quote included
	}
	return len(b)
}

// valueEnd is where the JSON value starting at i ends: after a string's closing quote, an
// object's or array's matching bracket (or the end of the text), or a bare token.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return min(stringEnd(b, i+1)+1, len(b))
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j+1)
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
		j++
	}
	return j
}

// redactStruct sets every string field tagged `recmock:"secret"` of the struct v points to,
// and of the structs it holds, to "***", copying pointed-to structs rather than changing them.
func redactStruct(v reflect.Value) {
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case !sf.IsExported():
		case sf.Tag.Get("recmock") == "secret" && f.Kind() == reflect.String:
			if f.String() != "" {
				f.SetString(Redacted)
			}
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct:
			c := reflect.New(f.Elem().Type())
			c.Elem().Set(f.Elem())
			redactStruct(c.Elem())
			f.Set(c)
		case f.Kind() == reflect.Struct:
			redactStruct(f)
		}
	}
}

// logValue renders a struct as a group of its JSON fields, for slog: the same names as on the
// wire, nested structs as groups, unset pointers left out.
func logValue(v reflect.Value) slog.Value {
	var attrs []slog.Attr
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		name := jsonName(sf)
		if name == "" {
			continue
		}
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[Notify]() {
			attrs = append(attrs, slog.Attr{Key: name, Value: logValue(f)})
			continue
		}
		attrs = append(attrs, slog.Any(name, f.Interface()))
	}
	return slog.GroupValue(attrs...)
}
