package recmock

import (
	"fmt"
	"net/netip"
	"strings"
)

// checkURL says what is wrong with a webhook URL, or "" when it is one. The rule is
// openapi.yaml's url pattern, written out so that each way to break it has its own words:
//
//	http:// or https://, lower case
//	[userinfo@]   letters, digits, -._~!$&'()*+,;=: and %XX escapes
//	host          dot-separated labels of letters, digits, - and _; or [IPv6] without a zone
//	[:port]       1 to 65535, no leading zero
//	[/?#...]      printable ASCII; % starts a %XX escape
//
// Nothing else: no spaces, control characters or non-ASCII text anywhere. Every URL it
// accepts, net/url parses with that host (FuzzURLRule holds it so), and so does the webhook
// client.
func checkURL(raw string) string {
	rest, ok := strings.CutPrefix(raw, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(raw, "https://")
	}
	if !ok {
		return fmt.Sprintf("%q must be an absolute URL starting with http:// or https://", raw)
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c > '~' {
			return fmt.Sprintf("%q has a space, a control character or a non-ASCII character: percent-encode it", raw)
		}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if !validEscapes(tail) {
		return fmt.Sprintf("%q has a %% that does not start a %%XX escape", raw)
	}
	hostport := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		if !isUserinfo(authority[:at]) {
			return fmt.Sprintf("%q: the user information before @ may hold only letters, digits, %%XX escapes and -._~!$&'()*+,;=:", raw)
		}
		hostport = authority[at+1:]
	}
	var host, port string
	var hasPort bool
	if inner, ok := strings.CutPrefix(hostport, "["); ok {
		var after string
		inner, after, ok = strings.Cut(inner, "]")
		if !ok || !isIPv6(inner) {
			return fmt.Sprintf("%q: a host in brackets must be an IPv6 address, such as [::1], without a zone", raw)
		}
		if after != "" {
			if port, hasPort = strings.CutPrefix(after, ":"); !hasPort {
				return fmt.Sprintf("%q: only a :port may follow the IPv6 address's ]", raw)
			}
		}
	} else {
		host, port, hasPort = strings.Cut(hostport, ":")
		if host == "" {
			return fmt.Sprintf("%q has no host", raw)
		}
		if !isHostName(host) {
			return fmt.Sprintf("%q: the host %q must be dot-separated labels of letters, digits, hyphens and underscores, or an IP address", raw, host)
		}
	}
	if hasPort && !isPort(port) {
		return fmt.Sprintf("%q: the port must be a number from 1 to 65535", raw)
	}
	return ""
}

// validEscapes reports whether every % in s starts a %XX escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

// isUserinfo matches ^(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*$.
func isUserinfo(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && strings.IndexByte("._~!$&'()*+,;=:-%", c) < 0 {
			return false
		}
	}
	return validEscapes(s)
}

// isHostName matches ^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$.
func isHostName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case !isAlnum(c) && c != '-' && c != '_':
			return false
		}
	}
	return true
}

// isIPv6 reports whether s is an IPv6 address written with hex digits and colons only: no
// zone, no embedded IPv4 (openapi.yaml's bracketed alternatives).
func isIPv6(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isHex(c) && c != ':' {
			return false
		}
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}

// isPort matches 1 to 65535 without a leading zero.
func isPort(s string) bool {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}

func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isAlnum(c byte) bool { return isLower(c) || isDigit(c) || 'A' <= c && c <= 'Z' }
