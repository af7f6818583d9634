package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/proxy"
)

// FuzzUpstreamAnswers: whatever the upstream answers a sequence of writes and reads — any
// status, any bytes — the proxy passes it on unchanged, journals each exchange, and shows no
// secret, with and without --account.
func FuzzUpstreamAnswers(f *testing.F) {
	f.Add(200, []byte(`{"status":1,"content":{"data":{"username":"ann","notify":true,"email":[],"s3Settings":{"s3Arn":"a","s3AccessKeyId":"k","s3SecretAccessKey":"fuzz-secret"}}}}`))
	f.Add(409, []byte(`{"status":0,"content":{"message":"exists","errors":[{"field":1},{"field":"url"},"x"]}}`))
	f.Add(404, []byte(`{"status":0,"content":{"message":"none"}}{}OK`))
	f.Add(401, []byte(`{"status":-1,"content":{"data":{"username":["ann"]}}}`))
	f.Add(200, []byte(`{"status":1,"content":{"data":null}}`))
	f.Add(500, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			return
		}
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write(body)
		}))
		defer up.Close()
		for _, accounts := range [][]recmock.Account{nil, {ann}} {
			p, err := proxy.New(proxy.Config{Upstream: up.URL, Accounts: accounts, Annotate: true})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(p)
			script := []call{{"POST", &ann, `{"notify":true,"s3Arn":"arn:aws:s3:::bkt","s3AccessKeyId":"K","s3SecretAccessKey":"fuzz-secret"}`, ""},
				{"GET", &ann, "", ""}, {"PUT", &bob, `{"notify":false}`, ""}, {"GET", nil, "", ""}, {"GET", &ann, "", basicAuth("ann-key", "wrong")}}
			for _, c := range script {
				res := c.send(t, srv.URL)
				if res.Status != status && !(status/100 == 1 || status == 204 || status == 304) {
					t.Fatalf("%s: the client got %d, the upstream answered %d", c.method, res.Status, status)
				}
				if status != 204 && status != 304 && res.Body != string(body) {
					t.Fatalf("%s: the body changed on its way", c.method)
				}
			}
			j := send(t, "GET", srv.URL+proxy.JournalPath, "", nil).Body
			srv.Close()
			if !strings.Contains(j, `"items":[{`) {
				t.Fatalf("journal: %s", j)
			}
			if strings.Contains(j, "s3cret") || strings.Contains(j, "fuzz-secret") {
				t.Fatalf("a secret reached the journal: %s", j)
			}
		}
	})
}
