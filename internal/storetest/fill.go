package storetest

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

// fill sets every field of the struct v points to, recursively, to a value other than its
// zero: a field added to a type a store keeps is covered the day it is added. Strings hold
// characters an encoding could mangle; times have nanoseconds; slices get two elements.
func fill(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		t.Fatalf("fill: %T is not a pointer to a struct", v)
	}
	n := 0
	fillValue(t, rv.Elem(), &n)
}

var timeType = reflect.TypeFor[time.Time]()

func fillValue(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 123456789+*n, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(t, v.Field(i), n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fillValue(t, v.Index(0), n)
		fillValue(t, v.Index(1), n)
	case reflect.String:
		v.SetString(odd[*n%len(odd)] + "·" + strconv.Itoa(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	default:
		t.Fatalf("fill: no sample for a %s field; teach internal/storetest/fill.go one", v.Type())
	}
}
