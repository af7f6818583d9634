package contract

import (
	"net/http"
	"time"
)

// Status is a check's verdict.
type Status string

// The verdicts.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Report is the outcome of a run.
type Report struct {
	// Target is the base URL checked, or the webhook receiver's URL.
	Target string
	// Writes says whether write checks were allowed to run.
	Writes bool
	// WritesDisabled, when set, says why write checks were skipped although writes were
	// allowed (the account's settings could not be saved first, say).
	WritesDisabled string
	Started        time.Time
	Duration       time.Duration
	Results        []Result
	// Restore says how the account's settings were put back; nil when nothing was written.
	Restore *Restore
	// OtherRestore is the same for the second account (Config.OtherAPIKey).
	OtherRestore *Restore
	// Preflight, when set, says why the deployment could not be tested at all (Run's error
	// wraps ErrPreflight, and no check ran): reports say so, and JUnit counts it as an error,
	// not a failure, so CI tells "could not test" from "contract broken".
	Preflight string
}

// restores are the report's restores that happened, the account's first.
func (r Report) restores() []*Restore {
	var out []*Restore
	for _, rs := range []*Restore{r.Restore, r.OtherRestore} {
		if rs != nil {
			out = append(out, rs)
		}
	}
	return out
}

// Counts returns how many checks passed, failed and were skipped.
func (r Report) Counts() (passed, failed, skipped int) {
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			passed++
		case StatusFail:
			failed++
		case StatusSkip:
			skipped++
		}
	}
	return passed, failed, skipped
}

// OK reports whether every check passed or was skipped and, if anything was written, the
// settings of every account were restored.
func (r Report) OK() bool {
	if r.Preflight != "" {
		return false
	}
	_, failed, _ := r.Counts()
	for _, rs := range r.restores() {
		if !rs.OK {
			return false
		}
	}
	return failed == 0
}

// Result is one check's verdict with the evidence.
type Result struct {
	ID       string
	Question string
	Status   Status
	Duration time.Duration
	// Message says why the check failed or was skipped, one line per finding.
	Message string
	// Diff holds each mismatch as cmp.Diff (-want +got), headed by what was compared.
	Diff string
	// Observed notes where the service differs from one of recmock's own decisions (an HTTP
	// status code, say). They do not fail a check by themselves.
	Observed []string
	// Exchanges are the requests sent and what came back, secrets masked.
	Exchanges []Exchange
}

// Exchange is one request and its response as reports show them: secrets are masked
// (Authorization, Cookie and configured header values, s3SecretAccessKey values) and bodies
// are cut to a few KiB.
type Exchange struct {
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    string
	Status         int // 0 when no answer came
	ResponseHeader http.Header
	ResponseBody   string
	Error          string // why no answer came
	Duration       time.Duration
}

// Restore says how the account's settings were put back after the writes.
type Restore struct {
	// Account names the account when it is not Config's own: "the other account (--other-basic)".
	Account string
	// OK is true when GET answers exactly what it answered before the run or, for an account
	// that had no settings, the {"notify":false} that had to be left instead.
	OK bool
	// HadSettings says whether the account had settings before the run.
	HadSettings bool
	// Message says what was done, and what was left behind, in words for a person.
	Message string
	// Before and After are GET's answers before the run and after restoring, masked.
	Before, After string
	// Diff is cmp.Diff(Before, After) when they differ.
	Diff      string
	Exchanges []Exchange
}
