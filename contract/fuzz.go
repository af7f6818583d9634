package contract

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// fuzzChecks is the model-based check: random sequences, each answer compared with the
// model's answer to the same sequence from the same state. It finds what no check was
// written for.
func fuzzChecks() []Check {
	return []Check{{
		ID:       "fuzz.agrees-with-model",
		Question: "Do random sequences of POST, GET and PUT, valid and invalid, on both accounts, get the answers recmock's own mock gives to the same sequence?",
		Writes:   true,
		Run:      func(t *T) { t.fuzz() },
	}}
}

// modelKey and modelSecret stand in for credentials the model needs and the configuration
// does not give (a deployment reached with --header only).
const (
	modelKey    = "recmock-model-key"
	modelSecret = "recmock-model-secret"
)

// fuzzer replays sequences against the deployment and a fresh model each time.
type fuzzer struct {
	r        *runner
	id       string            // the check's ID, for the trace
	accounts []recmock.Account // the model's, in the order of runner.accts
	requests int               // sent to the deployment, shrinking included
	observed map[string]int    // HTTP status differences that are only observed, and how often
}

// outcome is what the comparison reads of an answer.
type outcome struct {
	HTTP   int
	Status int      // the envelope's status; statusOf's -99 when the body is not an envelope
	Data   any      `json:",omitempty"` // content.data as decoded, for status 1
	Fields []string `json:",omitempty"` // the fields content.errors names, sorted, for status 0
	// Message is content.message, which may name a field instead of errors.
	Message string `json:"-"`
	// Problem says why the answer breaks openapi.yaml or is not one JSON value.
	Problem string `json:",omitempty"`
	// Err says why no answer came.
	Err string `json:",omitempty"`
}

func outcomeOf(status int, body []byte, schemaErr error) outcome {
	o := outcome{HTTP: status, Status: statusOf(body)}
	if schemaErr != nil {
		o.Problem = "the answer breaks openapi.yaml: " + schemaErr.Error()
	}
	var env struct {
		Content struct {
			Data    json.RawMessage `json:"data"`
			Message string          `json:"message"`
			Errors  []struct {
				Field string `json:"field"`
			} `json:"errors"`
		} `json:"content"`
	}
	json.Unmarshal(body, &env)
	o.Message = env.Content.Message
	switch o.Status {
	case recmock.StatusSuccess:
		if b, err := wire.Decode(env.Content.Data); err == nil {
			o.Data = b.Value
		}
	case recmock.StatusFailed:
		for _, e := range env.Content.Errors {
			if !slices.Contains(o.Fields, e.Field) {
				o.Fields = append(o.Fields, e.Field)
			}
		}
		slices.Sort(o.Fields)
	}
	return o
}

// accountState is an account's settings before a sequence, as the deployment's GET answered.
type accountState struct {
	has  bool
	raw  []byte
	data recmock.Settings
}

// trial is one replay of a sequence.
type trial struct {
	steps  []step
	before []accountState
	// sent are the requests sent: the steps, then a GET for each account, up to the first
	// answer that differs.
	sent     []step
	dep, mod []outcome
	// differs is the index in sent of the answer that differs from the model's; -1: none.
	differs   int
	why, diff string
	ex        []Exchange // the deployment's exchanges, masked
}

func (tr *trial) failed() bool { return tr.differs >= 0 }

// fuzz runs the check: Config.Fuzz sequences, stopping at the first that differs, which it
// shrinks and reports.
func (t *T) fuzz() {
	r := t.r
	switch {
	case r.cfg.Fuzz <= 0:
		t.Skipf("needs --fuzz N")
	case r.cfg.NewModel == nil:
		t.Skipf("no model to compare with (Config.NewModel)")
	}
	f := &fuzzer{r: r, id: t.res.ID, observed: map[string]int{}}
	for i, a := range r.accts {
		if a.username == "" {
			t.needSettingsOf(a) // its answer names it
		}
		switch {
		case a.username == "":
			t.Fatalf("could not learn the username of %s to give the model: give it with --username or --other-username", a.label)
		case i > 0 && a.username == r.accts[0].username:
			t.Fatalf("both accounts answer as %q, so no model can stand for them (see accounts.own-username)", a.username)
		}
		acct := recmock.Account{Username: a.username, APIKey: a.key, Secret: a.secret}
		if acct.APIKey == "" {
			acct.APIKey, acct.Secret = modelKey, modelSecret
		}
		f.accounts = append(f.accounts, acct)
	}
	schema, err := settingsInputSchema()
	if err != nil {
		t.Fatalf("%v", err)
	}
	for i := range r.cfg.Fuzz {
		g := &gen{r: sequenceSeed(r.cfg.Seed, i), schema: schema, accts: len(r.accts)}
		tr, err := f.replay(t.ctx, g.sequence())
		if err != nil {
			t.Fatalf("seed %d, sequence %d of %d: %v", r.cfg.Seed, i+1, r.cfg.Fuzz, err)
		}
		if tr.failed() {
			small, note := f.shrink(t.ctx, tr)
			t.reportDifference(f, i, tr, small, note)
			return
		}
	}
	t.Observef("seed %d: %d sequences, %d requests, every answer as the model gives it", r.cfg.Seed, r.cfg.Fuzz, f.requests)
	f.reportObserved(t)
}

func (f *fuzzer) reportObserved(t *T) {
	for _, k := range slices.Sorted(maps.Keys(f.observed)) {
		t.Observef("%s (%d times)", k, f.observed[k])
	}
}

// replay sends steps, then a GET for each account, to the deployment and to a fresh model
// holding the deployment's settings as they are before the first step, and compares each
// answer until one differs. The error is for what makes the comparison impossible.
func (f *fuzzer) replay(ctx context.Context, steps []step) (*trial, error) {
	r := f.r
	res := &Result{ID: f.id}
	tr := &trial{steps: steps, differs: -1}
	defer func() { tr.ex = res.Exchanges }()
	for _, a := range r.accts {
		got, err := f.do(ctx, res, Request{Auth: a.auth})
		if err != nil {
			return nil, fmt.Errorf("could not read the settings of %s before the sequence: %w", a.label, err)
		}
		st := accountState{raw: got.Body}
		switch s := statusOf(got.Body); {
		case s == recmock.StatusSuccess:
			data, err := settingsOf(got.Body)
			if err != nil {
				return nil, fmt.Errorf("the settings of %s before the sequence: %w", a.label, err)
			}
			st.has, st.data = true, data
		case s != recmock.StatusFailed || got.Status >= 500:
			return nil, fmt.Errorf("could not read the settings of %s before the sequence: HTTP %d %s", a.label, got.Status, r.maskBody(got.Body))
		}
		tr.before = append(tr.before, st)
	}
	model, err := r.cfg.NewModel(f.accounts)
	if err != nil {
		return nil, fmt.Errorf("the model: %w", err)
	}
	defer model.Close()
	for i, st := range tr.before {
		if !st.has {
			continue
		}
		a := r.accts[i]
		got := f.ask(model, step{Method: http.MethodPost, Auth: a.auth, Body: putBody(st.data)})
		want := outcomeOf(http.StatusOK, st.raw, nil)
		if got.Status != recmock.StatusSuccess || !reflect.DeepEqual(got.Data, want.Data) {
			return nil, fmt.Errorf("the model cannot hold the settings %s has (it answers %s to them): the deployment keeps settings recmock's rules refuse or change; GET answers %s",
				a.label, f.show(got), r.maskBody(st.raw))
		}
	}
	tr.sent = slices.Clone(steps)
	for _, a := range r.accts {
		tr.sent = append(tr.sent, step{Method: http.MethodGet, Auth: a.auth})
	}
	for i, st := range tr.sent {
		var dep outcome
		got, err := f.do(ctx, res, f.request(st))
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, fmt.Errorf("interrupted: %w", context.Cause(ctx))
		case err != nil:
			dep = outcome{Err: r.scrub(err.Error())}
		default:
			dep = outcomeOf(got.Status, got.Body, cmp.Or(got.schemaErr, oneJSONValue(got), notJSON(got)))
		}
		mod := f.ask(model, st)
		tr.dep, tr.mod = append(tr.dep, dep), append(tr.mod, mod)
		if why, diff := f.compare(dep, mod); why != "" {
			tr.differs, tr.why, tr.diff = i, why, diff
			tr.sent = tr.sent[:i+1]
			break
		}
	}
	return tr, nil
}

// request is the request a step sends to the deployment.
func (f *fuzzer) request(st step) Request {
	req := Request{Method: st.Method, Body: st.Body, Auth: st.Auth}
	if st.Auth == authCrossed {
		main, other := f.r.accts[0], f.r.accts[1]
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(main.key+":"+other.secret))
		req.Auth, req.Header = AuthNone, http.Header{"Authorization": {basic}}
	}
	return req
}

// do sends a request to the deployment, counting it.
func (f *fuzzer) do(ctx context.Context, res *Result, req Request) (*Response, error) {
	f.requests++
	return f.r.do(ctx, res, req)
}

// ask sends a step to the model and reads its answer.
func (f *fuzzer) ask(model Model, st step) outcome {
	const target = "http://127.0.0.1" + APIPath // a host any server takes as its own
	req := httptest.NewRequest(st.Method, target, nil)
	if st.Body != "" {
		req = httptest.NewRequest(st.Method, target, strings.NewReader(st.Body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	switch st.Auth {
	case AuthConfigured, AuthOther:
		a := f.accounts[0]
		if st.Auth == AuthOther {
			a = f.accounts[1]
		}
		req.SetBasicAuth(a.APIKey, a.Secret)
	case AuthWrongSecret:
		req.SetBasicAuth(f.accounts[0].APIKey, f.accounts[0].Secret+"-wrong")
	case authCrossed:
		req.SetBasicAuth(f.accounts[0].APIKey, f.accounts[1].Secret)
	}
	rec := httptest.NewRecorder()
	model.ServeHTTP(rec, req)
	return outcomeOf(rec.Code, rec.Body.Bytes(), nil)
}

// compare says how the deployment's answer differs from the model's, with a diff of the
// data when that is what differs; "" when they agree. Request IDs, dates, headers and the
// wording of messages are not compared. Where both answer the same envelope status, a
// different HTTP status is one of recmock's decisions and only observed, as in the rest of
// the suite — unless either is a 5xx.
func (f *fuzzer) compare(dep, mod outcome) (why, diff string) {
	switch {
	case dep.Err != "":
		return "no answer: " + dep.Err, ""
	case dep.Problem != "":
		return dep.Problem, ""
	case dep.Status != mod.Status:
		return fmt.Sprintf("HTTP %d with status %s where the model answers HTTP %d with status %s", dep.HTTP, statusName(dep.Status), mod.HTTP, statusName(mod.Status)), ""
	case dep.HTTP != mod.HTTP:
		if dep.Status == -99 || dep.HTTP >= 500 || mod.HTTP >= 500 {
			return fmt.Sprintf("HTTP %d where the model answers HTTP %d", dep.HTTP, mod.HTTP), ""
		}
		f.observed[fmt.Sprintf("HTTP %d with status %s where recmock answers %d", dep.HTTP, statusName(dep.Status), mod.HTTP)]++
	}
	switch mod.Status {
	case recmock.StatusSuccess:
		if !reflect.DeepEqual(dep.Data, mod.Data) {
			return "the settings answered differ from the model's", f.r.scrub(gocmp.Diff(recmock.RedactValue(mod.Data), recmock.RedactValue(dep.Data)))
		}
	case recmock.StatusFailed:
		var missing, extra []string
		for _, fld := range mod.Fields {
			// "body" is recmock's name for the body as a whole: naming it is optional.
			if fld != "body" && !slices.Contains(dep.Fields, fld) && !strings.Contains(dep.Message, fld) {
				missing = append(missing, fld)
			}
		}
		for _, fld := range dep.Fields {
			if fld != "body" && !slices.Contains(mod.Fields, fld) {
				extra = append(extra, fld)
			}
		}
		if len(missing) > 0 || len(extra) > 0 {
			return fmt.Sprintf("the refusal names the fields %s where the model names %s", fieldList(dep.Fields), fieldList(mod.Fields)), ""
		}
	}
	return "", ""
}

// notJSON is an error when an answer is not declared as application/json, which every
// answer of the API is.
func notJSON(res *Response) error {
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("Content-Type is %q, not application/json", res.Header.Get("Content-Type"))
	}
	return nil
}

func statusName(s int) string {
	if s == -99 {
		return "(no envelope)"
	}
	return fmt.Sprint(s)
}

func fieldList(fs []string) string {
	if len(fs) == 0 {
		return "none"
	}
	return "[" + strings.Join(fs, ", ") + "]"
}

// show is an outcome in one line, secrets masked: "HTTP 200 status 1 {...}".
func (f *fuzzer) show(o outcome) string {
	if o.Err != "" {
		return "no answer: " + o.Err
	}
	s := fmt.Sprintf("HTTP %d, status %s", o.HTTP, statusName(o.Status))
	switch {
	case o.Status == recmock.StatusSuccess:
		b, _ := json.Marshal(recmock.RedactValue(o.Data))
		s += ", data " + string(b)
	case len(o.Fields) > 0:
		s += ", refusing " + fieldList(o.Fields)
	}
	if o.Problem != "" {
		s += " (" + o.Problem + ")"
	}
	return f.r.scrub(s)
}

// reportDifference fails the check with the sequence that differs, shrunk, and each of its
// answers next to the model's.
func (t *T) reportDifference(f *fuzzer, seq int, first, small *trial, note string) {
	r := t.r
	t.Errorf("seed %d, sequence %d of %d: answer %d of %d differs from the model's: %s", r.cfg.Seed, seq+1, r.cfg.Fuzz, small.differs+1, len(small.sent), small.why)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s; the sequence as first sent had %s\n", note, plural(len(first.steps)+len(r.accts), "request"))
	b.WriteString("starting from:")
	for i, st := range small.before {
		b.WriteString("\n  " + r.accts[i].label + ": ")
		if st.has {
			b.WriteString(strings.TrimSpace(r.maskBody(st.raw)))
		} else {
			b.WriteString("no settings")
		}
	}
	b.WriteString("\nthe shortest sequence found (the last requests are the closing GETs):")
	for i, st := range small.sent {
		mark := " "
		if i == small.differs {
			mark = "≠"
		}
		fmt.Fprintf(&b, "\n%s %d. %s as %s", mark, i+1, st.Method, authLabel(r, st.Auth))
		if st.Body != "" {
			fmt.Fprintf(&b, " %s", r.maskBody([]byte(st.Body)))
		}
		fmt.Fprintf(&b, "\n     deployment: %s\n     model:      %s", f.show(small.dep[i]), f.show(small.mod[i]))
	}
	fmt.Fprintf(&b, "\nreproduce: --fuzz %d --seed %d sends the same sequences again, this one last", seq+1, r.cfg.Seed)
	t.addMessage(b.String())
	if small.diff != "" {
		t.res.Diff = fmt.Sprintf("answer %d (-model +deployment):\n%s", small.differs+1, small.diff)
	}
	t.res.Exchanges = small.ex
	f.reportObserved(t)
}

func authLabel(r *runner, a Auth) string {
	switch a {
	case AuthNone:
		return "nobody (no credentials)"
	case AuthWrongSecret:
		return "the account with a wrong secret"
	case authCrossed:
		return "the account's apiKey with the other account's secret"
	}
	if acct := r.accountFor(a); acct != nil {
		return acct.label
	}
	return "?"
}
