package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteJUnit writes the report as JUnit XML, the format CI tools (Jenkins, GitLab, GitHub
// Actions reporters) read: one testsuite, one testcase per check named by its ID with the
// group as classname, failure and skipped elements with the reason, and a "restore" testcase
// when settings were restored, so a failed restore fails the build visibly too.
func WriteJUnit(w io.Writer, rep Report) error {
	suite := junitSuite{Name: "recmock contract", Timestamp: rep.Started.UTC().Format(time.RFC3339), Time: secs(rep.Duration),
		Properties: []junitProperty{{Name: "target", Value: rep.Target}, {Name: "writes", Value: fmt.Sprint(rep.Writes)}}}
	for _, r := range rep.Results {
		c := junitCase{Classname: "recmock.contract." + (Check{ID: r.ID}).Group(), Name: r.ID, Time: secs(r.Duration)}
		switch r.Status {
		case StatusFail:
			c.Failure = &junitFailure{Type: "contract", Message: r.Question + " " + firstLine(r.Message), Text: xmlSafe(failureText(r))}
		case StatusSkip:
			c.Skipped = &junitSkipped{Message: r.Message}
		}
		if len(r.Observed) > 0 {
			c.SystemOut = newCDATA("observed: " + strings.Join(r.Observed, "\nobserved: "))
		}
		suite.Cases = append(suite.Cases, c)
	}
	if rep.Preflight != "" {
		suite.Cases = append(suite.Cases, junitCase{Classname: "recmock.contract", Name: "preflight", Time: secs(rep.Duration),
			Error: &junitFailure{Type: "preflight", Message: "could not test: " + firstLine(rep.Preflight), Text: xmlSafe(rep.Preflight)}})
	}
	for _, rs := range rep.restores() {
		name := "restore"
		if rs.Account != "" {
			name = "restore-other-account"
		}
		c := junitCase{Classname: "recmock.contract", Name: name, Time: secs(0), SystemOut: newCDATA(rs.Message)}
		if !rs.OK {
			var b strings.Builder
			ew := &errWriter{w: &b}
			writeIndented(ew, "", rs.Message)
			writeIndented(ew, "", rs.Diff)
			for _, ex := range rs.Exchanges {
				ew.printf("\n")
				writeExchange(ew, ex, "")
			}
			c.Failure, c.SystemOut = &junitFailure{Type: "restore", Message: firstLine(rs.Message), Text: xmlSafe(b.String())}, nil
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Skipped != nil {
			suite.Skipped++
		}
		if c.Error != nil {
			suite.Errors++
		}
	}
	doc := junitSuites{Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureText(r Result) string {
	var b strings.Builder
	ew := &errWriter{w: &b}
	ew.printf("%s\n", r.Question)
	writeIndented(ew, "", r.Message)
	writeIndented(ew, "", r.Diff)
	for _, o := range r.Observed {
		ew.printf("observed: %s\n", o)
	}
	for _, ex := range r.Exchanges {
		ew.printf("\n")
		writeExchange(ew, ex, "")
	}
	return b.String()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// junitSuites is the root of WriteJUnit's document.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitSuite is the one testsuite of a run.
type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

// junitProperty is a name and value describing the run.
type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitCase is one check.
type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Error     *junitFailure `xml:"error"` // the target could not be tested (Report.Preflight)
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut *cdata        `xml:"system-out"`
}

// junitFailure says why a check failed; the text holds the findings, diffs and exchanges.
type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// junitSkipped says why a check was skipped.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// cdata is element text written as a CDATA section, which keeps diffs and bodies readable in
// the XML file itself.
type cdata struct {
	Text string `xml:",cdata"`
}

func newCDATA(s string) *cdata { return &cdata{Text: xmlSafe(s)} }

// xmlSafe replaces what XML 1.0 cannot hold, even in CDATA (control characters, invalid
// UTF-8, a response body's NUL), with U+FFFD.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF && r != utf8.RuneError,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return utf8.RuneError
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
