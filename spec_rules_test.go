package recmock_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// These tests hold openapi.yaml to the rules: for every settings body, the
// NotificationSettingsInput schema accepts it exactly when recmock.ParseSettings does, so
// that every tool that reads the document (Schemathesis, Prism, client generators, the
// contract suite) expects what recmock answers.

// parts is a settings body built from pieces: each field present or not; a value is sent as a
// JSON string, or, when raw is set and it is JSON, as it is (to send other types).
type parts struct {
	present uint16 // bit i: field i of fieldNames is in the body
	raw     uint16 // bit i: value i is sent as raw JSON when it is JSON
	values  [7]string
}

// fieldNames are the body's fields in parts' order; the last is the unknown field, whose
// name is its value and whose value is 1.
var fieldNames = [7]string{"notify", "url", "email", "s3Arn", "s3AccessKeyId", "s3SecretAccessKey", ""}

const (
	iNotify = iota
	iURL
	iEmail
	iARN
	iKeyID
	iSecret
	iUnknown
)

// with returns p with field i present, holding v.
func (p parts) with(i int, v string) parts {
	p.present |= 1 << i
	p.values[i] = v
	return p
}

// rawJSON returns p with field i present, holding the JSON text v.
func (p parts) rawJSON(i int, v string) parts {
	p = p.with(i, v)
	p.raw |= 1 << i
	return p
}

// body writes p as JSON. notify is always sent raw when it is JSON, as its value is rarely a
// string.
func (p parts) body() []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i, name := range fieldNames {
		if p.present&(1<<i) == 0 {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		v := p.values[i]
		if i == iUnknown {
			name, v = v, "1"
			p.raw |= 1 << i
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		if (i == iNotify || p.raw&(1<<i) != 0) && json.Valid([]byte(v)) {
			b.WriteString(v)
			continue
		}
		s, _ := json.Marshal(v)
		b.Write(s)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// agree fails t when the schema and the rules disagree on p, and reports whether they accept.
// Both read the body as the server does, decoded once by wire.Decode; a body that does not
// decode (a raw value with a lone surrogate escape, say) reaches neither, and is refused.
func agree(t testing.TB, p parts) bool {
	t.Helper()
	v, err := wire.Spec()
	if err != nil {
		t.Fatal(err)
	}
	raw := p.body()
	body, err := wire.Decode(raw)
	if err != nil {
		return false
	}
	_, rules := recmock.ParseSettings(body.Value, "u")
	schema := v.ValidateSchema("NotificationSettingsInput", raw)
	if (schema == nil) != (rules == nil) {
		t.Fatalf("%s:\nopenapi.yaml: %v\nrecmock.ParseSettings: %v", raw, orAccepts(schema), orAccepts(rules))
	}
	if rules != nil {
		checkInvalid(t, rules)
	}
	return rules == nil
}

func orAccepts(err error) any {
	if err == nil {
		return "accepts"
	}
	return err
}

// s3 returns p with the three S3 fields set.
func (p parts) s3(arn, keyID, secret string) parts {
	return p.with(iARN, arn).with(iKeyID, keyID).with(iSecret, secret)
}

var ok = parts{}.rawJSON(iNotify, "true")

// boundaries are the named cases: Schemathesis' findings, each rule's edges, and each
// decision openapi.yaml and the README record. want is the verdict both must give.
func boundaries() []struct {
	name string
	p    parts
	want bool
} {
	bucket := func(n int) string { return "arn:aws:s3:::" + strings.Repeat("b", n) }
	addr := func(n int) string { return strings.Repeat("a", n-len("@example.com")) + "@example.com" }
	list := func(n int, sep string) string {
		a := make([]string, n)
		for i := range a {
			a[i] = fmt.Sprintf("u%d@example.com", i)
		}
		return strings.Join(a, sep)
	}
	return []struct {
		name string
		p    parts
		want bool
	}{
		// Schemathesis' findings: schema-valid bodies the server refused.
		{"schemathesis: partition 0", ok.s3("arn:0:s3:::bucket", "k", "s"), false},
		{"schemathesis: 64-character bucket", ok.s3(bucket(64), "k", "s"), false},
		{"schemathesis: email x", ok.with(iEmail, "x"), false},
		{"schemathesis: s3Arn alone", ok.with(iARN, "arn:aws:s3:::bucket"), false},
		{"schemathesis: s3AccessKeyId alone", ok.with(iKeyID, "k"), false},
		{"schemathesis: s3SecretAccessKey alone", ok.with(iSecret, "s"), false},
		{"two S3 fields", ok.with(iKeyID, "k").with(iSecret, "s"), false},
		{"three empty S3 fields", ok.s3("", "", ""), false},

		// notify
		{"notify true", ok, true},
		{"notify 0", parts{}.rawJSON(iNotify, "0"), true},
		{"notify 1.0 is 1", parts{}.rawJSON(iNotify, "1.0"), true},
		{"notify 1e0 is 1", parts{}.rawJSON(iNotify, "1e0"), true},
		{"notify -0 is 0", parts{}.rawJSON(iNotify, "-0"), true},
		{"notify 2", parts{}.rawJSON(iNotify, "2"), false},
		{"notify 0.5", parts{}.rawJSON(iNotify, "0.5"), false},
		{"notify 1e400", parts{}.rawJSON(iNotify, "1e400"), false},
		{"notify string 1", parts{}.with(iNotify, `"1"`), false},
		{"notify null", parts{}.rawJSON(iNotify, "null"), false},
		{"notify missing", parts{}.with(iURL, ""), false},

		// url
		{"url empty clears", ok.with(iURL, ""), true},
		{"url https with query and fragment", ok.with(iURL, "https://site.com/events?x=1#f"), true},
		{"url userinfo and port", ok.with(iURL, "http://u:p%41@h-1.example:65535/p"), true},
		{"url IPv6", ok.with(iURL, "http://[::1]:8081/hook"), true},
		{"url IPv4-mapped IPv6", ok.with(iURL, "http://[::ffff:1.2.3.4]/"), false},
		{"url IPv6 zone", ok.with(iURL, "http://[fe80::1%25en0]/"), false},
		{"url not IPv6", ok.with(iURL, "http://[:::]/"), false},
		{"url upper-case scheme", ok.with(iURL, "HTTPS://site.com/"), false},
		{"url without host", ok.with(iURL, "https:///events"), false},
		{"url port only", ok.with(iURL, "http://:8080/"), false},
		{"url port 0", ok.with(iURL, "http://x:0/"), false},
		{"url port 65536", ok.with(iURL, "http://x:65536/"), false},
		{"url port with leading zero", ok.with(iURL, "http://x:080/"), false},
		{"url empty port", ok.with(iURL, "http://x:/"), false},
		{"url space in path", ok.with(iURL, "http://x/a b"), false},
		{"url space in host", ok.with(iURL, "http://a b/"), false},
		{"url trailing newline", ok.with(iURL, "http://x/\n"), false},
		{"url bad escape", ok.with(iURL, "http://x/%zz"), false},
		{"url non-ASCII host", ok.with(iURL, "http://bücher.de/"), false},
		{"url two dots in host", ok.with(iURL, "http://a..b/"), false},
		{"url 2048 characters", ok.with(iURL, "http://x/"+strings.Repeat("p", 2048-len("http://x/"))), true},
		{"url 2049 characters", ok.with(iURL, "http://x/"+strings.Repeat("p", 2049-len("http://x/"))), false},
		{"url number", ok.rawJSON(iURL, "42"), false},

		// email
		{"email empty", ok.with(iEmail, ""), true},
		{"email only separators", ok.with(iEmail, " ,;\t\r\n"), true},
		{"email mixed separators", ok.with(iEmail, "a@b.com; b@c.com  c@d.com,\td@e.org"), true},
		{"email upper case", ok.with(iEmail, "Ann.Lee+rec@Example.COM"), true},
		{"email atext", ok.with(iEmail, "!#$%&'*+/=?^_`{|}~-@x.y"), true},
		{"email 254 characters", ok.with(iEmail, addr(254)), true},
		{"email 255 characters", ok.with(iEmail, addr(255)), false},
		{"email 100 addresses", ok.with(iEmail, list(100, ",")), true},
		{"email 101 addresses", ok.with(iEmail, list(101, "; ")), false},
		{"email 101 addresses, all the same", ok.with(iEmail, strings.Repeat("a@b.com ", 101)), false},
		{"email two dots in the local part", ok.with(iEmail, "a..b@example.com"), false},
		{"email leading dot", ok.with(iEmail, ".a@example.com"), false},
		{"email domain without dot", ok.with(iEmail, "a@localhost"), false},
		{"email domain label starting with a hyphen", ok.with(iEmail, "a@-b.com"), false},
		{"email domain with underscore", ok.with(iEmail, "a@b_c.com"), false},
		{"email domain literal", ok.with(iEmail, "a@[1.2.3.4]"), false},
		{"email quoted local part", ok.with(iEmail, `"a"@b.com`), false},
		{"email display name", ok.with(iEmail, "Ann <a@b.com>"), false},
		{"email non-ASCII", ok.with(iEmail, "é@example.com"), false},
		{"email no-break space is no separator", ok.with(iEmail, "a@b.com\u00a0c@d.com"), false},
		{"email 65537 characters of separators", ok.with(iEmail, strings.Repeat(" ", 65537)), false},
		{"email array", ok.rawJSON(iEmail, `["a@b.com"]`), false},

		// s3Arn
		{"arn bucket", ok.s3("arn:aws:s3:::bucket", "k", "s"), true},
		{"arn article", ok.s3("arn:aws:s3:region::folder_name/objectpath", "k", "s"), true},
		{"arn aws-cn", ok.s3("arn:aws-cn:s3:::bucket-1", "k", "s"), true},
		{"arn aws-us-gov, region, account, prefix", ok.s3("arn:aws-us-gov:s3:us-gov-west-1:123456789012:my.bucket/a/b/", "k", "s"), true},
		{"arn 63-character bucket", ok.s3(bucket(63), "k", "s"), true},
		{"arn 3-character bucket", ok.s3(bucket(3), "k", "s"), true},
		{"arn 2-character bucket", ok.s3(bucket(2), "k", "s"), false},
		{"arn prefix with colon and non-ASCII", ok.s3("arn:aws:s3:::bucket/a:b/é", "k", "s"), true},
		{"arn prefix with newline", ok.s3("arn:aws:s3:::bucket/a\nb", "k", "s"), false},
		{"arn trailing newline", ok.s3("arn:aws:s3:::bucket\n", "k", "s"), false},
		{"arn IP-like bucket", ok.s3("arn:aws:s3:::192.168.1.10", "k", "s"), false},
		{"arn IP-like bucket beyond 255", ok.s3("arn:aws:s3:::999.1.1.1/p", "k", "s"), false},
		{"arn five numbers", ok.s3("arn:aws:s3:::1.2.3.4.5", "k", "s"), true},
		{"arn two dots", ok.s3("arn:aws:s3:::a..b", "k", "s"), false},
		{"arn two dots in the prefix", ok.s3("arn:aws:s3:::abc/../x", "k", "s"), true},
		{"arn upper case bucket", ok.s3("arn:aws:s3:::Bucket", "k", "s"), false},
		{"arn bucket ends with hyphen", ok.s3("arn:aws:s3:::bucket-", "k", "s"), false},
		{"arn empty region and account", ok.s3("arn:aws:s3:::b-1", "k", "s"), true},
		{"arn partition aws-", ok.s3("arn:aws-:s3:::bucket", "k", "s"), false},
		{"arn partition AWS", ok.s3("arn:AWS:s3:::bucket", "k", "s"), false},
		{"arn empty partition", ok.s3("arn::s3:::bucket", "k", "s"), false},
		{"arn service sqs", ok.s3("arn:aws:sqs:::bucket", "k", "s"), false},
		{"arn region upper case", ok.s3("arn:aws:s3:US-EAST-1::bucket", "k", "s"), false},
		{"arn account letters", ok.s3("arn:aws:s3::12ab:bucket", "k", "s"), false},
		{"arn no bucket", ok.s3("arn:aws:s3:::", "k", "s"), false},
		{"arn colon in the bucket", ok.s3("arn:aws:s3:::a:b", "k", "s"), false},
		{"arn 2048 characters", ok.s3("arn:aws:s3:::bucket/"+strings.Repeat("p", 2048-len("arn:aws:s3:::bucket/")), "k", "s"), true},
		{"arn 2049 characters", ok.s3("arn:aws:s3:::bucket/"+strings.Repeat("p", 2049-len("arn:aws:s3:::bucket/")), "k", "s"), false},

		// keys
		{"keys 256 characters", ok.s3("arn:aws:s3:::bucket", strings.Repeat("k", 256), strings.Repeat("é", 256)), true},
		{"key id 257 characters", ok.s3("arn:aws:s3:::bucket", strings.Repeat("k", 257), "s"), false},
		{"secret 257 characters", ok.s3("arn:aws:s3:::bucket", "k", strings.Repeat("é", 257)), false},
		{"secret a number", ok.s3("arn:aws:s3:::bucket", "k", "s").rawJSON(iSecret, "12"), false},

		// unknown fields
		{"unknown emails", ok.with(iUnknown, "emails"), false},
		{"unknown empty name", ok.with(iUnknown, ""), false},
		{"unknown Notify", ok.with(iUnknown, "Notify"), false},
	}
}

// TestSchemaAgreesWithRulesOnBoundaries: the named cases, each with the verdict recmock
// decided on.
func TestSchemaAgreesWithRulesOnBoundaries(t *testing.T) {
	for _, tt := range boundaries() {
		t.Run(tt.name, func(t *testing.T) {
			if got := agree(t, tt.p); got != tt.want {
				t.Errorf("%s: both accept: %v, want %v", tt.p.body(), got, tt.want)
			}
		})
	}
}

// TestSchemaAgreesWithRules runs a few thousand random bodies, built from pieces near every
// rule's edges and then mutated, through both; the seed is fixed, so a failure repeats.
func TestSchemaAgreesWithRules(t *testing.T) {
	r := rand.New(rand.NewPCG(20260530, 1))
	const n = 3000
	accepted := 0
	for range n {
		if agree(t, randomParts(r)) {
			accepted++
		}
	}
	t.Logf("%d of %d random bodies accepted", accepted, n)
	// Both verdicts must be common, or the comparison proves little.
	if accepted < n/10 || accepted > n*9/10 {
		t.Errorf("%d of %d random bodies accepted; the generator should make both verdicts common", accepted, n)
	}
}

// FuzzSchemaAgreesWithRules: whatever the fields and their values, openapi.yaml and the rules
// give the same verdict. The seeds are the named boundary cases.
func FuzzSchemaAgreesWithRules(f *testing.F) {
	for _, tt := range boundaries() {
		p := tt.p
		f.Add(p.present, p.raw, p.values[0], p.values[1], p.values[2], p.values[3], p.values[4], p.values[5], p.values[6])
	}
	f.Fuzz(func(t *testing.T, present, raw uint16, notify, url, email, arn, keyID, secret, unknown string) {
		agree(t, parts{present: present, raw: raw, values: [7]string{notify, url, email, arn, keyID, secret, unknown}})
	})
}
