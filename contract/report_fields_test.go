package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
)

// TestJSONReportHasEveryField: the JSON report is written from types of its own (durations in
// milliseconds, names in lower camel case), so a field added to Report, Result, Restore or
// Exchange could be left out of it without any other test noticing. Every exported field,
// set to a value, must appear under its name ("Duration" as "durationMs").
func TestJSONReportHasEveryField(t *testing.T) {
	var rep Report
	fillValue(reflect.ValueOf(&rep).Elem())
	for i := range rep.Results {
		rep.Results[i].Status = StatusFail // exchanges are written for failed checks
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	checkFields(t, "report", reflect.TypeFor[Report](), doc)
}

// checkFields fails for each exported field of t that obj lacks, descending into structs and
// slices of structs.
func checkFields(t *testing.T, where string, typ reflect.Type, obj map[string]any) {
	t.Helper()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name := lowerCamel(f.Name)
		if f.Type == reflect.TypeFor[time.Duration]() {
			name += "Ms"
		}
		v, ok := obj[name]
		if !ok {
			t.Errorf("%s.%s is not in the JSON report (want the key %q)", where, f.Name, name)
			continue
		}
		elem := f.Type
		for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice {
			elem = elem.Elem()
		}
		if elem.Kind() != reflect.Struct || elem == reflect.TypeFor[time.Time]() {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			checkFields(t, where+"."+f.Name, elem, x)
		case []any:
			if m, ok := x[0].(map[string]any); ok {
				checkFields(t, where+"."+f.Name+"[0]", elem, m)
			}
		}
	}
}

// lowerCamel is a Go field name as JSON names it: ID → id, URL → url, RequestHeader → requestHeader.
func lowerCamel(s string) string {
	n := 0
	for n < len(s) && unicode.IsUpper(rune(s[n])) {
		n++
	}
	if n > 1 && n < len(s) {
		n-- // the last capital starts the next word: URLPath → urlPath
	}
	return strings.ToLower(s[:n]) + s[n:]
}

// fillValue sets every settable field of v to a value that is not zero, slices to one element.
func fillValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillValue(v.Index(0))
	case reflect.Map:
		if v.Type() == reflect.TypeFor[http.Header]() {
			v.Set(reflect.ValueOf(http.Header{"X-A": {"b"}}))
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	}
}
