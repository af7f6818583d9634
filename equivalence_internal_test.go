package recmock

import (
	"net/mail"
	"regexp"
	"testing"
)

// The input rules check the common case with byte loops instead of general tools (net/mail,
// regexp): a PUT runs them for every address and every ARN. These fuzz targets pin each loop
// to the tool it stands in for, on any input; .ci/run runs each for 20 seconds.

// FuzzPlainAddrSpec: an address isPlainAddrSpec takes is one net/mail.ParseAddress accepts
// as it is, with no display name.
func FuzzPlainAddrSpec(f *testing.F) {
	for _, s := range []string{"a@b.com", "a.b+c@d-e.f", "a..b@c.d", ".a@b.c", "a.@b.c", "a@b..c", "a@b.c.", "a@@b.c", "a@", "@b.c", "a b@c.d", "é@b.c", "a@[1.2.3.4]", `"a"@b.c`, "a(x)@b.c", "a@b.c(x)", "!#$%&'*+/=?^_`{|}~-@x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		if !isPlainAddrSpec(a) {
			return
		}
		addr, err := mail.ParseAddress(a)
		if err != nil || addr.Name != "" || addr.Address != a {
			t.Fatalf("isPlainAddrSpec(%q) but ParseAddress gives %+v, %v", a, addr, err)
		}
	})
}

// FuzzARNParts: each byte loop of ParseS3ARN answers as the pattern it replaced.
func FuzzARNParts(f *testing.F) {
	for _, s := range []string{"aws", "aws-cn", "aws-us-gov", "aws-", "awsx", "aws--cn", "Aws", "us-east-1", "", "123", "12a", "folder_name", "a.b", "-ab", "ab-", "abc", "ab", "a..b", "A-b"} {
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
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range patterns {
			if got, want := p.f(s), p.re.MatchString(s); got != want {
				t.Fatalf("%q: loop says %v, %s says %v", s, got, p.re, want)
			}
		}
	})
}
