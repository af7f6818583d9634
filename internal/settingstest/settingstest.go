// Package settingstest gives tests recmock.Settings with every field set, so that the tests of
// every part that carries settings — the envelope, the journal's redaction, the proxy's
// comparison, the contract suite's restore — cover a field the day it is added to Settings.
package settingstest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/recmock/recmock"
)

// samples holds a valid value for every leaf field of recmock.Settings, by JSON path. The
// values are unusual on purpose (mixed case, plus signs, a query string): a part that
// normalises what it carries shows up. A field added to Settings without a sample here makes
// Full fail the test that asked for it.
var samples = map[string]any{
	"username":                     "temasys",
	"notify":                       true,
	"url":                          "https://Hooks.example.com/Recording/Done?Token=AbC&x=1",
	"email":                        []string{"Ann.Lee+rec@Example.com", "ops@example.org"},
	"s3Settings.s3Arn":             "arn:aws:s3:eu-west-1:123456789012:rec-bucket/Acme/2026",
	"s3Settings.s3AccessKeyId":     "AKIAEXAMPLEKEY0001",
	"s3Settings.s3SecretAccessKey": "wJalrXUtnFEMI-K7MDENG-bPxRfiCYsample",
}

// Field is a leaf field of recmock.Settings.
type Field struct {
	Path   string // JSON path from the settings' root, e.g. "s3Settings.s3Arn"
	Secret bool   // tagged `recmock:"secret"`
	Sample any    // its value in Full, as Settings holds it
}

// Fields lists every leaf field of recmock.Settings in the order of the struct.
func Fields() []Field {
	var out []Field
	walk(reflect.TypeFor[recmock.Settings](), "", func(path string, f reflect.StructField) {
		out = append(out, Field{Path: path, Secret: f.Tag.Get("recmock") == "secret", Sample: samples[path]})
	})
	return out
}

func walk(t reflect.Type, prefix string, leaf func(path string, f reflect.StructField)) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			walk(ft, prefix+name+".", leaf)
			continue
		}
		leaf(prefix+name, f)
	}
}

// Full returns settings with every field set to its sample. It fails t for a field without
// one, naming where to add it.
func Full(t testing.TB) recmock.Settings {
	t.Helper()
	var s recmock.Settings
	for _, f := range Fields() {
		if f.Sample == nil {
			t.Fatalf("recmock.Settings has a field %q without a sample value: add a valid one to internal/settingstest", f.Path)
		}
		set(reflect.ValueOf(&s).Elem(), strings.Split(f.Path, "."), f.Sample)
	}
	return s
}

// set stores v at the JSON path of the struct value, allocating pointed-to structs.
func set(v reflect.Value, path []string, x any) {
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name != path[0] {
			continue
		}
		f := v.Field(i)
		if len(path) == 1 {
			val := reflect.ValueOf(x)
			if s, ok := x.([]string); ok {
				val = reflect.ValueOf(slices.Clone(s))
			}
			f.Set(val)
			return
		}
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				f.Set(reflect.New(f.Type().Elem()))
			}
			f = f.Elem()
		}
		set(f, path[1:], x)
		return
	}
	panic("settingstest: no field " + path[0])
}

// Alter changes the value at a dotted path of a decoded JSON document into another valid one
// of the same type: a string gets a suffix, a boolean flips, an array loses its last element.
// It reports whether the path was there.
func Alter(doc any, path string) bool {
	keys := strings.Split(path, ".")
	m, ok := doc.(map[string]any)
	for _, k := range keys[:len(keys)-1] {
		if !ok {
			return false
		}
		m, ok = m[k].(map[string]any)
	}
	last := keys[len(keys)-1]
	if !ok {
		return false
	}
	switch x := m[last].(type) {
	case string:
		m[last] = x + "-altered"
	case bool:
		m[last] = !x
	case []any:
		if len(x) == 0 {
			m[last] = []any{"added@example.com"}
		} else {
			m[last] = x[:len(x)-1]
		}
	default:
		return false
	}
	return true
}
