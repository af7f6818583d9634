package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/recmock/recmock"
)

// The values the fuzz check's bodies are made of: for each property the rules know, values
// they accept and values that break them; for any other, values of its schema's type and
// bounds, and of the wrong type.

// validValue is a value the rules accept for property p.
func (g *gen) validValue(p propSchema) any {
	switch p.name {
	case "notify":
		return pick[any](g.r, true, false, rawJSON("1"), rawJSON("0"))
	case "url":
		return g.validURL(p)
	case "email":
		return g.emailList(nil)
	case "s3Arn":
		return g.validARN()
	case "s3AccessKeyId", "s3SecretAccessKey":
		return g.text(max(1, p.minLen), p.maxLen, "AKIAaz09+/=_-~ !#é")
	}
	return g.byType(p)
}

// byType is a valid value of a property the generator knows only from its schema.
func (g *gen) byType(p propSchema) any {
	if len(p.enum) > 0 {
		return pick(g.r, p.enum...)
	}
	types := p.types
	if len(types) == 0 {
		types = []string{"string"}
	}
	switch pick(g.r, types...) {
	case "boolean":
		return g.r.IntN(2) == 0
	case "integer", "number":
		return g.r.IntN(100)
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return g.text(p.minLen, p.maxLen, "aZ09-_.~")
}

// text is a string of letters from alphabet whose length is within [minLen, maxLen], now
// and then exactly maxLen.
func (g *gen) text(minLen, maxLen int, alphabet string) string {
	hi := 40
	if maxLen >= 0 {
		hi = min(hi, maxLen)
	}
	n := minLen + g.r.IntN(max(1, hi-minLen+1))
	if maxLen >= 0 && g.r.IntN(5) == 0 {
		n = maxLen
	}
	letters := []rune(alphabet)
	var b strings.Builder
	for b.Len() < n {
		c := letters[g.r.IntN(len(letters))]
		if b.Len()+len(string(c)) > n {
			c = 'x'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// wrongType is a value of a JSON type p does not take.
func (g *gen) wrongType(p propSchema) any {
	var vs []any
	for _, c := range []struct {
		typ string
		v   any
	}{{"string", "true"}, {"boolean", true}, {"integer", rawJSON("2")}, {"number", rawJSON("1.0")}, {"array", []any{"ann@example.com"}}, {"object", map[string]any{}}, {"null", nil}} {
		if !slices.Contains(p.types, c.typ) && !(c.typ == "number" && slices.Contains(p.types, "integer")) {
			vs = append(vs, c.v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return pick(g.r, vs...)
}

// invalidValue is a value of p's type that breaks its rule, or its length bounds.
func (g *gen) invalidValue(p propSchema) any {
	switch p.name {
	case "notify":
		return pick[any](g.r, "true", "1", rawJSON("2"), rawJSON("-1"), rawJSON("1.0"), rawJSON("1e0"), nil, "yes")
	case "url":
		return pick(g.r, "ftp://contract.recmock.invalid/hook", "contract.recmock.invalid/hook", "http://", "https:// space.example/",
			"javascript:alert(1)", "//contract.recmock.invalid/hook", "https://contract.recmock.invalid/a b", fill(hookURL+"?Pad=", "x", 2049))
	case "email":
		return g.emailList([]string{pick(g.r, "not-an-address", "a@b", "Ann <ann@example.com>", "a@@example.com", "@example.com", "ann@",
			"ann@.example.com", "ann@example.com.", fill("x", "y", 250)+"@example.com", "ann@[127.0.0.1]")})
	case "s3Arn":
		return pick(g.r, "arn:aws:sqs:::recmock-contract", "arn:aws:s3:::Upper-Bucket", "arn:aws:s3:::ab", "arn:aws:s3:::"+fill("b", "c", 64),
			"arn:aws:s3:::192.168.1.1", "arn:aws:s3:::a..b", "arn:AWS:s3:::recmock-contract", "arn:aws:s3:US-EAST-1::recmock-contract",
			"arn:aws:s3::12ab:recmock-contract", "s3://recmock-contract/key", "arn:aws:s3:::", "arn:aws:s3:::-recmock", "")
	}
	if p.maxLen >= 0 && g.r.IntN(2) == 0 {
		return fill("over", "x", p.maxLen+1)
	}
	if p.minLen > 0 {
		return ""
	}
	return g.wrongType(p)
}

// validURL is a URL the rules accept: either scheme in any case, hosts with ports, IPs and
// punycode, paths and queries with upper case and escapes, now and then the longest allowed,
// or "" to clear it.
func (g *gen) validURL(p propSchema) string {
	if g.r.IntN(8) == 0 {
		return ""
	}
	u := pick(g.r, "https://", "http://", "HTTPS://") +
		pick(g.r, "contract.recmock.invalid", "Hooks.Example.com", "127.0.0.1:8443", "[::1]:9000", "xn--bcher-kva.example", "sub.domain-with-dash.example.org:65535") +
		pick(g.r, "", "/", "/Hook", "/a/B/c%2Fd", "/~User/Recordings/", "/h%C3%A9") +
		pick(g.r, "", "?Token=AbC", "?a=1&b=%2f&C=~", "?q=a+b&empty=&flag", "#Frag", "?X=1#Y")
	if maxLen := p.maxLen; maxLen > len(u) && g.r.IntN(6) == 0 {
		sep := "?Pad="
		if strings.ContainsAny(u, "?#") {
			sep = "&Pad="
		}
		return fill(u+sep, "Ab~9", maxLen)
	}
	return u
}

// validARN is an S3 ARN the rules accept: any partition, region and account forms, a valid
// bucket name of 3 to 63 characters, and a key prefix in any case.
func (g *gen) validARN() string {
	bucket := pick(g.r, "folder_name", "recmock-contract", "a.b-c_d", "rec", fill("recmock.", "b-0", 63), "0123")
	return fmt.Sprintf("arn:%s:s3:%s:%s:%s%s",
		pick(g.r, "aws", "aws-cn", "aws-us-gov", "aws-iso-b"),
		pick(g.r, "", "us-east-1", "eu-west-3", "region", "us-gov-west-1"),
		pick(g.r, "", "123456789012", "000000000000"),
		bucket,
		pick(g.r, "", "/Recordings", "/a/B/c", "/Room-A_b/2026/", "/objectpath"))
}

// emailList is an email field the rules split into valid addresses — mixed case, duplicates
// in another case, separators of every kind in any mix, now and then the longest address or
// the most addresses allowed — with extra addresses placed among them.
func (g *gen) emailList(extra []string) string {
	var addrs []string
	switch x := g.r.IntN(20); {
	case x == 0:
		_, addrs = maxEmails(recmock.MaxEmails)
	case x == 1:
		addrs = []string{maxEmail}
	case x < 4:
		// "" clears the list
	default:
		locals := []string{"ann", "Ann.Lee", "bob+Rec", "O'Brien", "x_y-z", "UPPER", "{weird}|~", "a.b.c"}
		domains := []string{"example.com", "Example.org", "mail.EXAMPLE.net", "sub-dom.example.co.uk"}
		for range 1 + g.r.IntN(5) {
			a := pick(g.r, locals...) + "@" + pick(g.r, domains...)
			if len(addrs) > 0 && g.r.IntN(3) == 0 {
				a = pick(g.r, strings.ToUpper, strings.ToLower, strings.TrimSpace)(pick(g.r, addrs...))
			}
			addrs = append(addrs, a)
		}
	}
	for _, e := range extra {
		i := g.r.IntN(len(addrs) + 1)
		addrs = slices.Insert(addrs, i, e)
	}
	var b strings.Builder
	if g.r.IntN(6) == 0 {
		b.WriteString(pick(g.r, " ", ",", "; "))
	}
	for i, a := range addrs {
		if i > 0 {
			b.WriteString(pick(g.r, ",", ";", " ", ", ", " ; ", "\t", "\n", ",,", " ,; "))
		}
		b.WriteString(a)
	}
	return b.String()
}
