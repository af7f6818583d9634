package recmock

import (
	"fmt"
	"net/mail"
	"strings"
)

// SplitEmails splits an email field on commas, semicolons and white space in any mix,
// validates each address, and drops duplicates (case-insensitively) keeping the first one's
// position. The result is never nil.
func SplitEmails(s string) ([]string, []FieldError) {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
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
	if len(out) > MaxEmails {
		errs = append(errs, FieldError{Field: "email", Message: fmt.Sprintf("has %d addresses; at most %d are allowed", len(out), MaxEmails)})
	}
	return out, errs
}

// checkEmail accepts a bare addr-spec (no display name, no angle brackets) whose domain has a
// dot, as every address a notification can reach does.
func checkEmail(a string) string {
	if len(a) > 254 {
		return fmt.Sprintf("%q is longer than 254 characters", a[:32]+"...")
	}
	if !isPlainAddrSpec(a) {
		addr, err := mail.ParseAddress(a)
		if err != nil || addr.Name != "" || addr.Address != a {
			return fmt.Sprintf("%q is not a valid e-mail address", a)
		}
	}
	at := strings.LastIndexByte(a, '@')
	domain := a[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return fmt.Sprintf("%q is not a valid e-mail address", a) + " (the domain needs a dot, as in a@example.com)"
	}
	return ""
}

// isPlainAddrSpec reports whether a is local@domain with both parts RFC 5322 dot-atoms of
// ASCII atext: addresses net/mail.ParseAddress accepts as they are, with no display name, so
// that the common case skips its parser. Anything else (quoted local parts, domain
// literals, comments, UTF-8) goes through ParseAddress.
func isPlainAddrSpec(a string) bool {
	at := strings.IndexByte(a, '@')
	return at > 0 && isDotAtom(a[:at]) && isDotAtom(a[at+1:])
}

// isDotAtom reports whether s is 1*atext *("." 1*atext) in ASCII.
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
