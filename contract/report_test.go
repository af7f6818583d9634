package contract_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"testing"
	"time"

	"github.com/recmock/recmock/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/contract"
)

var started = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// sampleReport has one of everything a report shows: a pass, a pass with an observation, a
// failure with a diff and exchanges, a decision's failure, a skip, and a restore.
func sampleReport() contract.Report {
	put := contract.Exchange{
		Method: "PUT", URL: "https://api.example.com/v1/rest/recording/notifications",
		RequestHeader: http.Header{"Authorization": {"***"}, "Content-Type": {"application/json"}},
		RequestBody:   `{"notify":1}`, Status: 200,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody:   `{"status":1,"content":{"data":{"username":"temasys","notify":1,"email":[]}}}`,
		Duration:       4 * time.Millisecond,
	}
	return contract.Report{
		Target: "https://api.example.com/v1", Writes: true, Started: started, Duration: 1234 * time.Millisecond,
		Results: []contract.Result{
			{ID: "envelope.success-shape", Question: `Does GET answer {"status":1,"content":{"data":{...}}}, valid against openapi.yaml?`, Status: contract.StatusPass, Duration: 3 * time.Millisecond},
			{ID: "notify.string-refused", Question: `Is notify sent as the string "true" refused with status 0 naming notify?`, Status: contract.StatusPass, Duration: 2 * time.Millisecond,
				Observed: []string{"HTTP 200 where recmock answers 400 (Bad Request)"}},
			{ID: "notify.accepts-1", Question: "Is notify sent as 1 answered as true?", Status: contract.StatusFail, Duration: 9 * time.Millisecond,
				Message:   "the answer breaks openapi.yaml's SettingsEnvelope: invalid input: content.data.notify: must be a boolean\nPUT answered notify as 1, want the JSON boolean true",
				Diff:      "GET after PUT mismatch (-want +got):\n  recmock.Settings{\n  \tUsername: \"temasys\",\n- \tNotify:   true,\n+ \tNotify:   false,\n  }",
				Exchanges: []contract.Exchange{put, {Method: "GET", URL: put.URL, RequestHeader: put.RequestHeader, Error: "context deadline exceeded"}}},
			{ID: "decision.invalid-400", Question: "Is refused input answered with HTTP 400?", Status: contract.StatusFail, Duration: time.Millisecond,
				Message:  "HTTP 200, want 400 (Bad Request): recmock's decision where the vendor documents none",
				Observed: []string{"HTTP 200 with status 0 where recmock answers 400"}},
			{ID: "s3.partial-refused", Question: "Is s3Arn without the two keys refused with status 0 naming the missing fields?", Status: contract.StatusSkip, Message: "needs --allow-writes"},
		},
		Restore: &contract.Restore{OK: true, HadSettings: true, Message: "settings restored: GET answers exactly what it answered before the run",
			Before: `{"status":1,"content":{"data":{"username":"temasys","notify":true,"email":[]}}}`,
			After:  `{"status":1,"content":{"data":{"username":"temasys","notify":true,"email":[]}}}`},
	}
}

// failedRestoreReport is a clean run whose restore failed.
func failedRestoreReport() contract.Report {
	return contract.Report{
		Target: "http://127.0.0.1:8080", Writes: true, Started: started,
		Results: []contract.Result{{ID: "url.accepts-https", Question: "Is an https URL answered and read back exactly as sent?", Status: contract.StatusPass}},
		Restore: &contract.Restore{HadSettings: true,
			Message: "COULD NOT RESTORE the account's settings: PUT and POST answered HTTP 503.\nThey were, before the run:\n{\"status\":1}\nPut them back by hand.",
			Before:  `{"status":1}`,
			Exchanges: []contract.Exchange{{Method: "PUT", URL: "http://127.0.0.1:8080/rest/recording/notifications", RequestBody: `{"notify":true,"s3SecretAccessKey":"***"}`, Status: 503,
				ResponseBody: `{"status":0,"content":{"message":"maintenance"}}`}}},
	}
}

func TestReporters(t *testing.T) {
	reporters := []struct {
		ext   string
		write func(*bytes.Buffer, contract.Report) error
	}{
		{"txt", func(b *bytes.Buffer, r contract.Report) error { return contract.WriteText(b, r) }},
		{"json", func(b *bytes.Buffer, r contract.Report) error { return contract.WriteJSON(b, r) }},
		{"xml", func(b *bytes.Buffer, r contract.Report) error { return contract.WriteJUnit(b, r) }},
	}
	reports := []struct {
		name string
		rep  contract.Report
	}{{"report", sampleReport()}, {"report-restore-failed", failedRestoreReport()}}
	for _, rp := range reports {
		for _, w := range reporters {
			t.Run(rp.name+"."+w.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := w.write(&b, rp.rep); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, rp.name+"."+w.ext, b.Bytes())
			})
		}
	}
}

func TestWriteJSONIsValid(t *testing.T) {
	var b bytes.Buffer
	if err := contract.WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Passed, Failed, Skipped int
		OK                      bool
		Results                 []struct {
			ID        string
			Status    string
			Exchanges []json.RawMessage
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Passed != 2 || got.Failed != 2 || got.Skipped != 1 || got.OK || len(got.Results) != 5 || len(got.Results[2].Exchanges) != 2 || got.Results[0].Exchanges != nil {
		t.Errorf("JSON report read back as %+v", got)
	}
}

// The JUnit document as CI tools read it.
type junitSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnitReadsBack(t *testing.T) {
	var b bytes.Buffer
	if err := contract.WriteJUnit(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML encoding/xml reads: %v", err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	type counts struct{ Tests, Failures, Skipped int }
	want := counts{6, 2, 1} // five checks and the restore
	if diff := cmp.Diff(want, counts{s.Tests, s.Failures, s.Skipped}); diff != "" {
		t.Errorf("testsuite counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, counts{doc.Tests, doc.Failures, doc.Skipped}); diff != "" {
		t.Errorf("testsuites counts (-want +got):\n%s", diff)
	}
	if s.Time != "1.234" {
		t.Errorf("testsuite time %q, want 1.234", s.Time)
	}
	for _, c := range s.Cases {
		if c.Classname == "" || c.Name == "" || c.Time == "" {
			t.Errorf("testcase %+v lacks classname, name or time", c)
		}
	}
	c := s.Cases[2]
	if c.Name != "notify.accepts-1" || c.Classname != "recmock.contract.notify" || c.Failure == nil || c.Failure.Message == "" {
		t.Fatalf("failed testcase read back as %+v", c)
	}
	for _, part := range []string{"GET after PUT mismatch (-want +got):", "> PUT https://api.example.com/v1/rest/recording/notifications", `< {"status":1`} {
		if !bytes.Contains([]byte(c.Failure.Text), []byte(part)) {
			t.Errorf("failure text lacks %q:\n%s", part, c.Failure.Text)
		}
	}
	if sk := s.Cases[4].Skipped; sk == nil || sk.Message != "needs --allow-writes" {
		t.Errorf("skipped testcase read back as %+v", s.Cases[4])
	}
}

// TestWriteJUnitSanitises: a body with bytes XML cannot hold still makes a document CI tools
// can read.
func TestWriteJUnitSanitises(t *testing.T) {
	rep := contract.Report{Results: []contract.Result{{ID: "x.y", Question: "Q?", Status: contract.StatusFail,
		Message: "bad \x00 byte \xff and ]]> end", Observed: []string{"\x1b[31mred"}}}}
	var b bytes.Buffer
	if err := contract.WriteJUnit(&b, rep); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("unreadable XML: %v\n%s", err, b.String())
	}
	if got := doc.Suites[0].Cases[0].Failure.Text; !bytes.Contains([]byte(got), []byte("bad \uFFFD byte \uFFFD and ]]> end")) {
		t.Errorf("failure text read back as %q", got)
	}
}
