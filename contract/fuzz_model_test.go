package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// newModel is what cmd/recmock gives the fuzz check: a fresh in-memory mock.
func newModel(accounts []recmock.Account) (contract.Model, error) {
	return mock.New(mock.Config{Accounts: accounts})
}

// fuzzConfig runs only the fuzz check, n sequences from seed.
func fuzzConfig(cfg contract.Config, n int, seed uint64) contract.Config {
	cfg.Fuzz, cfg.Seed, cfg.NewModel = n, seed, newModel
	cfg.Run = regexp.MustCompile(`^fuzz\.`)
	return cfg
}

// TestFuzzAgreesWithTheMock: the model and the mock are the same program, so no sequence
// may differ, from any starting state, with one account or two; and both accounts are left
// as they were.
func TestFuzzAgreesWithTheMock(t *testing.T) {
	tests := []struct {
		name   string
		before *recmock.Settings
		cfg    func(base string) contract.Config
	}{
		{"two-accounts/s3-settings", s3Settings, func(base string) contract.Config { return config(base, true) }},
		{"one-account/no-settings", noSettings, func(base string) contract.Config { return configOne(base, true) }},
		{"usernames-learned", someSettings, func(base string) contract.Config {
			cfg := config(base, true)
			forgetUsernames(&cfg)
			return cfg
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, base := newMock(t, tt.before, nil)
			before := []string{getRaw(t, base), getRawAs(t, base, otherAccount)}
			rep, err := contract.Run(context.Background(), fuzzConfig(tt.cfg(base), 150, 1), contract.Checks())
			if err != nil || !rep.OK() {
				t.Fatalf("Run: %v%s", err, failures(rep))
			}
			if got := rep.Results[0].Observed; len(got) != 1 || !strings.HasPrefix(got[0], "seed 1: 150 sequences, ") {
				t.Errorf("observed %q, want the seed and the counts", got)
			}
			after := []string{getRaw(t, base), getRawAs(t, base, otherAccount)}
			if tt.before == nil {
				before[0] = `{"status":1,"content":{"data":{"username":"temasys","notify":false,"email":[]}}}` + "\n"
			}
			if tt.name != "one-account/no-settings" && !strings.Contains(before[1], `"status":1`) {
				before[1] = `{"status":1,"content":{"data":{"username":"Globex-Ops","notify":false,"email":[]}}}` + "\n"
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("settings after the run (-want +got):\n%s", diff)
			}
		})
	}
}

// getRawAs is GET's answer, byte for byte, as an account reads it.
func getRawAs(t testing.TB, base string, a recmock.Account) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+contract.APIPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(a.APIKey, a.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// rawRequest wraps the mock so that f rewrites each request body's bytes before it reads
// them: a server with its own JSON reader.
func rawRequest(f func([]byte) []byte) func(*mock.Server, http.Handler) http.Handler {
	return func(_ *mock.Server, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			raw = f(raw)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
			h.ServeHTTP(w, r)
		})
	}
}

// unimagined are faults no named check was written for: each passes every named check, and
// only the comparison with the model finds it.
func unimagined() []mutation {
	escape := regexp.MustCompile(`\\u00([0-9a-fA-F]{2})`)
	port := regexp.MustCompile(`^(?i)(https?://[^/?#]*?)(:\d+)`)
	return []mutation{
		{name: "unicode-escapes-read-literally", wrap: rawRequest(func(b []byte) []byte { return escape.ReplaceAll(b, []byte("u00$1")) })},
		{name: "duplicates-kept-around-tabs", wrap: storeAltered(func(body map[string]any, s *recmock.Settings) {
			if e := stringField(body, "email"); strings.Contains(e, "\t") {
				s.Email = strings.FieldsFunc(e, func(r rune) bool { return strings.ContainsRune(",; \t\r\n", r) })
			}
		})},
		{name: "url-port-dropped", wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
			s.URL = port.ReplaceAllString(s.URL, "$1")
		})},
		{name: "aws-cn-stored-as-aws", wrap: storeAltered(func(_ map[string]any, s *recmock.Settings) {
			if s.S3 != nil {
				s.S3.ARN = strings.Replace(s.S3.ARN, "arn:aws-cn:", "arn:aws:", 1)
			}
		})},
		{name: "empty-url-clears-email", wrap: storeAltered(func(body map[string]any, s *recmock.Settings) {
			if u, ok := body["url"].(string); ok && u == "" {
				s.Email = []string{}
			}
		})},
	}
}

// TestFuzzFindsTheUnimagined: every fault of unimagined passes the named checks, and the fuzz
// check finds it, shrinks it to at most two requests before the closing GETs, and names the
// seed; run again with the same seed (the first fault), it reports the same sequence. All of
// it goes through the proxies, which flag the fault in the fuzz check's traffic.
func TestFuzzFindsTheUnimagined(t *testing.T) {
	shrunk := regexp.MustCompile(`shrunk to (\d+) requests?`)
	for i, tt := range unimagined() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, upstream := newMock(t, nil, tt.wrap)
			proxies, base := newProxies(t, upstream)
			named := config(base, true)
			named.Skip = regexp.MustCompile(`^fuzz\.`)
			if rep, err := contract.Run(context.Background(), named, contract.Checks()); err != nil || !rep.OK() {
				t.Fatalf("a named check catches it, so it is not a test of the fuzz check: %v%s", err, failures(rep))
			}
			// The first fault is run twice, to see the same seed report the same sequence.
			runs := 1
			if i == 0 {
				runs = 2
			}
			var msgs []string
			for range runs {
				rep, err := contract.Run(context.Background(), fuzzConfig(config(base, true), 300, 3), contract.Checks())
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				res := rep.Results[0]
				if res.Status != contract.StatusFail {
					t.Fatalf("fuzz.agrees-with-model: %s %q, want fail", res.Status, res.Message)
				}
				m := shrunk.FindStringSubmatch(res.Message)
				if m == nil {
					t.Fatalf("not shrunk:\n%s", res.Message)
				}
				// the requests before the difference, the one that differs, and up to two
				// closing GETs
				if n, _ := strconv.Atoi(m[1]); n > 4 {
					t.Errorf("shrunk to %d requests, want 4 at most:\n%s", n, res.Message)
				}
				if !strings.Contains(res.Message, "seed 3, sequence ") || !strings.Contains(res.Message, "--seed 3") {
					t.Errorf("the report does not name the seed:\n%s", res.Message)
				}
				if len(res.Exchanges) == 0 || len(res.Exchanges) > 12 {
					t.Errorf("%d exchanges, want those of the shrunk sequence", len(res.Exchanges))
				}
				msgs = append(msgs, res.Message+res.Diff)
			}
			if diff := cmp.Diff(msgs[0], msgs[len(msgs)-1]); diff != "" {
				t.Errorf("the same seed reported another sequence (-first +second):\n%s", diff)
			}
			// The fuzz check's traffic shows the fault to the proxies too; the named
			// checks' traffic did not.
			for _, p := range proxies {
				if len(serverViolations(p.p)) == 0 {
					t.Errorf("the proxy %s flagged nothing", p.name)
				}
			}
		})
	}
}

// TestFuzzCatchesTheMutations: the fuzz check alone, knowing none of the rules the named
// checks encode, catches every broken variant of the mock whose fault shows in the answers
// to the API's requests; those it cannot see are listed with the reason.
func TestFuzzCatchesTheMutations(t *testing.T) {
	blind := map[string]string{
		"unbroken":                  "nothing to catch",
		"unbroken-with-s3-settings": "nothing to catch",
		"unauthorized-as-http-200":  "a different HTTP status with the same envelope is one of recmock's decisions: observed, not failed",
		"invalid-input-as-http-200": "the same",
		"s3-secret-not-returned":    "it breaks only for the value one named check sends",
		"unknown-path-html":         "the fuzz check sends only the API's path",
		"bytes-after-the-answer":    "GET's answer cannot be saved, so writes, and the fuzz check, are disabled",
		"other-answered-with-first-username/usernames-not-given": "the fuzz check refuses to start: both accounts answer as one (accounts.own-username fails)",
	}
	for _, tt := range slices.Concat(ruleMutations(), classMutations()) {
		t.Run(tt.name, func(t *testing.T) {
			if why, ok := blind[tt.name]; ok {
				t.Skip(why) // the unbroken mock passes in TestFuzzAgreesWithTheMock
			}
			t.Parallel()
			_, base := newMock(t, tt.before, tt.wrap)
			cfg := config(base, true)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			rep, _ := contract.Run(context.Background(), fuzzConfig(cfg, 100, 7), contract.Checks())
			if got := byStatus(rep)["fuzz.agrees-with-model"]; got != contract.StatusFail {
				t.Errorf("fuzz.agrees-with-model: %s against a broken server, want fail", got)
			}
		})
	}
}

// TestProxyQuietUnderFuzz: the fuzz check's random traffic, valid and invalid, on both
// accounts, with and without credentials, makes neither proxy flag a correct server.
func TestProxyQuietUnderFuzz(t *testing.T) {
	_, upstream := newMock(t, someSettings, nil)
	proxies, base := newProxies(t, upstream)
	rep, err := contract.Run(context.Background(), fuzzConfig(config(base, true), 150, 5), contract.Checks())
	if err != nil || !rep.OK() {
		t.Fatalf("Run: %v%s", err, failures(rep))
	}
	for _, p := range proxies {
		if server := serverViolations(p.p); len(server) > 0 {
			t.Errorf("the proxy %s flags a correct server:\n%s", p.name, strings.Join(server, "\n"))
		}
		if s := p.p.Summary(); s.Client == 0 {
			t.Errorf("the proxy %s saw no client violation: the fuzz check sent no invalid input?", p.name)
		}
	}
}
