package recmock

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/mail"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// The hot paths of input checking replace general tools (encoding/json, net/mail, regexp)
// with byte loops for the common case. These fuzz targets pin each loop to the tool it
// stands in for: same answer on any input.

// FuzzDecodePlain: whenever decodePlain takes a body, it reads exactly what json.Decoder with
// UseNumber reads, and stops where it stops.
func FuzzDecodePlain(f *testing.F) {
	for _, s := range []string{
		`{"notify":true,"url":"https://site.com/events","email":"a@b.com,b@c.com","s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`,
		` {"a":[1,-2.5e+3,0.1,true,false,null,{"b":[]},{}],"é":"ü"} x`, `{"a":1,"a":2}`, `{"a":"\u0041"}`, `{"a":01}`,
		`{"a":-}`, `{"a":1.}`, `{"a":1e}`, `[1]`, `{"a":"` + "\xff" + `"}`, `{"a":[1,]}`, `{"a":tru}`, `{} {}`, "{\"a\":\"\x01\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, end, ok := decodePlain(b)
		if !ok {
			return
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("decodePlain took %q, encoding/json refuses it: %v", b, err)
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("%q: decodePlain read %#v, encoding/json %#v", b, v, want)
		}
		if int64(end) != dec.InputOffset() {
			t.Fatalf("%q: decodePlain stopped at %d, encoding/json at %d", b, end, dec.InputOffset())
		}
	})
}

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

func newTestValidator(t testing.TB) *Validator {
	doc, err := LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzValidateRequestJSON: ValidateRequest's own JSON path answers as kin-openapi's
// openapi3filter.ValidateRequest does, and SettingsInputFromJSON as DecodeSettingsInput.
func FuzzValidateRequestJSON(f *testing.F) {
	for _, s := range []string{
		`{"notify":true,"url":"https://site.com/events","email":"a@b.com,b@c.com","s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`,
		`{"notify":1}`, `{"notify":1.0}`, `{"notify":"x","notify":true}`, `{"notify":true} x`, `{"notify":true}  `, `{"Notify":true}`,
		`{"notify":true,"url":5}`, `{"notify":true,"emails":"a"}`, `{"notify":true,"url":"\u0068ttp://x"}`, `[]`, `{`, ``, `{"notify":null}`,
	} {
		f.Add([]byte(s), "application/json", "PUT")
		f.Add([]byte(s), "", "POST")
	}
	f.Add([]byte(`{"notify":true}`), "application/json; charset=utf-8", "PUT")
	f.Add([]byte(`{"notify":true}`), "text/plain", "PUT")
	f.Add([]byte(`{"method":"GET","status":503,"times":2}`), "application/json", "FAULT")
	v := newTestValidator(f)
	f.Fuzz(func(t *testing.T, body []byte, ct, method string) {
		path := "/rest/recording/notifications"
		switch method {
		case "FAULT":
			method, path = "POST", "/_admin/faults"
		case "ADMIN":
			method, path = "PUT", "/_admin/settings/temasys"
		case "PUT", "POST":
		default:
			return
		}
		r, _ := http.NewRequest(method, path, nil)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		route, err := v.FindRoute(r)
		if err != nil {
			t.Fatal(err)
		}
		jb, got := v.ValidateRequestJSON(context.Background(), r, route, body)
		want := v.validateRequest(context.Background(), r, route, body)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s %q: validation differs from kin-openapi's (-kin +ours):\n%s", ct, body, diff)
		}
		if got != nil || path != "/rest/recording/notifications" {
			return
		}
		in, err := SettingsInputFromJSON(jb)
		wantIn, wantErr := DecodeSettingsInput(body)
		if diff := cmp.Diff(wantIn, in); diff != "" {
			t.Fatalf("%q: SettingsInputFromJSON differs from DecodeSettingsInput (-want +got):\n%s", body, diff)
		}
		if diff := cmp.Diff(wantErr, err); diff != "" {
			t.Fatalf("%q: SettingsInputFromJSON's error differs from DecodeSettingsInput's (-want +got):\n%s", body, diff)
		}
	})
}

// FuzzValidateResponse: ValidateResponse's own JSON path answers as kin-openapi's
// openapi3filter.ValidateResponse does.
func FuzzValidateResponse(f *testing.F) {
	for _, s := range []string{
		`{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com"],"s3Settings":{"s3Arn":"arn:aws:s3:::b","s3AccessKeyId":"k","s3SecretAccessKey":"s"}}}}`,
		`{"status":1,"content":{"data":{"username":"temasys","notify":1,"email":[]}}}`, `{"status":0,"content":{"message":"x","errors":[{"field":"a","message":"b"}]}}`,
		`{"status":1}`, `not json`, `{"status":1,"content":{"data":{"username":"t","notify":false,"email":[],"s3Settings":{"s3Arn":"a","s3AccessKeyId":"b"}}}}`,
		`{"status":1.0,"content":{"data":{"username":"t","notify":false,"email":[]}}}`, `{"status":1,"content":{"data":{"Username":"t","notify":false,"email":[]}}}`, `{"status":1,"content":{"data":{"username":"t","notify":true,"email":[],"x":1}}} trailing`,
	} {
		for _, st := range []int{200, 400, 404, 401, 500, 418, 304} {
			f.Add([]byte(s), "application/json", st, "GET")
		}
	}
	f.Add([]byte(`{"status":"ok"}`), "application/json", 200, "HEALTH")
	f.Add([]byte(`{}`), "text/plain", 200, "GET")
	v := newTestValidator(f)
	f.Fuzz(func(t *testing.T, body []byte, ct string, status int, method string) {
		path := "/rest/recording/notifications"
		switch method {
		case "HEALTH":
			method, path = "GET", "/_admin/health"
		case "GET", "PUT", "POST", "HEAD":
		default:
			return
		}
		if status < 100 || status > 999 {
			return
		}
		r, _ := http.NewRequest(method, path, nil)
		route, err := v.FindRoute(r)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		jb, got := v.ValidateResponseJSON(context.Background(), r, route, status, h, body)
		want := v.validateResponse(context.Background(), r, route, status, h, body)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%d %s %q: validation differs from kin-openapi's (-kin +ours):\n%s", status, ct, body, diff)
		}
		if s, ok := SettingsFromEnvelope(jb); ok {
			var env Envelope
			if err := json.Unmarshal(body, &env); err != nil || env.Content.Data == nil {
				t.Fatalf("%q: SettingsFromEnvelope read %+v, json.Unmarshal fails: %v", body, s, err)
			}
			if diff := cmp.Diff(*env.Content.Data, s); diff != "" {
				t.Fatalf("%q: SettingsFromEnvelope differs from json.Unmarshal (-want +got):\n%s", body, diff)
			}
		}
	})
}

// TestStaticRoutes: FindRoute's table answers what the router answers, whatever the host,
// query and headers.
func TestStaticRoutes(t *testing.T) {
	v := newTestValidator(t)
	if len(v.static) == 0 {
		t.Fatal("no static route")
	}
	for path, byMethod := range v.static {
		for m, want := range byMethod {
			r, _ := http.NewRequest(m, "http://example.com:1234"+path+"?limit=3", nil)
			r.Header.Set("Authorization", "Basic eDp5")
			route, params, err := v.router.FindRoute(r)
			if err != nil {
				t.Fatalf("%s %s: %v", m, path, err)
			}
			if !reflect.DeepEqual(*route, *want.route) || !reflect.DeepEqual(params, want.params) {
				t.Errorf("%s %s: table says %+v %v, the router %+v %v", m, path, *want.route, want.params, *route, params)
			}
		}
	}
}

// FuzzAppendSuccess: whenever appendSuccess writes an envelope, it writes the bytes
// encoding/json writes for it (HTML escaping off, as WriteJSON sets it).
func FuzzAppendSuccess(f *testing.F) {
	f.Add("temasys", true, "https://site.com/events?a=1&b=<2>", "a@b.com,b@c.com", "arn:aws:s3:::b/p", "AK", "s", true, 1)
	f.Add("u", false, "", "", "", "", "", false, 1)
	f.Add("ü", false, "\"", "\x7f", "\\", "\u2028", "\x01", true, -1)
	f.Fuzz(func(t *testing.T, user string, notify bool, url, emails, arn, key, secret string, s3 bool, status int) {
		s := &Settings{Username: user, Notify: notify, URL: url}
		if emails != "" {
			s.Email = strings.Split(emails, ",")
		}
		if s3 {
			s.S3 = &S3Settings{ARN: arn, AccessKeyID: key, SecretAccessKey: secret}
		}
		env := Envelope{Status: status, Content: Content{Data: s}}
		got, err := appendSuccess(nil, env)
		if err != nil || got == nil {
			return
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(env); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendSuccess wrote\n%s\nencoding/json\n%s", got, want.Bytes())
		}
	})
}

// FuzzSchemaCheck: a schemaCheck's verdict is VisitJSON's, for every schema of openapi.yaml
// a check can be built for: "valid" only where VisitJSON accepts, "invalid" only where it
// refuses.
func FuzzSchemaCheck(f *testing.F) {
	for _, s := range []string{
		`{"notify":true,"url":"https://site.com/events","email":"a@b.com,b@c.com","s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`,
		`{"notify":1}`, `{"notify":0.0}`, `{"notify":2}`, `{"notify":"1"}`, `{"notify":true,"url":"ftp://x"}`, `{"notify":true,"s3Arn":""}`,
		`{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com"],"s3Settings":{"s3Arn":"arn:aws:s3:::b","s3AccessKeyId":"k","s3SecretAccessKey":"s"}}}}`,
		`{"status":1.0,"content":{"data":{"username":"t","notify":false,"email":[]}}}`, `{"status":1,"content":{"data":{"username":"t","notify":false,"email":[1]}}}`,
		`{"status":0,"content":{"message":"x","errors":[{"field":"a","message":"b"}]}}`, `{"status":-1,"content":{"message":"no"}}`,
		`{"status":"ok"}`, `{"accounts":[{"username":"u","apiKey":"k","settings":null}]}`, `{"method":"GET","status":503,"times":2}`,
		`{"notify":true,"email":"` + strings.Repeat("a", 70000) + `"}`, `{"notify":true,"s3AccessKeyId":"` + "\U0001F600" + `"}`, `[]`, `"x"`, `1e999`,
	} {
		f.Add([]byte(s))
	}
	v := newTestValidator(f)
	var schemas []*openapi3.Schema
	for _, ref := range v.doc.Components.Schemas {
		if compileChecks(ref.Value) != nil {
			schemas = append(schemas, ref.Value)
		}
	}
	for s, c := range v.checks {
		if c != nil {
			schemas = append(schemas, s)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		jb, err := decodeJSONValue(b)
		if err != nil {
			return
		}
		for _, s := range schemas {
			got := compileChecks(s).check(jb.Value)
			for _, opt := range []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.VisitAsResponse()} {
				err := s.VisitJSON(jb.Value, openapi3.MultiErrors(), opt)
				if got == valid && err != nil || got == invalid && err == nil {
					t.Fatalf("%q against %s: check says %d, VisitJSON %v", b, s.Title+s.Description, got, err)
				}
			}
		}
	})
}
