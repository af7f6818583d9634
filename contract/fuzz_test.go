package contract_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/recmock/recmock/contract"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in, name, value string
		ok              bool
	}{
		{"Cookie: session=abc; theme=dark", "Cookie", "session=abc; theme=dark", true},
		{"x-api-token:t0k:with:colons", "X-Api-Token", "t0k:with:colons", true},
		{"  Authorization :\tBearer abc  ", "Authorization", "Bearer abc", true},
		{"Cookie", "", "", false},
		{": value", "", "", false},
		{"Bad Name: v", "", "", false},
		{"X-Empty:   ", "", "", false},
		{"X-Smuggle: a\r\nHost: evil", "", "", false},
	}
	for _, tt := range tests {
		name, value, err := contract.ParseHeader(tt.in)
		if (err == nil) != tt.ok || name != tt.name || value != tt.value {
			t.Errorf("ParseHeader(%q) = %q, %q, %v", tt.in, name, value, err)
		}
		if err != nil && !errors.Is(err, contract.ErrHeader) {
			t.Errorf("ParseHeader(%q): %v does not wrap ErrHeader", tt.in, err)
		}
		if err != nil && strings.Contains(err.Error(), "evil") {
			t.Errorf("ParseHeader(%q): the error quotes the value: %v", tt.in, err)
		}
	}
}

// FuzzParseHeader: whatever --header is given, an accepted header goes over the wire as one
// header with exactly that value, and a refused one's error never quotes the value.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"Cookie: a=b", "X-Token:abc", "Bad Name: v", "K: a\r\nX: y", "K:\x00", ":", "K: \xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := contract.ParseHeader(s)
		if err != nil {
			if _, v, ok := strings.Cut(s, ":"); ok && len(strings.TrimSpace(v)) > 8 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
				t.Fatalf("error %q quotes the value", err)
			}
			return
		}
		req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
		req.Header.Set(name, value)
		var b strings.Builder
		if err := req.Write(&b); err != nil {
			t.Fatalf("header %q: %q cannot be sent: %v", name, value, err)
		}
		back, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
		if err != nil {
			t.Fatalf("header %q: %q does not read back: %v", name, value, err)
		}
		if got := back.Header.Values(name); len(got) != 1 || got[0] != value {
			t.Fatalf("header %q: sent %q, read back %q", name, value, got)
		}
	})
}

// FuzzDeploymentAnswers: whatever a deployment answers — any status, any bytes — the fuzz
// check compares, shrinks and reports without panicking, and its report shows no secret.
func FuzzDeploymentAnswers(f *testing.F) {
	f.Add(200, []byte(`{"status":1,"content":{"data":{"username":"temasys","notify":true,"email":[],"s3Settings":{"s3Arn":"x","s3AccessKeyId":"k","s3SecretAccessKey":"fuzz-s3-secret"}}}}`))
	f.Add(400, []byte(`{"status":0,"content":{"message":"m","errors":[{"field":"email"},{"field":null},1]}}`))
	f.Add(404, []byte(`{"status":0,"content":{}}{}`))
	f.Add(401, []byte(`{"status":-1}`))
	f.Add(500, []byte("<html>"))
	f.Add(200, []byte(`{"status":1,"content":{"data":[]}}`))
	f.Fuzz(deploymentAnswers)
}

// deploymentAnswers runs the fuzz check against a deployment that answers status and body
// to everything but the first two GETs (the preflight's and the snapshot's: no settings).
func deploymentAnswers(t *testing.T, status int, body []byte) {
	if status < 200 || status > 599 {
		return
	}
	var gets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && gets < 2 {
			gets++
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"status":0,"content":{"message":"none"}}`)
			return
		}
		w.WriteHeader(status)
		w.Write(body)
	}))
	defer srv.Close()
	cfg := fuzzConfig(configOne(srv.URL, true), 2, 1)
	rep, _ := contract.Run(context.Background(), cfg, contract.Checks())
	var b strings.Builder
	contract.WriteText(&b, rep)
	if strings.Contains(b.String(), "panic:") {
		t.Fatalf("the fuzz check panicked:\n%s", b.String())
	}
	if strings.Contains(b.String(), "demo-secret") {
		t.Fatalf("the report shows the Basic secret")
	}
}
