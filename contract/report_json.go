package contract

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// WriteJSON writes the report as one indented JSON document for tools. Exchanges are included
// for the checks that failed and for the restore; durations are in milliseconds.
func WriteJSON(w io.Writer, rep Report) error {
	passed, failed, skipped := rep.Counts()
	out := jsonReport{
		Target: rep.Target, Writes: rep.Writes, WritesDisabled: rep.WritesDisabled, Preflight: rep.Preflight,
		Started: rep.Started.UTC(), DurationMs: ms(rep.Duration),
		Passed: passed, Failed: failed, Skipped: skipped, OK: rep.OK(),
		Results: make([]jsonResult, 0, len(rep.Results)),
	}
	for _, r := range rep.Results {
		jr := jsonResult{ID: r.ID, Question: r.Question, Status: r.Status, DurationMs: ms(r.Duration),
			Message: r.Message, Diff: r.Diff, Observed: r.Observed}
		if r.Status == StatusFail {
			jr.Exchanges = jsonExchanges(r.Exchanges)
		}
		out.Results = append(out.Results, jr)
	}
	out.Restore, out.OtherRestore = newJSONRestore(rep.Restore), newJSONRestore(rep.OtherRestore)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

type jsonReport struct {
	Target         string       `json:"target"`
	Writes         bool         `json:"writes"`
	WritesDisabled string       `json:"writesDisabled,omitempty"`
	Preflight      string       `json:"preflight,omitempty"`
	Started        time.Time    `json:"started"`
	DurationMs     float64      `json:"durationMs"`
	Passed         int          `json:"passed"`
	Failed         int          `json:"failed"`
	Skipped        int          `json:"skipped"`
	OK             bool         `json:"ok"`
	Results        []jsonResult `json:"results"`
	Restore        *jsonRestore `json:"restore,omitempty"`
	OtherRestore   *jsonRestore `json:"otherRestore,omitempty"`
}

func newJSONRestore(rs *Restore) *jsonRestore {
	if rs == nil {
		return nil
	}
	return &jsonRestore{Account: rs.Account, OK: rs.OK, HadSettings: rs.HadSettings, Message: rs.Message,
		Before: rs.Before, After: rs.After, Diff: rs.Diff, Exchanges: jsonExchanges(rs.Exchanges)}
}

type jsonResult struct {
	ID         string         `json:"id"`
	Question   string         `json:"question"`
	Status     Status         `json:"status"`
	DurationMs float64        `json:"durationMs"`
	Message    string         `json:"message,omitempty"`
	Diff       string         `json:"diff,omitempty"`
	Observed   []string       `json:"observed,omitempty"`
	Exchanges  []jsonExchange `json:"exchanges,omitempty"`
}

type jsonRestore struct {
	Account     string         `json:"account,omitempty"`
	OK          bool           `json:"ok"`
	HadSettings bool           `json:"hadSettings"`
	Message     string         `json:"message"`
	Before      string         `json:"before,omitempty"`
	After       string         `json:"after,omitempty"`
	Diff        string         `json:"diff,omitempty"`
	Exchanges   []jsonExchange `json:"exchanges,omitempty"`
}

type jsonExchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"requestHeader,omitempty"`
	RequestBody    string      `json:"requestBody,omitempty"`
	Status         int         `json:"status,omitempty"`
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	ResponseBody   string      `json:"responseBody,omitempty"`
	Error          string      `json:"error,omitempty"`
	DurationMs     float64     `json:"durationMs"`
}

func jsonExchanges(exs []Exchange) []jsonExchange {
	out := make([]jsonExchange, len(exs))
	for i, ex := range exs {
		out[i] = jsonExchange{Method: ex.Method, URL: ex.URL, RequestHeader: ex.RequestHeader, RequestBody: ex.RequestBody,
			Status: ex.Status, ResponseHeader: ex.ResponseHeader, ResponseBody: ex.ResponseBody, Error: ex.Error, DurationMs: ms(ex.Duration)}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
