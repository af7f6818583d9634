package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

// A proxy in front of a deployment (here the mock) reports the contract violations of the
// traffic through it.
func Example() {
	m, _ := mock.New(mock.Config{})
	upstream := httptest.NewServer(m)
	defer upstream.Close()

	p, err := proxy.New(proxy.Config{Upstream: upstream.URL, Annotate: true})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/rest/recording/notifications", strings.NewReader(`{"notify":true,"emails":"a@b.com"}`))
	req.SetBasicAuth("demo-key", "demo-secret")
	req.Header.Set("Content-Type", "application/json")
	res, _ := http.DefaultClient.Do(req)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("X-Recmock-Violations"))
	p.Summary().WriteSummary(os.Stdout)
	// Output:
	// 400 1; client emails: is not a known field (got "a@b.com")
	// 1 exchanges, 1 validated, 1 with violations (1 by clients, 0 by the server), 0 upstream errors
	//       1× client emails: is not a known field
}
