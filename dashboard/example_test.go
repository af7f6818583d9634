package dashboard_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/recmock/recmock/dashboard"
)

// The dashboard is one http.Handler for "/" and "/ui/..."; recmock serve mounts it with
// mock.Config{UI: dashboard.Handler()}, next to the admin API it calls.
func ExampleHandler() {
	srv := httptest.NewServer(dashboard.Handler())
	defer srv.Close()

	for _, path := range []string{"/", "/ui/app.js", "/ui/missing.js"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(path, res.StatusCode, res.Header.Get("Content-Type"))
		if res.StatusCode != http.StatusOK {
			fmt.Print(string(body))
		}
	}
	// Output:
	// / 200 text/html; charset=utf-8
	// /ui/app.js 200 text/javascript; charset=utf-8
	// /ui/missing.js 404 application/json
	// {"status":0,"content":{"message":"not found: no dashboard page or asset at /ui/missing.js"}}
}
