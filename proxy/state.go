package proxy

import (
	"container/list"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/recmock/recmock"
)

// What the proxy remembers of each account from the exchanges it saw — the settings the last
// answer showed, or that it had none — and holds every later answer to: a GET must show the
// last acknowledged write, a POST must be refused where settings were seen, a PUT where none
// were, a refused write must change nothing. The proxy assumes it sees every write of the
// accounts it tracks; an exchange that overlapped another write of the same account is not
// judged, and leaves the account unknown until its next answer.

// The notifications API's operations, as openapi.yaml names them.
const (
	opGet    = "getNotificationSettings"
	opCreate = "createNotificationSettings"
	opPut    = "replaceNotificationSettings"
)

// envelope is what the proxy reads of an answer's envelope.
type envelope struct {
	status int            // -99 when the body is not an envelope
	data   map[string]any // content.data, for status 1
	fields []string       // the fields content.errors names, for status 0
	big    bool           // the answer is over maxStateBytes: its data is not remembered
}

// maxStateBytes bounds the answers whose settings an account's state keeps: settings at the
// API's own limits take a few KiB, so MaxAccounts accounts hold at most MaxAccounts times this.
// A larger answer leaves only whether the account has settings.
const maxStateBytes = 64 << 10

func readEnvelope(v any) envelope {
	env := envelope{status: -99}
	m, _ := v.(map[string]any)
	if n, ok := m["status"].(json.Number); ok {
		switch n {
		case "1":
			env.status = recmock.StatusSuccess
		case "0":
			env.status = recmock.StatusFailed
		case "-1":
			env.status = recmock.StatusUnauthorized
		}
	}
	content, _ := m["content"].(map[string]any)
	env.data, _ = content["data"].(map[string]any)
	errs, _ := content["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		if f, ok := m["field"].(string); ok {
			env.fields = append(env.fields, f)
		}
	}
	return env
}

func (e envelope) username() string {
	u, _ := e.data["username"].(string)
	return u
}

// presence is whether an account has settings, as far as the proxy knows.
type presence int

const (
	unknown presence = iota
	present
	absent
)

// accountState is one account's.
type accountState struct {
	key      string
	has      presence
	data     map[string]any // the settings last shown, when has is present; nil: not known
	since    string         // the exchange that told: "PUT #12"
	refused  []string       // writes refused since then, the last few: "POST #13 (409)"
	username string         // as its answers named it
	writes   int            // writes in flight
	seq      uint64         // counts the starts and ends of writes
	elem     *list.Element
}

// forget makes what the account holds unknown, after an exchange whose effect is.
func (s *accountState) forget() {
	s.has, s.data, s.since, s.refused = unknown, nil, "", nil
}

// states is the bounded set of accounts the proxy remembers, the least recently seen
// dropped first (an LRU of Config.MaxAccounts entries). It is safe for concurrent use.
type states struct {
	mu     sync.Mutex
	max    int
	byKey  map[string]*accountState
	lru    *list.List        // of *accountState, most recent first
	byUser map[string]string // a username its answers named -> the key of the account
}

func newStates(max int) *states {
	return &states{max: max, byKey: map[string]*accountState{}, lru: list.New(), byUser: map[string]string{}}
}

// Accounts reports how many accounts the proxy remembers (at most Config.MaxAccounts).
func (p *Proxy) Accounts() int {
	if p.states == nil {
		return 0
	}
	p.states.mu.Lock()
	defer p.states.mu.Unlock()
	return len(p.states.byKey)
}

// get returns key's state, created unknown when it is new; the caller holds mu.
func (st *states) get(key string) *accountState {
	if s, ok := st.byKey[key]; ok {
		st.lru.MoveToFront(s.elem)
		return s
	}
	s := &accountState{key: key}
	s.elem = st.lru.PushFront(s)
	st.byKey[key] = s
	for len(st.byKey) > st.max {
		old := st.lru.Remove(st.lru.Back()).(*accountState)
		delete(st.byKey, old.key)
		if st.byUser[old.username] == old.key {
			delete(st.byUser, old.username)
		}
	}
	return s
}

// tracked is what an exchange of the notifications API needs to be judged against its
// account's state.
type tracked struct {
	key      string
	write    bool
	seqStart uint64
	busy     bool // another write of the account was in flight when it started
	ended    bool
}

// begin notes an exchange of the notifications API as it starts.
func (p *Proxy) begin(ex *exchange) {
	key := ex.creds.stateKey()
	if p.states == nil || key == "" || ex.route == nil {
		return
	}
	op := ex.route.OperationID()
	if op != opGet && op != opCreate && op != opPut {
		return
	}
	st := p.states
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.get(key)
	t := &tracked{key: key, write: op != opGet, busy: s.writes > 0}
	if t.write {
		s.writes++
		s.seq++
	}
	t.seqStart = s.seq
	ex.tracked = t
}

// end closes an exchange that got no answer to judge: a write's effect is then unknown.
func (p *Proxy) end(ex *exchange) { p.settle(ex, nil) }

// settle ends a tracked exchange's part in its account's state and, when it ran alone,
// calls judge with the state, under the lock. An exchange that did not run alone, or that
// has no judge, leaves the account unknown if it was a write: it may or may not have been
// applied.
func (p *Proxy) settle(ex *exchange, judge func(s *accountState)) {
	t := ex.tracked
	if t == nil || t.ended {
		return
	}
	st := p.states
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.get(t.key)
	if !p.finish(s, t) || judge == nil {
		if t.write {
			s.forget()
		}
		return
	}
	judge(s)
}

// finish ends a tracked exchange's part in its account's bookkeeping and reports whether it
// ran alone: no other write of the account started or ended while it was in flight. The
// caller holds mu.
func (p *Proxy) finish(s *accountState, t *tracked) (alone bool) {
	t.ended = true
	alone = !t.busy && s.seq == t.seqStart
	if t.write {
		s.writes--
		s.seq++
	}
	return alone
}

// judgeState holds an answer of the notifications API to what the proxy saw of the account
// before, then learns from it.
func (p *Proxy) judgeState(ex *exchange, status int, env envelope) {
	if status >= 500 || env.status == -99 {
		p.end(ex) // no answer to judge
		return
	}
	p.settle(ex, func(s *accountState) { p.judgeAnswer(ex, s, status, env) })
}

// judgeAnswer is judgeState's, for an exchange that ran alone; the caller holds mu.
func (p *Proxy) judgeAnswer(ex *exchange, s *accountState, status int, env envelope) {
	p.judgeUsername(ex, s, env)
	op := ex.route.OperationID()
	this := fmt.Sprintf("%s #%d", ex.Method, ex.ID)
	flag := func(field, rule, value string) {
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: field, Rule: rule, Value: value})
	}
	// A write the rules accept refused without naming a field: a conflict (POST) or no
	// settings (PUT).
	plainRefusal := env.status == recmock.StatusFailed && len(env.fields) == 0
	switch {
	case env.status == recmock.StatusUnauthorized:
		return
	case op == opGet && env.status == recmock.StatusSuccess:
		switch s.has {
		case present:
			if s.data != nil {
				for _, d := range diffValues("content.data", s.data, env.data) {
					flag(d.field, "GET must show the settings "+s.provenance()+": "+d.want, d.got)
				}
			}
		case absent:
			flag("status", "GET must answer no settings, as "+s.provenance()+", since no write was acknowledged", fmt.Sprint(status))
		}
		s.learn(present, env.remembered(), this)
	case op == opGet && env.status == recmock.StatusFailed:
		if s.has == present {
			flag("status", "GET must answer the settings "+s.provenance()+", not that there are none", fmt.Sprint(status))
		}
		s.learn(absent, nil, this)
	case ex.settings == nil: // a write the rules refuse
		if env.status == recmock.StatusSuccess {
			s.learn(present, env.remembered(), this) // flagged by validateResponse; GET must now show it
		} else {
			s.refuse(fmt.Sprintf("%s (%d)", this, status))
		}
	case op == opCreate && env.status == recmock.StatusSuccess:
		if s.has == present {
			flag("status", "POST must be refused: the account has settings, "+s.provenance(), fmt.Sprint(status))
		}
		s.learn(present, env.remembered(), this)
	case op == opPut && env.status == recmock.StatusSuccess:
		if s.has == absent {
			flag("status", "PUT must be refused: the account has no settings, "+s.provenance(), fmt.Sprint(status))
		}
		s.learn(present, env.remembered(), this)
	case op == opCreate && plainRefusal:
		if s.has == absent {
			flag("status", "POST must be accepted: the account has no settings, "+s.provenance(), fmt.Sprint(status))
		}
		if s.has == unknown {
			// A conflict says there are settings, though not which.
			s.learn(present, nil, fmt.Sprintf("%s (%d)", this, status))
			return
		}
		s.refuse(fmt.Sprintf("%s (%d)", this, status))
	case op == opPut && plainRefusal:
		if s.has == present {
			flag("status", "PUT must be accepted: the account has settings, "+s.provenance(), fmt.Sprint(status))
		}
		s.learn(absent, nil, this)
	default: // a body the rules accept refused as invalid: flagged by validateResponse
		s.refuse(fmt.Sprintf("%s (%d)", this, status))
	}
}

// judgeUsername flags, without Config.Accounts, a success whose username is not the one
// earlier answers to the same credentials named, or one that another apiKey's answers
// named: one account answered to another's credentials. The caller holds mu.
func (p *Proxy) judgeUsername(ex *exchange, s *accountState, env envelope) {
	u := env.username()
	if ex.creds.kind != credBasic || env.status != recmock.StatusSuccess || u == "" {
		return
	}
	st := p.states
	switch owner, ok := st.byUser[u]; {
	case s.username != "" && s.username != u:
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "content.data.username", Rule: fmt.Sprintf("must stay %q, which earlier answers to the same credentials named", s.username), Value: show("content.data.username", u)})
	case ok && owner != s.key:
		ex.violations = append(ex.violations, Violation{Side: SideServer, Field: "content.data.username", Rule: fmt.Sprintf("names the account that answers to %s: one account's settings answered to another's credentials", strings.TrimPrefix(owner, "apiKey ")), Value: show("content.data.username", u)})
	}
	if s.username == "" {
		s.username = u
		if _, ok := st.byUser[u]; !ok {
			st.byUser[u] = s.key
		}
	}
}

func (s *accountState) learn(has presence, data map[string]any, since string) {
	s.has, s.data, s.since, s.refused = has, data, since, nil
}

// remembered is the data an answer leaves in the state: none when it is too large to keep.
func (e envelope) remembered() map[string]any {
	if e.big {
		return nil
	}
	return e.data
}

// maxRefused bounds the refused writes an account's state lists.
const maxRefused = 3

func (s *accountState) refuse(what string) {
	s.refused = append(s.refused, what)
	if len(s.refused) > maxRefused {
		s.refused = s.refused[len(s.refused)-maxRefused:]
	}
}

// provenance says where the proxy's knowledge comes from: "as PUT #12 answered (refused
// since: POST #13 (409))".
func (s *accountState) provenance() string {
	p := "as " + s.since + " answered"
	if len(s.refused) > 0 {
		p += " (refused since: " + strings.Join(s.refused, ", ") + ")"
	}
	return p
}
