package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/recmock/recmock/server"
)

// Start runs what recmock serve runs, on free ports unless told otherwise.
func ExampleStart() {
	srv, err := server.Start(server.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	res, err := http.Get(srv.URL() + "/_admin/health")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(string(body))
	fmt.Println(srv.Sink.Addr() != "", srv.S3.URL() != "")
	// Output:
	// {"status":"ok"}
	// true true
}

// A server that others can reach asks for the admin token; RequireToken does the same on
// loopback. API clients send it as a Bearer token, the dashboard as the cookie that
// /?token=TOKEN sets.
func ExampleServer_AdminToken() {
	srv, err := server.Start(server.Config{RequireToken: true})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	for _, token := range []string{"", srv.AdminToken()} {
		req, _ := http.NewRequest("DELETE", srv.URL()+"/_admin/requests", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(res.StatusCode, " ", string(body))
	}
	// Output:
	// 401 {"status":-1,"content":{"message":"not authorized: the admin API needs the admin token: send Authorization: Bearer TOKEN, or open the dashboard URL that serve printed (/?token=...) once"}}
	// 200 {"status":"ok"}
}

// HTTPLimits bound the API server's connections; the zero value of each field is its
// default.
func ExampleHTTPLimits() {
	srv, err := server.Start(server.Config{HTTP: server.HTTPLimits{MaxHeaderBytes: 16 << 10}})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL()+"/_admin/health", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 32<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.Status)
	// Output: 431 Request Header Fields Too Large
}
