package contract_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/mock"
)

// A Go test runs the whole suite against the mock in-process, writes included; the account's
// settings are put back at the end.
func Example() {
	m, err := mock.New(mock.Config{})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m)
	defer srv.Close()

	rep, err := contract.Run(context.Background(), contract.Config{
		BaseURL:     srv.URL,
		APIKey:      "demo-key",
		Secret:      "demo-secret",
		AllowWrites: true,
	}, contract.Checks())
	if err != nil {
		panic(err)
	}
	_, failed, _ := rep.Counts()
	fmt.Println("failed:", failed)
	fmt.Println("restore:", rep.Restore.Message)
	// Output:
	// failed: 0
	// restore: the account had no settings before the run, and the API has no DELETE: it is left with {"notify":false} (notifications off; no url, e-mail or S3 settings)
}

// A check is an ID, a question and a Run function; Run selects checks by ID.
func ExampleCheck() {
	m, _ := mock.New(mock.Config{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	checks := append(contract.Checks(), contract.Check{
		ID:       "custom.allow-header",
		Question: "Does a 405 list the allowed methods in Allow?",
		Writes:   true, // DELETE could delete on a deployment that allows it
		Run: func(t *contract.T) {
			res := t.Do(contract.Request{Method: http.MethodDelete})
			t.Diff("Allow", "GET, POST, PUT", res.Header.Get("Allow"))
		},
	})
	for _, writes := range []bool{false, true} {
		rep, _ := contract.Run(context.Background(), contract.Config{
			BaseURL: srv.URL, APIKey: "demo-key", Secret: "demo-secret",
			AllowWrites: writes,
			Run:         regexp.MustCompile(`^(custom|auth)\.`),
			Skip:        regexp.MustCompile(`^auth\.(wrong|unknown|bearer)`),
		}, checks)
		for _, r := range rep.Results {
			fmt.Printf("%s %s %q\n", r.Status, r.ID, r.Message)
		}
	}
	// Output:
	// pass auth.missing-credentials ""
	// skip auth.put-without-credentials "needs --allow-writes"
	// skip auth.before-validation "needs --allow-writes"
	// skip custom.allow-header "needs --allow-writes"
	// pass auth.missing-credentials ""
	// pass auth.put-without-credentials ""
	// pass auth.before-validation ""
	// pass custom.allow-header ""
}

// The webhook checks run against a receiver's URL.
func ExampleWebhookChecks() {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusNoContent) // acknowledges anything, malformed bodies too
	}))
	defer receiver.Close()

	rep, _ := contract.Run(context.Background(), contract.Config{WebhookURL: receiver.URL}, contract.WebhookChecks())
	for _, r := range rep.Results {
		fmt.Println(r.Status, r.ID, r.Observed)
	}
	// Output:
	// pass webhook.accepts-event []
	// pass webhook.tolerates-duplicate []
	// pass webhook.ignores-unknown-fields []
	// pass webhook.malformed-no-5xx [HTTP 204 where a 4xx is expected]
	// pass webhook.wrong-types-no-5xx [HTTP 204 where a 4xx is expected]
	// pass webhook.empty-body-no-5xx [HTTP 204 where a 4xx is expected]
	// pass webhook.oversized-no-5xx [HTTP 204 where a 4xx is expected]
	// pass webhook.get-no-5xx []
	// pass webhook.put-no-5xx []
	// pass webhook.delete-no-5xx []
}

func exampleReport() contract.Report {
	return contract.Report{
		Target:  "https://api.example.com",
		Started: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Results: []contract.Result{
			{ID: "auth.missing-credentials", Question: "Is a GET without credentials answered with status -1 and no data?", Status: contract.StatusPass,
				Observed: []string{"HTTP 403 where recmock answers 401 (Unauthorized)"}},
			{ID: "decision.unauthorized-401", Question: "Is a GET without credentials answered with HTTP 401?", Status: contract.StatusFail,
				Message: "HTTP 403, want 401 (Unauthorized): recmock's decision where the vendor documents none"},
			{ID: "notify.accepts-1", Question: "Is notify sent as 1 answered as true?", Status: contract.StatusSkip, Message: "needs --allow-writes"},
		},
	}
}

func ExampleWriteText() {
	contract.WriteText(os.Stdout, exampleReport())
	// Output:
	// recmock contract: https://api.example.com (read-only; --allow-writes runs the write checks)
	// PASS  auth.missing-credentials   0.000s  Is a GET without credentials answered with status -1 and no data?
	//       observed: HTTP 403 where recmock answers 401 (Unauthorized)
	// FAIL  decision.unauthorized-401  0.000s  Is a GET without credentials answered with HTTP 401?
	// SKIP  notify.accepts-1           0.000s  Is notify sent as 1 answered as true?  [needs --allow-writes]
	//
	// --- FAIL: decision.unauthorized-401
	//     Is a GET without credentials answered with HTTP 401?
	//     HTTP 403, want 401 (Unauthorized): recmock's decision where the vendor documents none
	//
	// 1 passed, 1 failed, 1 skipped in 0.000s
}

func ExampleWriteJUnit() {
	contract.WriteJUnit(os.Stdout, exampleReport())
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="recmock contract" tests="3" failures="1" errors="0" skipped="1" time="0.000">
	//   <testsuite name="recmock contract" tests="3" failures="1" errors="0" skipped="1" time="0.000" timestamp="2026-11-30T09:00:00Z">
	//     <properties>
	//       <property name="target" value="https://api.example.com"></property>
	//       <property name="writes" value="false"></property>
	//     </properties>
	//     <testcase classname="recmock.contract.auth" name="auth.missing-credentials" time="0.000">
	//       <system-out><![CDATA[observed: HTTP 403 where recmock answers 401 (Unauthorized)]]></system-out>
	//     </testcase>
	//     <testcase classname="recmock.contract.decision" name="decision.unauthorized-401" time="0.000">
	//       <failure message="Is a GET without credentials answered with HTTP 401? HTTP 403, want 401 (Unauthorized): recmock&#39;s decision where the vendor documents none" type="contract"><![CDATA[Is a GET without credentials answered with HTTP 401?
	// HTTP 403, want 401 (Unauthorized): recmock's decision where the vendor documents none
	// ]]></failure>
	//     </testcase>
	//     <testcase classname="recmock.contract.notify" name="notify.accepts-1" time="0.000">
	//       <skipped message="needs --allow-writes"></skipped>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}

func ExampleWriteJSON() {
	rep := exampleReport()
	rep.Results = rep.Results[:1]
	contract.WriteJSON(os.Stdout, rep)
	// Output:
	// {
	//   "target": "https://api.example.com",
	//   "writes": false,
	//   "started": "2026-11-30T09:00:00Z",
	//   "durationMs": 0,
	//   "passed": 1,
	//   "failed": 0,
	//   "skipped": 0,
	//   "ok": true,
	//   "results": [
	//     {
	//       "id": "auth.missing-credentials",
	//       "question": "Is a GET without credentials answered with status -1 and no data?",
	//       "status": "pass",
	//       "durationMs": 0,
	//       "observed": [
	//         "HTTP 403 where recmock answers 401 (Unauthorized)"
	//       ]
	//     }
	//   ]
	// }
}

func ExampleParseHeader() {
	name, value, err := contract.ParseHeader("cookie: session=abc123")
	fmt.Println(name, value, err)
	_, _, err = contract.ParseHeader("Authorization Bearer abc123")
	fmt.Println(err)
	// Output:
	// Cookie session=abc123 <nil>
	// contract: bad header: want 'Name: value', found no colon
}

// With a Model — recmock's own mock, fresh for each sequence — the fuzz check sends random
// sequences to the deployment and compares every answer with the model's. The same seed sends
// the same sequences.
func ExampleModel() {
	accounts := []recmock.Account{recmock.DefaultAccount(), {Username: "globex", APIKey: "globex-key", Secret: "globex-secret"}}
	m, _ := mock.New(mock.Config{Accounts: accounts})
	srv := httptest.NewServer(m)
	defer srv.Close()

	rep, err := contract.Run(context.Background(), contract.Config{
		BaseURL: srv.URL, APIKey: "demo-key", Secret: "demo-secret",
		OtherAPIKey: "globex-key", OtherSecret: "globex-secret",
		AllowWrites: true,
		Fuzz:        25,
		Seed:        7,
		NewModel: func(accounts []recmock.Account) (contract.Model, error) {
			return mock.New(mock.Config{Accounts: accounts})
		},
		Run: regexp.MustCompile(`^fuzz\.`),
	}, contract.Checks())
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Results {
		fmt.Println(r.Status, r.ID, r.Observed)
	}
	// Output:
	// pass fuzz.agrees-with-model [seed 7: 25 sequences, 227 requests, every answer as the model gives it]
}
