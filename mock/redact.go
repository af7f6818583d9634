package mock

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// isSecretField reports whether a JSON field's value must never reach the journal or the
// logs. It ignores case, so a mistyped field still keeps its secret.
func isSecretField(k string) bool { return strings.EqualFold(k, "s3SecretAccessKey") }

var secretKey = []byte("s3secretaccesskey")

// redact replaces secret values in body with "***". It runs on every journaled request, so
// the common cases are cheap: no secret at all costs one scan, and a body without escapes
// goes through a byte scanner. Only a body with backslashes, where an escaped key such as
// "s3SecretAccess\u004bey" could hide a secret, is decoded and walked.
func redact(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	escaped := bytes.IndexByte(body, '\\') >= 0
	if !escaped && !containsFold(body, secretKey) {
		return body
	}
	if escaped {
		var v any
		if json.Unmarshal(body, &v) == nil {
			if redactValue(v) {
				if out, err := json.Marshal(v); err == nil {
					return out
				}
			}
			return body
		}
	}
	return redactText(body)
}

// redactText replaces the value after each s3SecretAccessKey key (any case) in text that is
// not valid JSON (cut, malformed) or has no escapes: `"key": "value"`, `"key": value`, and
// the form-encoded `key=value`.
func redactText(body []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i+len(secretKey) <= len(body); i++ {
		if !hasFoldAt(body, i, secretKey) {
			continue
		}
		j := i + len(secretKey)
		quoted := i > 0 && body[i-1] == '"' && j < len(body) && body[j] == '"'
		var start, end int
		switch {
		case quoted:
			k := skipSpace(body, j+1)
			if k >= len(body) || body[k] != ':' {
				continue
			}
			k = skipSpace(body, k+1)
			if k < len(body) && body[k] == '"' {
				start, end = k+1, stringEnd(body, k+1)
			} else {
				start, end = k, valueEnd(body, k)
			}
		case j < len(body) && body[j] == '=':
			start, end = j+1, valueEnd(body, j+1)
		default:
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(body)+len(recmock.Redacted))
		}
		out = append(out, body[last:start]...)
		out = append(out, recmock.Redacted...)
		last, i = end, end-1
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

func hasFoldAt(b []byte, i int, lower []byte) bool {
	for j := range lower {
		if b[i+j]|0x20 != lower[j] {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index of the quote closing a JSON string that starts at i, or len(b).
func stringEnd(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return i
		}
		i++
	}
	return len(b)
}

// valueEnd is where an unquoted value starting at i ends.
func valueEnd(b []byte, i int) int {
	for i < len(b) && !strings.ContainsRune(",}]& \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// containsFold reports whether b contains the lower-case ASCII needle, ignoring case.
func containsFold(b, needle []byte) bool {
	for i := 0; i+len(needle) <= len(b); i++ {
		if hasFoldAt(b, i, needle) {
			return true
		}
	}
	return false
}

func redactValue(v any) (changed bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if isSecretField(k) {
				x[k] = recmock.Redacted
				changed = true
				continue
			}
			changed = redactValue(e) || changed
		}
	case []any:
		for _, e := range x {
			changed = redactValue(e) || changed
		}
	}
	return changed
}

// excerpt cuts b to at most n bytes on a UTF-8 boundary, marking the cut.
func excerpt(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…(cut)"
}
