package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/recmock/recmock"
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

// A proxy told the deployment's accounts holds every answer to them: here a broken upstream
// answers one account's GET with the other's settings, and a GET as it then contradicts the
// write the proxy saw acknowledged.
func ExampleConfig_accounts() {
	ann := recmock.Account{Username: "ann", APIKey: "ann-key", Secret: "ann-secret"}
	bob := recmock.Account{Username: "bob", APIKey: "bob-key", Secret: "bob-secret"}
	m, _ := mock.New(mock.Config{Accounts: []recmock.Account{ann, bob}})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			r.SetBasicAuth(ann.APIKey, ann.Secret) // every GET reads ann's settings
		}
		m.ServeHTTP(w, r)
	}))
	defer upstream.Close()

	p, _ := proxy.New(proxy.Config{Upstream: upstream.URL, Accounts: []recmock.Account{ann, bob}, Annotate: true})
	srv := httptest.NewServer(p)
	defer srv.Close()

	do := func(a recmock.Account, method, body string) {
		req, _ := http.NewRequest(method, srv.URL+"/rest/recording/notifications", strings.NewReader(body))
		req.SetBasicAuth(a.APIKey, a.Secret)
		res, _ := http.DefaultClient.Do(req)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s as %s: %d %s", method, a.Username, res.StatusCode, res.Header.Get("X-Recmock-Violations"))))
	}
	do(ann, "POST", `{"notify":true}`)
	do(bob, "POST", `{"notify":false}`)
	do(bob, "GET", "")
	// Output:
	// POST as ann: 200
	// POST as bob: 200
	// GET as bob: 200 3; server content.data.username: must name the account whose credentials were sent: "bob" (got "ann"); server content.data.notify: GET must show the settings as POST #2 answered: false (got true); server content.data.username: GET must show the settings as POST #2 answered: "bob" (got "ann")
}
