package contract

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Bounds on shrinking one difference: replays of a candidate sequence, requests sent to the
// deployment for them (restores included), and time. Whatever is left when one runs out is
// reported, shrunk as far as it got.
const (
	shrinkReplays  = 150
	shrinkRequests = 3000
	shrinkTime     = time.Minute
)

// shrinker looks for the shortest sequence that still differs from the model (delta
// debugging: delete chunks of requests, then simplify bodies), replaying each candidate from
// the settings the accounts had before the original sequence.
type shrinker struct {
	f        *fuzzer
	ctx      context.Context
	start    []accountState
	replays  int
	requests int // at the start of shrinking, to bound this shrink's own
	deadline time.Time
	best     *trial
}

// shrink returns the shortest sequence found that differs, and a note on how it was found.
func (f *fuzzer) shrink(ctx context.Context, first *trial) (*trial, string) {
	s := &shrinker{f: f, ctx: ctx, start: first.before, requests: f.requests, deadline: f.r.now().Add(shrinkTime)}
	steps := first.steps[:min(len(first.steps), first.differs+1)] // what came after the difference plays no part
	if s.try(steps) == nil {
		return first, "not shrunk: the sequence did not differ again once the settings were put back as they were before it (does the deployment depend on timing, or on other clients?)"
	}
	steps = s.deleteChunks(s.best.steps)
	s.simplifyBodies(steps)
	note := fmt.Sprintf("shrunk to %s in %d replays (%s)", plural(len(s.best.sent), "request"), s.replays, plural(f.requests-s.requests, "request"))
	if s.exhausted() {
		note += ", where the shrinking budget ran out"
	}
	return s.best, note
}

func (s *shrinker) exhausted() bool {
	return s.replays >= shrinkReplays || s.f.requests-s.requests >= shrinkRequests || !s.f.r.now().Before(s.deadline) || s.ctx.Err() != nil
}

// try replays steps from the starting settings and returns the trial when it differs.
func (s *shrinker) try(steps []step) *trial {
	if s.exhausted() {
		return nil
	}
	s.replays++
	s.restoreStart()
	tr, err := s.f.replay(s.ctx, steps)
	if err != nil || !tr.failed() {
		return nil
	}
	s.best = tr
	return tr
}

// restoreStart puts back the settings each account had before the original sequence. An
// account that had none cannot go back (the API has no DELETE): replay starts the model
// from whatever the deployment then holds.
func (s *shrinker) restoreStart() {
	r := s.f.r
	res := &Result{ID: s.f.id}
	for i, st := range s.start {
		if st.has {
			r.putBack(s.ctx, res, r.accts[i], putBody(st.data))
		}
	}
	s.f.requests += len(res.Exchanges)
}

// deleteChunks removes chunks of requests, halving the chunks until single requests, while
// the sequence still differs (ddmin).
func (s *shrinker) deleteChunks(steps []step) []step {
	if len(steps) == 1 && s.try(nil) != nil {
		return nil
	}
	n := 2
	for len(steps) >= 2 && !s.exhausted() {
		size := (len(steps) + n - 1) / n
		reduced := false
		for i := 0; i < len(steps); i += size {
			cand := slices.Concat(steps[:i], steps[min(i+size, len(steps)):])
			if tr := s.try(cand); tr != nil {
				steps, n, reduced = tr.steps, max(n-1, 2), true
				break
			}
		}
		if !reduced {
			if n >= len(steps) {
				break
			}
			n = min(2*n, len(steps))
		}
	}
	if len(steps) == 1 && s.try(nil) != nil {
		return nil
	}
	return steps
}

// simplifyBodies replaces each body by a shorter one while the sequence still differs.
func (s *shrinker) simplifyBodies(steps []step) {
	for i := range steps {
		for improved := true; improved && !s.exhausted(); {
			improved = false
			for _, body := range simplerBodies(s.best.steps[i].Body) {
				cand := slices.Clone(s.best.steps)
				cand[i].Body = body
				if s.try(cand) != nil {
					improved = true
					break
				}
			}
		}
	}
}

// simplerBodies are bodies strictly shorter than body, shortest first: each member left out,
// each string value emptied, halved, or with one of its addresses left out.
func simplerBodies(body string) []string {
	if body == "" {
		return nil
	}
	ms, ok := objectMembers(body)
	if !ok {
		if len(body) > 2 {
			return []string{"{}"}
		}
		return nil
	}
	var out []string
	add := func(cand []member) {
		b := renderMembers(cand, false, false)
		if len(b) < len(body) && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	for i, m := range ms {
		add(slices.Delete(slices.Clone(ms), i, i+1))
		if str, ok := stringValue(m.value); ok {
			for _, v := range simplerStrings(str) {
				cand := slices.Clone(ms)
				cand[i].value = v
				add(cand)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(a) - len(b) })
	return out
}

// simplerStrings are shorter versions of a string value: empty, its first half, and, for a
// list of addresses, the list without a half, a quarter... down to each single address, the
// other separators kept as they were — so a long list shrinks in a few replays.
func simplerStrings(s string) []string {
	out := []string{""}
	if len(s) > 8 {
		out = append(out, cut(s, len(s)/2))
	}
	lead, items := splitList(s)
	for size := len(items) / 2; size >= 1 && len(items) > 1; size /= 2 {
		for i := 0; i < len(items); i += size {
			kept := slices.Concat(items[:i], items[min(i+size, len(items)):])
			if len(kept) == 0 {
				continue
			}
			var b strings.Builder
			b.WriteString(lead)
			for j, it := range kept {
				b.WriteString(it.addr)
				if j < len(kept)-1 || i+size < len(items) {
					b.WriteString(it.sep)
				} else {
					b.WriteString(items[len(items)-1].sep) // what ended the list
				}
			}
			out = append(out, b.String())
		}
	}
	return out
}

// listItem is an address of a list and the separators after it.
type listItem struct{ addr, sep string }

// splitList cuts an email field into the separators before the first address and each
// address with the separators that follow it.
func splitList(s string) (lead string, items []listItem) {
	isSep := func(r rune) bool { return strings.ContainsRune(",; \t\r\n", r) }
	i := strings.IndexFunc(s, func(r rune) bool { return !isSep(r) })
	if i < 0 {
		return s, nil
	}
	lead, s = s[:i], s[i:]
	for s != "" {
		end := strings.IndexFunc(s, isSep)
		if end < 0 {
			end = len(s)
		}
		next := strings.IndexFunc(s[end:], func(r rune) bool { return !isSep(r) })
		if next < 0 {
			next = len(s) - end
		}
		items = append(items, listItem{s[:end], s[end : end+next]})
		s = s[end+next:]
	}
	return lead, items
}

// plural is "1 request" or "n requests".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
