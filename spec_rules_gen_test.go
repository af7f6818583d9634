package recmock_test

import (
	"math/rand/v2"
	"strings"
)

// randomParts draws a settings body whose values are built from pieces: mostly valid ones,
// sometimes pieces at or over a rule's edge, and sometimes mutated a character at a time, so
// that accepted and refused bodies are both common.
func randomParts(r *rand.Rand) parts {
	var p parts
	if r.IntN(20) > 0 {
		p = p.rawJSON(iNotify, either(r, []string{"true", "false", "1", "0"},
			[]string{"1.0", "-0", "0e0", "1E0", "10e-1", "0.0000", "2", "-1", "0.5", `"1"`, "null", "[]", "1e400"}))
	}
	if r.IntN(2) == 0 {
		p = p.with(iURL, mutate(r, randomURL(r)))
	}
	if r.IntN(2) == 0 {
		p = p.with(iEmail, mutate(r, randomEmails(r)))
	}
	// The S3 fields go together more often than not, so that the ARN's own rules are reached.
	switch s3 := r.IntN(10); {
	case s3 < 5:
		p = p.with(iARN, mutate(r, randomARN(r))).with(iKeyID, randomKey(r)).with(iSecret, randomKey(r))
	case s3 == 5:
		p = p.with([]int{iARN, iKeyID, iSecret}[r.IntN(3)], "x")
	}
	if r.IntN(40) == 0 {
		p = p.with(iUnknown, pick(r, "emails", "", "s3Settings", "Notify", "username"))
	}
	if r.IntN(40) == 0 { // a value of another JSON type
		p = p.rawJSON(1+r.IntN(5), pick(r, "42", "null", "true", `["a@b.com"]`, "{}"))
	}
	return p
}

func pick(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }

// either picks from valid four times in five, else from edge.
func either(r *rand.Rand, valid, edge []string) string {
	if r.IntN(5) > 0 {
		return pick(r, valid...)
	}
	return pick(r, edge...)
}

func randomURL(r *rand.Rand) string {
	if r.IntN(10) == 0 {
		return ""
	}
	return either(r, []string{"http://", "https://"}, []string{"HTTP://", "ftp://", "http:/", "", "http:"}) +
		either(r, []string{"", "", "", "u@", "u:p@", "u%41:p@"}, []string{"%zz@", "a@b@", "[@", "u p@"}) +
		either(r, []string{"x", "site.com", "a.b-c.d_e", "127.0.0.1", "[::1]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7::]", "[::]"},
			[]string{"[::ffff:1.2.3.4]", "[fe80::1%25en0]", "[:::]", "[1::2::3]", "", "a..b", ".a", "a.", "bücher.de", "a b", "a%41b", "[::1"}) +
		either(r, []string{"", "", ":80", ":8080", ":65535", ":1"}, []string{":0", ":65536", ":080", ":", ":x", "::1", ":99999"}) +
		either(r, []string{"", "/", "/events", "?x=1", "#f", "/a?b#c#d", "/%41", "/~a(b)!$'*+,;=:@[]"},
			[]string{"/a b", "/%zz", "/%4", "/é", "/\t", "/" + strings.Repeat("p", 2030+r.IntN(30))})
}

func randomEmails(r *rand.Rand) string {
	n := r.IntN(5)
	if r.IntN(15) == 0 {
		n = 98 + r.IntN(5)
	}
	var b strings.Builder
	b.WriteString(pick(r, "", "", " ", ",;"))
	for i := range n {
		if i > 0 {
			b.WriteString(either(r, []string{",", ";", " ", "\t", "\n", "\r", ", ", "; "}, []string{"\f", "\u00a0", ""}))
		}
		b.WriteString(randomAddress(r))
	}
	b.WriteString(pick(r, "", "", " ", ",", "\n"))
	return b.String()
}

func randomAddress(r *rand.Rand) string {
	if r.IntN(3) > 0 && r.IntN(15) > 0 {
		return pick(r, "a@b.com", "Ann.Lee+rec@Example.COM", "x.y@sub.example.co.uk", "!#$%&'*+/=?^_`{|}~-@x.y", "a@xn--bcher-kva.de", "a@1.2")
	}
	local := either(r, []string{"a", "a.b", "Ann.Lee+rec", "o'neil"}, []string{"a..b", ".a", "a.", "é", `"a"`, "a(b)", "", "<a"})
	domain := either(r, []string{"b.com", "Example.COM", "b.c-d.e", "1.2"}, []string{"b", "b.", ".b.com", "-b.com", "b-.com", "b_c.com", "[1.2.3.4]", "b..com"})
	a := local + either(r, []string{"@"}, []string{"", "@@"}) + domain
	if r.IntN(15) == 0 { // around the length bound
		if pad := 253 - len(a) + r.IntN(3); pad > 0 {
			a = strings.Repeat("a", pad) + a
		}
	}
	return a
}

func randomARN(r *rand.Rand) string {
	long := map[string]int{"3": 3, "10": 10, "63": 63, "64": 64, "2": 2}[pick(r, "3", "10", "63", "64", "2")]
	return either(r, []string{"arn:"}, []string{"ARN:", ""}) +
		either(r, []string{"aws", "aws-cn", "aws-us-gov", "aws-iso-b"}, []string{"0", "", "aws-", "AWS", "aws--cn", "azure"}) + ":" +
		either(r, []string{"s3"}, []string{"S3", "sqs", ""}) + ":" +
		either(r, []string{"", "us-east-1", "region"}, []string{"US", "a_b"}) + ":" +
		either(r, []string{"", "123456789012"}, []string{"12a", " "}) + ":" +
		either(r, []string{"bucket", "my.bucket", "folder_name", "b-1", "1.2.3.4.5", strings.Repeat("b", long)},
			[]string{"a..b", "192.168.1.10", "999.1.1.1", "-ab", "ab-", "Ab", "ab", "a:b", ""}) +
		either(r, []string{"", "/", "/p", "/a/b/", "/é", "/:x", "/../", "/" + strings.Repeat("p", 2000+r.IntN(60))}, []string{"/x\ny", "/\x7f", "\n"})
}

func randomKey(r *rand.Rand) string {
	return either(r, []string{"k", "AKIAEXAMPLE", "a b", strings.Repeat("k", 256), strings.Repeat("é", 256), "\x00"},
		[]string{"", strings.Repeat("k", 257), strings.Repeat("é", 257)})
}

// mutate sometimes changes a character: inserted, deleted or replaced by one the rules
// treat specially.
func mutate(r *rand.Rand, s string) string {
	if r.IntN(4) > 0 || s == "" {
		return s
	}
	special := []rune(":/@.%[]-_ ,;\t\n\x00\x7fAaZ09é~")
	rs := []rune(s)
	i := r.IntN(len(rs))
	c := special[r.IntN(len(special))]
	switch r.IntN(3) {
	case 0:
		rs = append(rs[:i], append([]rune{c}, rs[i:]...)...)
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	default:
		rs[i] = c
	}
	return string(rs)
}
