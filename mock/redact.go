package mock

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// isSecretField reports whether a JSON field's value must never reach the journal or the
// logs. It ignores case, so a mistyped field still keeps its secret.
func isSecretField(k string) bool { return strings.EqualFold(k, "s3SecretAccessKey") }

// secretTextRE finds secret values in bodies that are not valid JSON (cut, malformed, or
// form-encoded), where the JSON walk cannot run.
var secretTextRE = regexp.MustCompile(`(?i)("s3SecretAccessKey"\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|[^,}\s]*)|(s3SecretAccessKey=)[^&\s]*`)

// redact replaces secret values in body with "***". Valid JSON is decoded and walked, so
// escaped keys cannot hide a secret; anything else goes through a pattern.
func redact(body []byte) []byte {
	if len(body) == 0 || !bytes.Contains(bytes.ToLower(body), []byte("s3secret")) && !bytes.Contains(body, []byte(`\u`)) {
		return body
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		if redactValue(v) {
			if out, err := json.Marshal(v); err == nil {
				return out
			}
		}
		return body
	}
	return secretTextRE.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := secretTextRE.FindSubmatch(m)
		if sub[1] != nil {
			return append(append([]byte{}, sub[1]...), `"`+recmock.Redacted+`"`...)
		}
		return append(append([]byte{}, sub[3]...), recmock.Redacted...)
	})
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
