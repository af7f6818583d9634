package proxy

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
)

// Summary counts what the proxy saw.
type Summary struct {
	Exchanges      int            `json:"exchanges"`
	Validated      int            `json:"validated"`
	WithViolations int            `json:"withViolations"`
	Client         int            `json:"clientViolations"`
	Server         int            `json:"serverViolations"`
	UpstreamErrors int            `json:"upstreamErrors"`
	Rules          map[string]int `json:"rules"` // "side field: rule" -> times, bounded
}

// maxRules bounds the distinct rules counted; the rest are counted under "other".
const maxRules = 200

type stats struct {
	mu sync.Mutex
	s  Summary
}

func (st *stats) add(e *Exchange) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &st.s
	s.Exchanges++
	if e.Validated {
		s.Validated++
	}
	if e.Upstream {
		s.UpstreamErrors++
	}
	if len(e.Violations) > 0 {
		s.WithViolations++
	}
	if s.Rules == nil {
		s.Rules = map[string]int{}
	}
	for _, v := range e.Violations {
		if v.Side == SideClient {
			s.Client++
		} else {
			s.Server++
		}
		k := v.Side + " " + v.Field + ": " + v.Rule
		if _, ok := s.Rules[k]; !ok && len(s.Rules) >= maxRules {
			k = "other"
		}
		s.Rules[k]++
	}
}

// Summary returns the counts so far.
func (p *Proxy) Summary() Summary {
	p.stats.mu.Lock()
	defer p.stats.mu.Unlock()
	s := p.stats.s
	s.Rules = maps.Clone(s.Rules)
	return s
}

// WriteSummary prints the summary for a person: totals, then each rule broken, most
// frequent first.
func (s Summary) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "%d exchanges, %d validated, %d with violations (%d by clients, %d by the server), %d upstream errors\n",
		s.Exchanges, s.Validated, s.WithViolations, s.Client, s.Server, s.UpstreamErrors)
	keys := slices.Collect(maps.Keys(s.Rules))
	slices.SortFunc(keys, func(a, b string) int {
		if s.Rules[a] != s.Rules[b] {
			return s.Rules[b] - s.Rules[a]
		}
		if a < b {
			return -1
		}
		return 1
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %5d× %s\n", s.Rules[k], k)
	}
}
