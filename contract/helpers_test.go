package contract_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// The states an account can be in before a run.
var (
	noSettings   *recmock.Settings
	someSettings = &recmock.Settings{Username: "temasys", Notify: true, URL: "https://hooks.example.com/rec", Email: []string{"ops@example.com", "qa@example.org"}}
	s3Settings   = &recmock.Settings{Username: "temasys", Notify: true, URL: "https://hooks.example.com/rec?k=v&x=<y>", Email: []string{"ops@example.com"},
		S3: &recmock.S3Settings{ARN: "arn:aws:s3:eu-west-1:123456789012:acme-recordings/2026", AccessKeyID: "AKIAREALACCOUNTKEY", SecretAccessKey: "REAL-account-secret/with+chars"}}
)

// The two accounts of the mock the tests run against: config's, and the second one
// (--other-basic).
var (
	mainAccount  = recmock.DefaultAccount()
	otherAccount = recmock.Account{Username: "Globex-Ops", APIKey: "globex-key", Secret: "globex-secret"}
)

// newMock starts the mock with both accounts, the default one holding before (nil: no
// settings), behind wrap when given. It returns the mock and the server's URL.
func newMock(t testing.TB, before *recmock.Settings, wrap func(*mock.Server, http.Handler) http.Handler) (*mock.Server, string) {
	t.Helper()
	m, err := mock.New(mock.Config{Accounts: []recmock.Account{mainAccount, otherAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		if err := m.Store().Put(context.Background(), *before); err != nil {
			t.Fatal(err)
		}
	}
	var h http.Handler = m
	if wrap != nil {
		h = wrap(m, m)
	}
	srv := httptest.NewServer(drain(h))
	t.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return m, srv.URL
}

// drain reads what the handler left of a request body. The mock refuses a 2 MiB body
// without reading it, and net/http then lingers 500ms on the connection before closing it
// (rstAvoidanceDelay), which srv.Close waits for: draining keeps each test fast.
func drain(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		io.Copy(io.Discard, io.LimitReader(r.Body, 4<<20))
	})
}

// config is the configuration of a run against base with both accounts, their usernames
// given.
func config(base string, writes bool) contract.Config {
	cfg := configOne(base, writes)
	cfg.OtherAPIKey, cfg.OtherSecret, cfg.OtherUsername = otherAccount.APIKey, otherAccount.Secret, otherAccount.Username
	return cfg
}

// configOne is the configuration of a run against base with the default account only.
func configOne(base string, writes bool) contract.Config {
	return contract.Config{BaseURL: base, APIKey: "demo-key", Secret: "demo-secret", Username: "temasys", AllowWrites: writes}
}

// getRaw is GET's answer, byte for byte, as the default account reads it.
func getRaw(t testing.TB, base string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+contract.APIPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("demo-key", "demo-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// byStatus maps each check ID to its status.
func byStatus(rep contract.Report) map[string]contract.Status {
	m := map[string]contract.Status{}
	for _, r := range rep.Results {
		m[r.ID] = r.Status
	}
	return m
}

// failures lists the failed checks with their messages, for test failure output.
func failures(rep contract.Report) string {
	var s string
	for _, r := range rep.Results {
		if r.Status == contract.StatusFail {
			s += "\n" + r.ID + ": " + r.Message + "\n" + r.Diff
		}
	}
	return s
}
