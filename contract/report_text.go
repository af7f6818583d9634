package contract

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// WriteText writes the report for a person reading a CI log: one line per check, then each
// failure with its findings, diffs, observations and exchanges, then the restore, then the
// totals.
func WriteText(w io.Writer, rep Report) error {
	ew := &errWriter{w: w}
	mode := "read-only; --allow-writes runs the write checks"
	if rep.Writes {
		mode = "writes allowed; settings restored at the end"
	}
	if rep.WritesDisabled != "" {
		mode = rep.WritesDisabled
	}
	ew.printf("recmock contract: %s (%s)\n", rep.Target, mode)
	if rep.Preflight != "" {
		ew.printf("COULD NOT TEST: %s\nNo check ran.\n", rep.Preflight)
		return ew.err
	}
	width := 0
	for _, r := range rep.Results {
		width = max(width, len(r.ID))
	}
	for _, r := range rep.Results {
		line := fmt.Sprintf("%-4s  %-*s  %s  %s", strings.ToUpper(string(r.Status)), width, r.ID, seconds(r.Duration), r.Question)
		if r.Status == StatusSkip && r.Message != "" {
			line += "  [" + firstLine(r.Message) + "]"
		}
		ew.printf("%s\n", line)
		for _, o := range r.Observed {
			ew.printf("      observed: %s\n", o)
		}
	}
	for _, r := range rep.Results {
		if r.Status != StatusFail {
			continue
		}
		ew.printf("\n--- FAIL: %s\n    %s\n", r.ID, r.Question)
		writeIndented(ew, "    ", r.Message)
		writeIndented(ew, "    ", r.Diff)
		for _, o := range r.Observed {
			ew.printf("    observed: %s\n", o)
		}
		for _, ex := range r.Exchanges {
			ew.printf("\n")
			writeExchange(ew, ex, "    ")
		}
	}
	for _, rs := range rep.restores() {
		ew.printf("\n")
		if rs.OK {
			writeIndented(ew, "", "restore"+restoreOf(rs)+": "+rs.Message)
		} else {
			whose := "the account's settings"
			if rs.Account != "" {
				whose = "the settings of " + rs.Account
			}
			ew.printf("!!! RESTORE FAILED: %s may not be as they were !!!\n", whose)
			writeIndented(ew, "", rs.Message)
			writeIndented(ew, "    ", rs.Diff)
			for _, ex := range rs.Exchanges {
				ew.printf("\n")
				writeExchange(ew, ex, "    ")
			}
		}
	}
	passed, failed, skipped := rep.Counts()
	restore := ""
	for _, rs := range rep.restores() {
		if !rs.OK {
			restore = "; RESTORE FAILED"
		}
	}
	ew.printf("\n%d passed, %d failed, %d skipped in %s%s\n", passed, failed, skipped, seconds(rep.Duration), restore)
	return ew.err
}

// restoreOf names the account of a restore that is not Config's own: " of the other account ...".
func restoreOf(rs *Restore) string {
	if rs.Account == "" {
		return ""
	}
	return " of " + rs.Account
}

// writeExchange writes a request and its answer, curl -v style.
func writeExchange(w io.Writer, ex Exchange, indent string) {
	ew, ok := w.(*errWriter)
	if !ok {
		ew = &errWriter{w: w}
	}
	ew.printf("%s> %s %s\n", indent, ex.Method, ex.URL)
	writeHeader(ew, indent+"> ", ex.RequestHeader)
	if ex.RequestBody != "" {
		ew.printf("%s>\n", indent)
		writeIndented(ew, indent+"> ", ex.RequestBody)
	}
	if ex.Error != "" {
		ew.printf("%s! no answer: %s\n", indent, ex.Error)
		return
	}
	ew.printf("%s< HTTP %d %s (%s)\n", indent, ex.Status, http.StatusText(ex.Status), seconds(ex.Duration))
	writeHeader(ew, indent+"< ", ex.ResponseHeader)
	if ex.ResponseBody != "" {
		ew.printf("%s<\n", indent)
		writeIndented(ew, indent+"< ", ex.ResponseBody)
	}
}

func writeHeader(ew *errWriter, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			ew.printf("%s%s: %s\n", prefix, k, v)
		}
	}
}

// writeIndented writes each line of s with prefix; nothing for an empty s.
func writeIndented(ew *errWriter, prefix, s string) {
	if s == "" {
		return
	}
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		ew.printf("%s\n", strings.TrimRight(prefix+line, " "))
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// errWriter keeps the first write error, so the report reads top to bottom without checks.
type errWriter struct {
	w   io.Writer
	err error
}

var _ io.Writer = (*errWriter)(nil)

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
