package mock_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// FuzzSettingsRequest feeds arbitrary bodies and content types to POST and PUT. Whatever comes
// in, the mock must not panic, must answer the JSON envelope that openapi.yaml documents for
// the status, and must never answer 500. A secret sent in must not reach the journal.
func FuzzSettingsRequest(f *testing.F) {
	for _, seed := range []string{
		articleSend, `{"notify":1}`, `{"notify":"1"}`, `{"notify":true,"email":"a@b.com;;b@c.com  "}`,
		`{"notify":true,"s3Arn":"arn:aws:s3:::b/p","s3AccessKeyId":"k","s3SecretAccessKey":"s"}`,
		`{"notify":true,"s3Arn":"arn:aws:s3:::b"}`, `{"notify":true,"url":"http://[::1]:80/x"}`,
		`[]`, `null`, `{`, "\xff\xfe", `{"notify":true,"s3SecretAccess\u004bey":"zzsecretzz"}`,
	} {
		f.Add(seed, "application/json", true)
		f.Add(seed, "", false)
	}
	m, err := mock.New(mock.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, contentType string, post bool) {
		method := http.MethodPut
		if post {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		r.SetBasicAuth("demo-key", "demo-secret")
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		res := w.Result()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %q (%q): status %d: %s", method, body, contentType, res.StatusCode, w.Body)
		}
		var env recmock.Envelope
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatalf("not JSON: %v: %s", err, w.Body)
		}
		checkResponse(t, r, res, w.Body.Bytes())

		jr := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/_admin/requests?limit=1", nil)
		jw := httptest.NewRecorder()
		m.ServeHTTP(jw, jr)
		if secret := sentSecret(body); secret != "" && strings.Contains(jw.Body.String(), secret) {
			t.Fatalf("journal leaks the secret %q: %s", secret, jw.Body)
		}
		// Keep the state from growing into every later input's answer.
		if res.StatusCode == http.StatusOK {
			dr := httptest.NewRequest(http.MethodDelete, "http://127.0.0.1/_admin/settings/temasys", nil)
			m.ServeHTTP(httptest.NewRecorder(), dr)
		}
	})
}

// sentSecret returns the s3SecretAccessKey value a JSON body carries, when it is long enough
// and appears nowhere else in the body to tell a leak from a coincidence.
func sentSecret(body string) string {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return ""
	}
	for k, v := range m {
		s, ok := v.(string)
		if ok && strings.EqualFold(k, "s3SecretAccessKey") && len(s) >= 6 && strings.Count(body, s) == 1 {
			return s
		}
	}
	return ""
}
