package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want any                 // the value, when accepted
		err  *recmock.FieldError // the error, when refused
	}{
		{name: "empty is no body", raw: "", want: nil},
		{name: "object", raw: `{"notify":1,"url":"http://a.com/é"}`, want: map[string]any{"notify": json.Number("1"), "url": "http://a.com/é"}},
		{name: "escaped pair is one character", raw: `{"s":"\ud83d\ude00"}`, want: map[string]any{"s": "😀"}},
		{name: "escaped U+FFFD is what was sent", raw: `{"s":"\ufffd"}`, want: map[string]any{"s": "\ufffd"}},
		{name: "white space around", raw: " \n{}\r\n\t", want: map[string]any{}},
		{name: "data after the value", raw: `{}{}`, err: &recmock.FieldError{Field: "body", Message: "unexpected data after the JSON value"}},
		{name: "text after the value", raw: "{\"a\":1}\n{}OK", err: &recmock.FieldError{Field: "body", Message: "unexpected data after the JSON value"}},
		{name: "only white space", raw: "  ", err: &recmock.FieldError{Field: "body", Message: "is empty; send a JSON object"}},
		{name: "cut short", raw: `{"a":`, err: &recmock.FieldError{Field: "body", Message: "invalid JSON: unexpected EOF"}},
		{name: "raw byte that is not UTF-8", raw: "{\"url\":\"http://a.com/\xff\"}", err: &recmock.FieldError{Field: "url", Message: "has bytes that are not UTF-8; send UTF-8 text"}},
		{name: "lone high surrogate", raw: `{"url":"http://a.com/\ud800"}`, err: &recmock.FieldError{Field: "url", Message: `has a lone UTF-16 surrogate (\ud800); send UTF-8 text`}},
		{name: "lone low surrogate", raw: `{"a":{"b":["ok","\uDC00x"]}}`, err: &recmock.FieldError{Field: "a.b.1", Message: `has a lone UTF-16 surrogate (\udc00); send UTF-8 text`}},
		{name: "high surrogate then a letter", raw: `{"e":"\ud83dx"}`, err: &recmock.FieldError{Field: "e", Message: `has a lone UTF-16 surrogate (\ud83d); send UTF-8 text`}},
		{name: "bad byte in a name", raw: "{\"a\":{\"k\xfe\":1}}", err: &recmock.FieldError{Field: "a", Message: "has a field name with bytes that are not UTF-8"}},
		{name: "bad text at the root", raw: "\"\xc3\"", err: &recmock.FieldError{Field: "body", Message: "has bytes that are not UTF-8; send UTF-8 text"}},
		{name: "escaped backslash before u is no escape", raw: `{"s":"\\ud800"}`, want: map[string]any{"s": `\ud800`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.Decode([]byte(tt.raw))
			if tt.err != nil {
				e, ok := errors.AsType[*recmock.Error](err)
				if !ok || e.Code != recmock.CodeInvalid {
					t.Fatalf("Decode(%q) error %v, want an invalid-input error", tt.raw, err)
				}
				if diff := cmp.Diff([]recmock.FieldError{*tt.err}, e.Fields); diff != "" {
					t.Errorf("Decode(%q) errors (-want +got):\n%s", tt.raw, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.raw, err)
			}
			if diff := cmp.Diff(tt.want, got.Value); diff != "" {
				t.Errorf("Decode(%q) (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// FuzzDecode: what Decode accepts is what was sent: encoded again and decoded, it is the same
// value, and it holds no U+FFFD that the text did not hold. Nothing panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"notify":true}`, "{\"u\":\"\xff\"}", `{"u":"\ud800"}`, `{"u":"\ud83d\ude00"}`, `[1,"a",{"b":null}]`, `{}x`, `"\ufffd"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		body, err := wire.Decode(raw)
		if err != nil {
			if e, ok := errors.AsType[*recmock.Error](err); !ok || len(e.Fields) == 0 || e.Fields[0].Field == "" {
				t.Fatalf("Decode(%q): %v is not an invalid-input error naming a field", raw, err)
			}
			return
		}
		if !body.Present() {
			return
		}
		again, err := json.Marshal(body.Value)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(again) {
			t.Fatalf("Decode(%q) kept text that is not UTF-8", raw)
		}
		if strings.Contains(string(again), "\ufffd") && !bytes.Contains(raw, []byte("\ufffd")) && !bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`)) {
			t.Fatalf("Decode(%q) = %s: U+FFFD the text did not hold", raw, again)
		}
		back, err := wire.Decode(again)
		if err != nil {
			t.Fatalf("Decode of %s, the encoding of an accepted value: %v", again, err)
		}
		if diff := cmp.Diff(body.Value, back.Value); diff != "" {
			t.Fatalf("Decode(%q) is not stable (-first +again):\n%s", raw, diff)
		}
	})
}

// TestDecodeIntoReadsNumbersByValue: what the schema accepts as an integer (1e3, 2.0, -0, in
// objects and arrays) is read into an int field; a fraction is still refused.
func TestDecodeIntoReadsNumbersByValue(t *testing.T) {
	type target struct {
		N    int   `json:"n"`
		List []int `json:"list"`
	}
	body, err := wire.Decode([]byte(`{"n":1e3,"list":[2.0,-0,7]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got target
	if err := wire.DecodeInto(body, &got); err != nil {
		t.Fatalf("DecodeInto: %v", err)
	}
	if diff := cmp.Diff(target{N: 1000, List: []int{2, 0, 7}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	frac, _ := wire.Decode([]byte(`{"n":1.5}`))
	if err := wire.DecodeInto(frac, &got); err == nil {
		t.Error("1.5 was read into an int")
	}
}
