package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The values write checks send. Nothing can be delivered to them, so a recording that
// completes during a run notifies nobody: the URL's host is under .invalid, the addresses
// are under example.com and example.org, and the S3 credentials are fake. Every value a check
// reads back has upper- and lower-case letters and characters that are unusual but valid, so
// a server that lower-cases, trims or re-encodes what it stores is caught.
const (
	hookURL    = "https://contract.recmock.invalid/Recmock/Hook"
	testARN    = "arn:aws:s3:::recmock-contract/Recordings/Q1"
	testKeyID  = "AKIARecmockContract01"
	testSecret = "Recmock/Contract+Secret=01"
)

// Values at the API's maximum lengths (openapi.yaml and the README's decisions): a server
// that cuts a long value short is caught.
var (
	// maxURL is an https URL of exactly 2048 characters, with upper-case letters and
	// percent-escapes of both cases in its path and query.
	maxURL = fill(hookURL+"/Max?Sig=a%2Fb%2fC&Pad=", "Ab~Z-9_.", 2048)
	// maxEmail is an address of 254 characters, the most a mail system takes, whose local
	// part is 64 characters of atext a careless parser refuses.
	maxEmail = fill("O'Brien+Rec_{Max}.Test!#$%&*=?^`|~-", "Xy", 64) + "@" +
		fill("Rec-", "Ab9", 63) + "." + fill("Mail-", "Cd8", 63) + "." + fill("Example-", "Ef7", 57) + ".com"
	// maxS3 are S3 settings at their longest: a 63-character bucket in a GovCloud ARN with a
	// region, an account and a mixed-case prefix, and a key ID and secret of 256 characters.
	maxS3ARN    = "arn:aws-us-gov:s3:us-gov-west-1:123456789012:" + fill("recmock-contract.max_", "b0-", 63) + "/Recordings/Q1/Room-A_b"
	maxS3KeyID  = fill("AKIARecmock", "Max0", 256)
	maxS3Secret = fill("Recmock/Max+Secret=", "aB+/9=", 256)
)

// fill pads prefix with repetitions of pad to exactly n bytes; the last byte is a letter or
// digit from pad, so no value ends on a separator.
func fill(prefix, pad string, n int) string {
	b := []byte(prefix)
	for i := 0; len(b) < n; i++ {
		b = append(b, pad[i%len(pad)])
	}
	b = b[:n]
	if c := b[n-1]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
		b[n-1] = '9'
	}
	return string(b)
}

// maxEmails is n distinct addresses of mixed case, joined with separators of every kind.
func maxEmails(n int) (sent string, addrs []string) {
	seps := []string{",", "; ", " ", ",\t", " ;", "\n"}
	var b strings.Builder
	for i := range n {
		a := fmt.Sprintf("Rec.%03d+Max@Example-%d.org", i, i%7)
		if i > 0 {
			b.WriteString(seps[i%len(seps)])
		}
		b.WriteString(a)
		addrs = append(addrs, a)
	}
	return b.String(), addrs
}

// body is a JSON object of the given name and value pairs, in order: the bodies checks send
// are easier to read in reports in the order they were written.
func body(pairs ...any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(marshal(pairs[i]))
		b.WriteByte(':')
		b.WriteString(marshal(pairs[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

// marshal is v as JSON, with & < > as they are: a URL's query reads in reports as it was
// written.
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // the checks' own values: strings, booleans, numbers and maps of them
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Checks returns the API checks, in the order they run. The checks that can only be asked of
// an account without settings come first, before anything creates some; the rest set up the
// state they need themselves. The fuzz check comes last: it compares whatever state the
// others left.
func Checks() []Check {
	return slices.Concat(
		withoutSettingsChecks(),
		envelopeChecks(),
		authChecks(),
		accountChecks(),
		notifyChecks(),
		urlChecks(),
		emailChecks(),
		s3Checks(),
		inputChecks(),
		semanticsChecks(),
		decisionChecks(),
		fuzzChecks(),
	)
}
