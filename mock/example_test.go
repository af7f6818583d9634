package mock_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// post sends an authenticated JSON request and prints the answer.
func post(method, url, body string) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth("demo-key", "demo-secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(b))
}

// A Go test runs the mock in-process with httptest and talks to it like any client.
func Example() {
	m, err := mock.New(mock.Config{})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m)
	defer srv.Close()

	post("POST", srv.URL+"/rest/recording/notifications", `{"notify":1,"email":"a@b.com; b@c.com a@b.com"}`)
	post("PUT", srv.URL+"/rest/recording/notifications", `{"notify":true,"emails":"typo@b.com"}`)
	// Output:
	// 200 {"status":1,"content":{"data":{"username":"temasys","notify":true,"email":["a@b.com","b@c.com"]}}}
	// 400 {"status":0,"content":{"message":"invalid input: emails: is not a known field","errors":[{"field":"emails","message":"is not a known field"}]}}
}

// Accounts other than the default one authenticate with their own apiKey:secret.
func ExampleNew_accounts() {
	m, _ := mock.New(mock.Config{Accounts: []recmock.Account{{Username: "acme", APIKey: "acme-key", Secret: "s3cret"}}})
	srv := httptest.NewServer(m)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/rest/recording/notifications", nil)
	req.SetBasicAuth("acme-key", "s3cret")
	res, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(b))
	// Output:
	// 404 {"status":0,"content":{"message":"not found: account \"acme\" has no notification settings; create them with POST"}}
}

// Faults make the next matching requests fail, to test a client's error handling.
func ExampleNew_faults() {
	m, _ := mock.New(mock.Config{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	res, _ := http.Post(srv.URL+"/_admin/faults", "application/json", strings.NewReader(`{"method":"POST","status":503}`))
	res.Body.Close()
	post("POST", srv.URL+"/rest/recording/notifications", `{"notify":true}`)
	post("POST", srv.URL+"/rest/recording/notifications", `{"notify":true}`)
	// Output:
	// 503 {"status":0,"content":{"message":"injected fault #1: status 503 (set with POST /_admin/faults)"}}
	// 200 {"status":1,"content":{"data":{"username":"temasys","notify":true,"email":[]}}}
}

// A bolt store keeps settings across restarts.
func ExampleOpenBoltStore() {
	dir, _ := os.MkdirTemp("", "recmock")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "settings.db")
	ctx := context.Background()

	s, err := mock.OpenBoltStore(file)
	if err != nil {
		panic(err)
	}
	s.Create(ctx, recmock.Settings{Username: "temasys", Notify: true, Email: []string{"a@b.com"}})
	s.Close()

	s, _ = mock.OpenBoltStore(file)
	defer s.Close()
	got, _ := s.Get(ctx, "temasys")
	fmt.Println(got.Notify, got.Email)
	// Output: true [a@b.com]
}

// The memory store is the default; tests can seed it directly.
func ExampleNewMemoryStore() {
	s := mock.NewMemoryStore()
	s.Put(context.Background(), recmock.Settings{Username: "temasys", URL: "https://example.com/hook"})
	m, _ := mock.New(mock.Config{Store: s})
	srv := httptest.NewServer(m)
	defer srv.Close()

	post("GET", srv.URL+"/rest/recording/notifications", "")
	// Output:
	// 200 {"status":1,"content":{"data":{"username":"temasys","notify":false,"url":"https://example.com/hook","email":[]}}}
}

// The admin API serves scripts (curl -d included) and its own dashboard, not pages of other
// sites; with an AdminToken, it wants the token too.
func ExampleConfig_adminToken() {
	m, _ := mock.New(mock.Config{AdminToken: "0123456789abcdef0123"})
	srv := httptest.NewServer(m)
	defer srv.Close()

	reset := func(header ...string) {
		req, _ := http.NewRequest("POST", srv.URL+"/_admin/reset", strings.NewReader("{}"))
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		fmt.Print(res.StatusCode, " ", string(b))
	}
	reset()
	reset("Authorization", "Bearer 0123456789abcdef0123", "Origin", "https://evil.example")
	reset("Authorization", "Bearer 0123456789abcdef0123", "Content-Type", "application/x-www-form-urlencoded")
	// Output:
	// 401 {"status":-1,"content":{"message":"not authorized: the admin API needs the admin token: send Authorization: Bearer TOKEN, or open the dashboard URL that serve printed (/?token=...) once"}}
	// 403 {"status":0,"content":{"message":"forbidden: cross-site request refused: Origin https://evil.example is not this server"}}
	// 200 {"status":"ok"}
}
