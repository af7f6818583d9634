package mock_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// The vendor article's send and response examples. The article's response names the bucket
// "bucketname" where its request sent "folder_name"; recmock echoes what was sent.
const (
	articleSend = `{
"notify": true,
"url": "https://site.com/events",
"email": "a@b.com,b@c.com",
"s3Arn": "arn:aws:s3:region::folder_name/objectpath",
"s3AccessKeyId": "akewjdwifuendjf",
"s3SecretAccessKey": "iewmdfuasfwnwksd"
}`
	articleResponse = `{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com","b@c.com"],"s3Settings":{"s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"akewjdwifuendjf","s3SecretAccessKey":"iewmdfuasfwnwksd"}}}}` + "\n"
)

func TestArticleExample(t *testing.T) {
	c := newClient(t, mock.Config{})
	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodPut} {
		body := articleSend
		if method == http.MethodGet {
			body = ""
		}
		res := c.do(req{Method: method, Body: body})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d, want 200: %s", method, res.Status, res.Body)
		}
		if diff := cmp.Diff(articleResponse, string(res.Body)); diff != "" {
			t.Errorf("%s response mismatch (-want +got):\n%s", method, diff)
		}
	}
}

// TestInputRules covers every input rule of SPEC section 2, each through PUT on an account
// that has settings, and each failure's envelope pinned by a golden file.
func TestInputRules(t *testing.T) {
	s3 := func(arn string) *recmock.S3Settings {
		return &recmock.S3Settings{ARN: arn, AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
	}
	withS3 := func(arn string) string {
		return fmt.Sprintf(`{"notify":true,"s3Arn":%q,"s3AccessKeyId":"AKID","s3SecretAccessKey":"SECRET"}`, arn)
	}
	many := make([]string, recmock.MaxEmails+1)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.com", i)
	}
	tests := []struct {
		name        string
		body        string
		contentType string
		want        *recmock.Settings // for 200
		wantStatus  int
	}{
		// notify
		{name: "notify-true", body: `{"notify":true}`, want: &recmock.Settings{Notify: true}},
		{name: "notify-false", body: `{"notify":false}`, want: &recmock.Settings{Notify: false}},
		{name: "notify-1", body: `{"notify":1}`, want: &recmock.Settings{Notify: true}},
		{name: "notify-0", body: `{"notify":0}`, want: &recmock.Settings{Notify: false}},
		{name: "notify-missing", body: `{"url":"https://a.example/x"}`, wantStatus: 400},
		{name: "notify-string", body: `{"notify":"true"}`, wantStatus: 400},
		{name: "notify-2", body: `{"notify":2}`, wantStatus: 400},
		{name: "notify-minus-1", body: `{"notify":-1}`, wantStatus: 400},
		{name: "notify-1.5", body: `{"notify":1.5}`, wantStatus: 400},
		{name: "notify-null", body: `{"notify":null}`, wantStatus: 400},
		// url
		{name: "url-https", body: `{"notify":true,"url":"https://site.com/events?x=1"}`, want: &recmock.Settings{Notify: true, URL: "https://site.com/events?x=1"}},
		{name: "url-http-port", body: `{"notify":true,"url":"http://127.0.0.1:8081/hook"}`, want: &recmock.Settings{Notify: true, URL: "http://127.0.0.1:8081/hook"}},
		{name: "url-empty-clears", body: `{"notify":true,"url":""}`, want: &recmock.Settings{Notify: true}},
		{name: "url-ftp", body: `{"notify":true,"url":"ftp://site.com/events"}`, wantStatus: 400},
		{name: "url-no-scheme", body: `{"notify":true,"url":"site.com/events"}`, wantStatus: 400},
		{name: "url-no-host", body: `{"notify":true,"url":"https:///events"}`, wantStatus: 400},
		{name: "url-bad-port", body: `{"notify":true,"url":"http://site.com:port/x"}`, wantStatus: 400},
		{name: "url-number", body: `{"notify":true,"url":42}`, wantStatus: 400},
		{name: "url-too-long", body: `{"notify":true,"url":"https://a.example/` + strings.Repeat("x", 2048) + `"}`, wantStatus: 400},
		// email
		{name: "email-commas", body: `{"notify":true,"email":"a@b.com,b@c.com"}`, want: &recmock.Settings{Notify: true, Email: []string{"a@b.com", "b@c.com"}}},
		{name: "email-mixed-separators", body: `{"notify":true,"email":"a@b.com; b@c.com  c@d.com,\td@e.org"}`, want: &recmock.Settings{Notify: true, Email: []string{"a@b.com", "b@c.com", "c@d.com", "d@e.org"}}},
		{name: "email-duplicates", body: `{"notify":true,"email":"b@c.com,a@b.com;b@c.com A@B.com"}`, want: &recmock.Settings{Notify: true, Email: []string{"b@c.com", "a@b.com"}}},
		{name: "email-empty", body: `{"notify":true,"email":""}`, want: &recmock.Settings{Notify: true}},
		{name: "email-only-separators", body: `{"notify":true,"email":" ,; "}`, want: &recmock.Settings{Notify: true}},
		{name: "email-invalid", body: `{"notify":true,"email":"a@b.com,not-an-address"}`, wantStatus: 400},
		{name: "email-no-dot", body: `{"notify":true,"email":"a@localhost"}`, wantStatus: 400},
		{name: "email-display-name", body: `{"notify":true,"email":"Ann <a@b.com>"}`, wantStatus: 400},
		{name: "email-two-invalid", body: `{"notify":true,"email":"x@,@y.com"}`, wantStatus: 400},
		{name: "email-array", body: `{"notify":true,"email":["a@b.com"]}`, wantStatus: 400},
		{name: "email-too-many", body: `{"notify":true,"email":"` + strings.Join(many, ",") + `"}`, wantStatus: 400},
		// S3
		{name: "s3-all", body: withS3("arn:aws:s3:::my-bucket"), want: &recmock.Settings{Notify: true, S3: s3("arn:aws:s3:::my-bucket")}},
		{name: "s3-region-account-prefix", body: withS3("arn:aws:s3:eu-west-1:123456789012:my.bucket/rec/2026"), want: &recmock.Settings{Notify: true, S3: s3("arn:aws:s3:eu-west-1:123456789012:my.bucket/rec/2026")}},
		{name: "s3-china-partition", body: withS3("arn:aws-cn:s3:::bucket-1"), want: &recmock.Settings{Notify: true, S3: s3("arn:aws-cn:s3:::bucket-1")}},
		{name: "s3-arn-only", body: `{"notify":true,"s3Arn":"arn:aws:s3:::my-bucket"}`, wantStatus: 400},
		{name: "s3-keys-only", body: `{"notify":true,"s3AccessKeyId":"AKID","s3SecretAccessKey":"SECRET"}`, wantStatus: 400},
		{name: "s3-secret-only", body: `{"notify":true,"s3SecretAccessKey":"SECRET"}`, wantStatus: 400},
		{name: "s3-empty-key", body: `{"notify":true,"s3Arn":"arn:aws:s3:::my-bucket","s3AccessKeyId":"","s3SecretAccessKey":"SECRET"}`, wantStatus: 400},
		{name: "s3-arn-not-arn", body: withS3("my-bucket"), wantStatus: 400},
		{name: "s3-arn-no-bucket", body: withS3("arn:aws:s3:::"), wantStatus: 400},
		{name: "s3-arn-other-service", body: withS3("arn:aws:sqs:::my-bucket"), wantStatus: 400},
		{name: "s3-arn-bad-partition", body: withS3("arn:gcp:s3:::my-bucket"), wantStatus: 400},
		{name: "s3-arn-account-letters", body: withS3("arn:aws:s3::abc:my-bucket"), wantStatus: 400},
		{name: "s3-bucket-upper", body: withS3("arn:aws:s3:::My-Bucket"), wantStatus: 400},
		{name: "s3-bucket-short", body: withS3("arn:aws:s3:::ab"), wantStatus: 400},
		{name: "s3-bucket-ip", body: withS3("arn:aws:s3:::192.168.1.10"), wantStatus: 400},
		{name: "s3-bucket-dots", body: withS3("arn:aws:s3:::a..b"), wantStatus: 400},
		{name: "s3-bucket-dash-end", body: withS3("arn:aws:s3:::bucket-"), wantStatus: 400},
		{name: "s3-secret-number", body: `{"notify":true,"s3Arn":"arn:aws:s3:::my-bucket","s3AccessKeyId":"AKID","s3SecretAccessKey":12}`, wantStatus: 400},
		// unknown fields and bodies
		{name: "unknown-emails", body: `{"notify":true,"emails":"a@b.com"}`, wantStatus: 400},
		{name: "unknown-nested-s3settings", body: `{"notify":true,"s3Settings":{"s3Arn":"arn:aws:s3:::b"}}`, wantStatus: 400},
		{name: "unknown-username", body: `{"notify":true,"username":"other"}`, wantStatus: 400},
		{name: "everything-wrong", body: `{"notify":"yes","url":"ftp://x","email":"nope","s3Arn":"arn:aws:s3:::AB","emails":1}`, wantStatus: 400},
		{name: "body-empty", body: ``, contentType: "application/json", wantStatus: 400},
		{name: "body-null", body: `null`, wantStatus: 400},
		{name: "body-array", body: `[{"notify":true}]`, wantStatus: 400},
		{name: "body-string", body: `"notify"`, wantStatus: 400},
		{name: "body-truncated", body: `{"notify":true`, wantStatus: 400},
		{name: "body-not-json", body: `notify=true`, wantStatus: 400},
		{name: "body-trailing-data", body: `{"notify":true} {"notify":false}`, wantStatus: 400},
		{name: "content-type-charset", body: `{"notify":true}`, contentType: "application/json; charset=utf-8", want: &recmock.Settings{Notify: true}},
		{name: "content-type-missing", body: `{"notify":true}`, contentType: "-", want: &recmock.Settings{Notify: true}},
		{name: "content-type-text", body: `{"notify":true}`, contentType: "text/plain", wantStatus: 415},
		{name: "content-type-form", body: `notify=true`, contentType: "application/x-www-form-urlencoded", wantStatus: 415},
		{name: "content-type-garbage", body: `{"notify":true}`, contentType: "%%%", wantStatus: 415},
		{name: "body-too-large", body: `{"notify":true,"email":"` + strings.Repeat("a", 1<<20) + `"}`, wantStatus: 413},
	}
	c := newClient(t, mock.Config{})
	c.mustDo(req{Method: http.MethodPost, Body: `{"notify":false}`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = t
			res := c.do(req{Method: http.MethodPut, Body: tt.body, ContentType: tt.contentType})
			if tt.want != nil {
				if res.Status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", res.Status, res.Body)
				}
				want := *tt.want
				want.Username = "temasys"
				if want.Email == nil {
					want.Email = []string{}
				}
				if diff := cmp.Diff(want, data(t, res.Body)); diff != "" {
					t.Errorf("settings mismatch (-want +got):\n%s", diff)
				}
				// What PUT answered is what GET now reads.
				if diff := cmp.Diff(want, data(t, c.do(req{}).Body)); diff != "" {
					t.Errorf("GET after PUT mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if res.Status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", res.Status, tt.wantStatus, res.Body)
			}
			golden.Check(t, "envelopes/"+tt.name+".json", res.Body)
		})
	}
}

// TestSemantics covers what POST, GET and PUT do depending on whether settings exist.
func TestSemantics(t *testing.T) {
	c := newClient(t, mock.Config{})
	steps := []struct {
		name   string
		req    req
		status int
		want   *recmock.Settings
	}{
		{"GET before any settings", req{}, 404, nil},
		{"PUT before any settings", req{Method: "PUT", Body: `{"notify":true}`}, 404, nil},
		{"POST creates", req{Method: "POST", Body: `{"notify":1,"url":"https://a.example/h","email":"a@b.com","s3Arn":"arn:aws:s3:::bkt/p","s3AccessKeyId":"K","s3SecretAccessKey":"S"}`}, 200,
			&recmock.Settings{Username: "temasys", Notify: true, URL: "https://a.example/h", Email: []string{"a@b.com"}, S3: &recmock.S3Settings{ARN: "arn:aws:s3:::bkt/p", AccessKeyID: "K", SecretAccessKey: "S"}}},
		{"POST again conflicts", req{Method: "POST", Body: `{"notify":false}`}, 409, nil},
		{"the failed POST changed nothing", req{}, 200,
			&recmock.Settings{Username: "temasys", Notify: true, URL: "https://a.example/h", Email: []string{"a@b.com"}, S3: &recmock.S3Settings{ARN: "arn:aws:s3:::bkt/p", AccessKeyID: "K", SecretAccessKey: "S"}}},
		{"an invalid PUT changes nothing", req{Method: "PUT", Body: `{"notify":false,"email":"bad"}`}, 400, nil},
		{"PUT replaces the whole setting", req{Method: "PUT", Body: `{"notify":0}`}, 200, &recmock.Settings{Username: "temasys", Email: []string{}}},
		{"GET reads the replacement: url and s3Settings omitted", req{}, 200, &recmock.Settings{Username: "temasys", Email: []string{}}},
	}
	for _, st := range steps {
		res := c.do(st.req)
		if res.Status != st.status {
			t.Fatalf("%s: status %d, want %d: %s", st.name, res.Status, st.status, res.Body)
		}
		if st.want != nil {
			if diff := cmp.Diff(*st.want, data(t, res.Body)); diff != "" {
				t.Errorf("%s: settings mismatch (-want +got):\n%s", st.name, diff)
			}
		}
	}
	// Omitted, not empty or null: the article says url is "not listed" when it has no value.
	body := string(c.do(req{}).Body)
	for _, absent := range []string{`"url"`, `"s3Settings"`} {
		if strings.Contains(body, absent) {
			t.Errorf("GET answered %s, want it omitted: %s", absent, body)
		}
	}
}

func TestAuth(t *testing.T) {
	accounts := []recmock.Account{
		{Username: "alice", APIKey: "alice-key", Secret: "alice-secret"},
		{Username: "bob", APIKey: "bob-key", Secret: "bob:secret:with:colons"},
	}
	c := newClient(t, mock.Config{Accounts: accounts})
	tests := []struct {
		name   string
		req    req
		status int
	}{
		{"no-credentials", req{NoAuth: true}, 401},
		{"wrong-secret", req{User: "alice-key", Pass: "nope"}, 401},
		{"unknown-key", req{User: "nobody", Pass: "alice-secret"}, 401},
		{"secret-of-another-account", req{User: "alice-key", Pass: "bob:secret:with:colons"}, 401},
		{"bearer-token", req{NoAuth: true, Header: map[string]string{"Authorization": "Bearer abc"}}, 401},
		{"default-account-not-configured", req{User: "demo-key", Pass: "demo-secret"}, 401},
		{"unauthorized-post-is-not-validated", req{Method: "POST", Body: `{"bad":1}`, NoAuth: true}, 401},
		{"alice", req{User: "alice-key", Pass: "alice-secret"}, 404},
		{"bob-secret-with-colons", req{User: "bob-key", Pass: "bob:secret:with:colons"}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.expect(t, tt.req, tt.status)
			if tt.status != 401 {
				return
			}
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
				t.Errorf("WWW-Authenticate %q, want a Basic challenge", got)
			}
			golden.Check(t, "envelopes/auth-"+tt.name+".json", res.Body)
		})
	}
}

func TestAccountsAreIsolated(t *testing.T) {
	alice := recmock.Account{Username: "alice", APIKey: "ak", Secret: "as"}
	bob := recmock.Account{Username: "bob", APIKey: "bk", Secret: "bs"}
	c := newClient(t, mock.Config{Accounts: []recmock.Account{alice, bob}})
	c.mustDo(req{Method: "POST", Body: `{"notify":true,"email":"alice@a.example"}`, User: "ak", Pass: "as"})
	if res := c.do(req{User: "bk", Pass: "bs"}); res.Status != 404 {
		t.Fatalf("bob sees %d %s, want 404: alice's settings must stay hers", res.Status, res.Body)
	}
	c.mustDo(req{Method: "POST", Body: `{"notify":false}`, User: "bk", Pass: "bs"})
	got := data(t, c.do(req{User: "ak", Pass: "as"}).Body)
	want := recmock.Settings{Username: "alice", Notify: true, Email: []string{"alice@a.example"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alice's settings after bob's POST (-want +got):\n%s", diff)
	}
}

func TestRoutingErrors(t *testing.T) {
	c := newClient(t, mock.Config{})
	tests := []struct {
		name   string
		req    req
		status int
		allow  string
	}{
		{"unknown-path", req{Path: "/rest/recording/notification"}, 404, ""},
		{"root-without-dashboard", req{Path: "/"}, 404, ""},
		{"unknown-admin-path", req{Path: "/_admin/nope"}, 404, ""},
		{"delete-notifications", req{Method: "DELETE"}, 405, "GET, POST, PUT"},
		{"patch-notifications", req{Method: "PATCH", Body: `{"notify":true}`}, 405, "GET, POST, PUT"},
		{"post-health", req{Method: "POST", Path: "/_admin/health"}, 405, "GET"},
		{"emails-without-sink", req{Path: "/_admin/emails"}, 501, ""},
		{"recordings-without-simulator", req{Method: "POST", Path: "/_admin/recordings", Body: `{"username":"temasys"}`}, 501, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.expect(t, tt.req, tt.status)
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			golden.Check(t, "envelopes/route-"+tt.name+".json", res.Body)
		})
	}
}
