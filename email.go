package recmock

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxAddressLen bounds one address, as RFC 5321's path limit does.
const maxAddressLen = 254

// SplitEmails splits an email field on commas, semicolons and white space in any mix,
// validates each address, and drops duplicates (case-insensitively) keeping the first one's
// position. More than MaxEmails addresses as sent, duplicates included, is one error and
// nothing else is checked. The result is never nil.
func SplitEmails(s string) ([]string, []FieldError) {
	parts := strings.FieldsFunc(s, isEmailSeparator)
	if len(parts) > MaxEmails {
		return []string{}, []FieldError{{Field: "email", Message: fmt.Sprintf("has %d addresses; at most %d are allowed, duplicates included", len(parts), MaxEmails)}}
	}
	out := []string{}
	seen := make(map[string]bool, len(parts))
	var errs []FieldError
	for _, p := range parts {
		if msg := checkEmail(p); msg != "" {
			errs = append(errs, FieldError{Field: "email", Message: msg})
			continue
		}
		k := strings.ToLower(p)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out, errs
}

func isEmailSeparator(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
}

// checkEmail accepts a bare addr-spec in ASCII (no display name, no angle brackets, no
// quoted local part, no domain literal): a dot-atom local part, @, and a domain of two or
// more dot-separated LDH labels, at most maxAddressLen characters in all. That is every
// address a notification can reach without SMTPUTF8, and a rule openapi.yaml's pattern can
// state; net/mail parses each such address unchanged (FuzzEmailAddress holds it so).
func checkEmail(a string) string {
	if utf8.RuneCountInString(a) > maxAddressLen {
		return fmt.Sprintf("%q is longer than %d characters", cutRunes(a, 32)+"...", maxAddressLen)
	}
	invalid := fmt.Sprintf("%q is not a valid e-mail address", a)
	local, domain, ok := strings.Cut(a, "@")
	if !ok || !isDotAtom(local) {
		return invalid
	}
	switch {
	case isDomain(domain):
		return ""
	case isLabel(domain):
		return invalid + " (the domain needs a dot, as in a@example.com)"
	case domain != "":
		return invalid + " (the domain must be labels of letters, digits and hyphens separated by dots)"
	}
	return invalid
}

// cutRunes is s's first n runes.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// isDotAtom reports whether s is 1*atext *("." 1*atext) in ASCII (RFC 5322).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case c < '!' || c > '~':
			return false
		case strings.IndexByte(`()<>[]:;@\,"`, c) >= 0:
			return false
		}
	}
	return true
}

// isDomain reports whether s is two or more labels separated by dots.
func isDomain(s string) bool {
	labels := 0
	for label := range strings.SplitSeq(s, ".") {
		if !isLabel(label) {
			return false
		}
		labels++
	}
	return labels >= 2
}

// isLabel matches ^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$: letters, digits and hyphens,
// not at either end (RFC 1035's LDH rule).
func isLabel(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}
