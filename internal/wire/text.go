package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// badText finds the first string of a decoded JSON text that encoding/json read as something
// else than was sent: raw bytes that are not UTF-8, or a \u escape of half a surrogate pair.
// encoding/json replaces both with U+FFFD, so a URL sent with a stray byte would be stored and
// answered changed. The field is named by its path, as the schema names fields.
func badText(raw []byte) (recmock.FieldError, bool) {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`)) {
		return recmock.FieldError{}, false // the common case: nothing to look at
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		object bool
		key    string // the member being read, in an object
		index  int    // the element being read, in an array
		isKey  bool   // in an object, whether the next string is a member name
	}
	var stack []frame
	// path names the value being read, or the object whose member name is being read.
	path := func(inName bool) string {
		frames := stack
		if inName {
			frames = stack[:len(stack)-1]
		}
		var parts []string
		for _, f := range frames {
			if f.object {
				parts = append(parts, f.key)
			} else {
				parts = append(parts, strconv.Itoa(f.index))
			}
		}
		if p := strings.Join(parts, "."); p != "" {
			return p
		}
		return "body" // the root, or a member with an empty name

	}
	// after marks a value done: the next string of an object is a name, an array moves on.
	after := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].isKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return recmock.FieldError{}, false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, isKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				after()
			}
			continue
		case string:
			lit := raw[start:dec.InputOffset()]
			lit = lit[bytes.IndexByte(lit, '"'):]
			inName := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].isKey
			if msg := badLiteral(lit); msg != "" {
				if inName {
					return recmock.FieldError{Field: path(true), Message: "has a field name with " + msg}, true
				}
				return recmock.FieldError{Field: path(false), Message: "has " + msg + "; send UTF-8 text"}, true
			}
			if inName {
				stack[len(stack)-1].key, stack[len(stack)-1].isKey = t, false
				continue
			}
		}
		after()
	}
}

// badLiteral says what is wrong with a JSON string literal, quotes included, or "".
func badLiteral(lit []byte) string {
	for i := 1; i < len(lit)-1; {
		c := lit[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(lit[i:])
			if r == utf8.RuneError && size == 1 {
				return "bytes that are not UTF-8"
			}
			i += size
		case c == '\\' && lit[i+1] == 'u':
			r, _ := strconv.ParseUint(string(lit[i+2:i+6]), 16, 32)
			i += 6
			if !utf16.IsSurrogate(rune(r)) {
				continue
			}
			// A high surrogate must be followed by a low one, escaped too.
			if r < 0xdc00 && i+6 <= len(lit) && lit[i] == '\\' && lit[i+1] == 'u' {
				lo, _ := strconv.ParseUint(string(lit[i+2:i+6]), 16, 32)
				if utf16.DecodeRune(rune(r), rune(lo)) != utf8.RuneError {
					i += 6
					continue
				}
			}
			return "a lone UTF-16 surrogate (\\u" + strings.ToLower(string(lit[i-4:i])) + ")"
		case c == '\\':
			i += 2
		default:
			i++
		}
	}
	return ""
}
