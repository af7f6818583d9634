package proxy

import (
	"fmt"
	"strings"
	"time"
)

// Sides of a contract.
const (
	SideClient = "client" // the request broke a rule
	SideServer = "server" // the response broke a rule
)

// Violation is one broken rule in one exchange.
type Violation struct {
	Side  string `json:"side"`            // SideClient or SideServer
	Field string `json:"field"`           // JSON path in the body, "status", "Content-Type"...
	Rule  string `json:"rule"`            // what the value should have been
	Value string `json:"value,omitempty"` // an excerpt of what it was, secrets masked
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s %s: %s", v.Side, v.Field, v.Rule)
	if v.Value != "" {
		s += " (got " + v.Value + ")"
	}
	return s
}

// Exchange is one proxied request as the journal keeps it.
type Exchange struct {
	ID         int64       `json:"id"`
	Time       time.Time   `json:"time"`
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	Status     int         `json:"status"`
	DurationMs float64     `json:"durationMs"`
	Validated  bool        `json:"validated"`               // false for paths openapi.yaml does not cover, or bodies too large to read
	Upstream   bool        `json:"upstreamError,omitempty"` // the upstream did not answer; Note says why
	Note       string      `json:"note,omitempty"`          // why it was not validated, or the upstream error
	Violations []Violation `json:"violations,omitempty"`
}

// header renders violations for X-Recmock-Violations: one line, bounded.
func header(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	h := fmt.Sprintf("%d; %s", len(vs), strings.Join(parts, "; "))
	h = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, h)
	if len(h) > 2048 {
		h = h[:2048] + "..."
	}
	return h
}
