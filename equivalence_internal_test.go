package recmock

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The input rules are byte loops, not general tools (net/mail, net/url, regexp): a PUT runs
// them for every address and every ARN. These fuzz targets pin each loop to what it stands
// for, on any input; .ci/run runs each for 20 seconds. FuzzSchemaAgreesWithRules (in
// spec_rules_test.go) holds the rules as a whole to openapi.yaml.

// FuzzEmailAddress: an address checkEmail takes is one net/mail.ParseAddress accepts as it
// is, with no display name, so the e-mail sender can use it unchanged.
func FuzzEmailAddress(f *testing.F) {
	for _, s := range []string{"a@b.com", "a.b+c@d-e.f", "a..b@c.d", ".a@b.c", "a.@b.c", "a@b..c", "a@b.c.", "a@@b.c", "a@", "@b.c", "a b@c.d", "é@b.c", "a@[1.2.3.4]", `"a"@b.c`, "a(x)@b.c", "a@b.c(x)", "!#$%&'*+/=?^_`{|}~-@x.y", "a@-b.c", "a@b_c.d", "a@xn--bcher-kva.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		if checkEmail(a) != "" {
			return
		}
		addr, err := mail.ParseAddress(a)
		if err != nil || addr.Name != "" || addr.Address != a {
			t.Fatalf("checkEmail accepts %q but ParseAddress gives %+v, %v", a, addr, err)
		}
	})
}

// FuzzURLRule: checkURL, with the length bound, accepts exactly the strings openapi.yaml's url
// schema accepts, and net/url parses each of them as an http or https URL with that host.
func FuzzURLRule(f *testing.F) {
	for _, s := range []string{"", "http://x", "https://site.com/events?x=1#f", "HTTP://x", "http://u:p@h:8080/p", "http://[::1]:8081/hook", "http://[::ffff:1.2.3.4]/", "http://[fe80::1%25en0]/", "http://[1:2:3:4:5:6:7::]/", "http://[1::2:3:4:5:6:7:8]/", "http://x:0", "http://x:65535", "http://x:65536", "http://x:080", "http://x:", "http://a..b/", "http://a_b-c.d/", "http://x/a b", "http://x/%zz", "http://x/%41", "http://x?%", "http://é.fr/", "http://:80/", "https:///events", "http://a@b@c/", "http://x/\n", "http://x\n"} {
		f.Add(s)
	}
	doc, err := LoadSpec()
	if err != nil {
		f.Fatal(err)
	}
	schema := doc.Components.Schemas["NotificationSettingsInput"].Value.Properties["url"].Value
	f.Fuzz(func(t *testing.T, s string) {
		specOK := schema.VisitJSON(s, openapi3.VisitAsRequest()) == nil
		msg := checkLen(s, maxURLLen)
		if msg == "" && s != "" {
			msg = checkURL(s)
		}
		if specOK != (msg == "") {
			t.Fatalf("url %q: openapi.yaml accepts it: %v; the rule says %q", s, specOK, msg)
		}
		if msg != "" || s == "" {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
			t.Fatalf("checkURL accepts %q but net/url parses %#v, %v", s, u, err)
		}
	})
}

// FuzzARNParts: each byte loop answers as the pattern it stands for.
func FuzzARNParts(f *testing.F) {
	for _, s := range []string{"aws", "aws-cn", "aws-us-gov", "aws-", "awsx", "aws--cn", "Aws", "us-east-1", "", "123", "12a", "folder_name", "a.b", "-ab", "ab-", "abc", "ab", "a..b", "A-b", "1.2.3.4", "1.2.3.4.5", "1..2.3", "01.2.3.999", "a_b.c-d", "[::1]", "::", "1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8", "65535", "65536", "080", "u:p%41", "%4"} {
		f.Add(s)
	}
	patterns := []struct {
		re *regexp.Regexp
		f  func(string) bool
	}{
		{regexp.MustCompile(`^aws(-[a-z]+)*$`), isPartition},
		{regexp.MustCompile(`^[a-z0-9-]*$`), isRegion},
		{regexp.MustCompile(`^[0-9]*$`), isAccount},
		{regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`), isBucketName},
		{regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`), isDottedQuad},
		{regexp.MustCompile(`^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$`), isHostName},
		{regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`), isLabel},
		{regexp.MustCompile(`^(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*$`), isUserinfo},
		{regexp.MustCompile(`^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$`), isPort},
		{ipv6RE(f), isIPv6},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range patterns {
			if got, want := p.f(s), p.re.MatchString(s); got != want {
				t.Fatalf("%q: loop says %v, %s says %v", s, got, p.re, want)
			}
		}
	})
}

// ipv6RE is the bracketed alternative of openapi.yaml's url pattern, anchored.
func ipv6RE(f *testing.F) *regexp.Regexp {
	doc, err := LoadSpec()
	if err != nil {
		f.Fatal(err)
	}
	p := doc.Components.Schemas["NotificationSettingsInput"].Value.Properties["url"].Value.Pattern
	_, inner, ok := strings.Cut(p, `|\[(?:`)
	inner, _, ok2 := strings.Cut(inner, `)\]`)
	if !ok || !ok2 {
		f.Fatalf("no bracketed IPv6 alternative in the url pattern %s", p)
	}
	return regexp.MustCompile(`^(?:` + inner + `)$`)
}
