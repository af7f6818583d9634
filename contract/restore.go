package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// snapshot is the account's settings as GET answered them before the run.
type snapshot struct {
	had  bool
	raw  []byte // GET's body, byte for byte
	data recmock.Settings
	ex   []Exchange
}

// offBody is what an account that had no settings is left with: the API has no DELETE, and
// notifications off with nothing else set is the state that can do no harm.
const offBody = `{"notify":false}`

// takeSnapshot reads an account's settings before any check runs. When they cannot be read,
// or could not be put back exactly, writes are disabled: a run must never change what it
// cannot restore.
func (r *runner) takeSnapshot(ctx context.Context, a *account) {
	res := &Result{ID: "snapshot"}
	disable := func(format string, args ...any) {
		if r.writes == "" {
			r.writes = "writes disabled: " + r.scrub(fmt.Sprintf(format, args...))
			r.log.Warn("contract: " + r.writes)
		}
	}
	defer func() { a.snap.ex = res.Exchanges }()
	got, err := r.do(ctx, res, Request{Auth: a.auth})
	if err != nil {
		disable("could not read the settings of %s to restore them later: %v", a.label, err)
		return
	}
	switch statusOf(got.Body) {
	case recmock.StatusSuccess:
	case recmock.StatusFailed:
		if got.Status >= 500 {
			disable("GET answered HTTP %d, so whether %s has settings is unknown", got.Status, a.label)
			return
		}
		r.log.Info("contract: " + a.label + " has no settings before the run")
		return
	case recmock.StatusUnauthorized:
		disable("the credentials of %s were refused (status -1): check %s", a.label, a.flag)
		return
	default:
		why := "without the envelope"
		if _, err := wire.Decode(got.Body); err != nil {
			why = "with a body that is not one JSON value (" + err.Error() + ")"
		}
		disable("GET answered HTTP %d %s, so the settings of %s could not be saved", got.Status, why, a.label)
		return
	}
	data, err := restorable(got.Body)
	if err != nil {
		disable("%v", err)
		return
	}
	a.snap = snapshot{had: true, raw: got.Body, data: data}
	a.exists = true
	if data.S3 != nil {
		r.secrets = append(r.secrets, data.S3.SecretAccessKey)
	}
	r.log.Info("contract: saved the settings of " + a.label + " to restore them after the run")
}

// restorable decodes GET's data, refusing what a PUT could not reproduce exactly.
func restorable(body []byte) (recmock.Settings, error) {
	var env struct {
		Content struct {
			Data json.RawMessage `json:"data"`
		} `json:"content"`
	}
	if err := json.Unmarshal(body, &env); err != nil || len(env.Content.Data) == 0 {
		return recmock.Settings{}, fmt.Errorf("GET answered status 1 without data, so the settings could not be saved")
	}
	dec := json.NewDecoder(bytes.NewReader(env.Content.Data))
	dec.DisallowUnknownFields()
	var s recmock.Settings
	if err := dec.Decode(&s); err != nil {
		return recmock.Settings{}, fmt.Errorf("the settings GET answered could not be restored by PUT: %v", err)
	}
	if s.S3 != nil && strings.Trim(s.S3.SecretAccessKey, "*") == "" {
		return recmock.Settings{}, fmt.Errorf("GET answers the S3 secret masked, and restoring it would overwrite the real one")
	}
	return s, nil
}

// putBody is the POST or PUT body that recreates s (see recmock.Settings.Input).
func putBody(s recmock.Settings) string {
	b, err := json.Marshal(s.Input())
	if err != nil {
		panic(err) // Settings holds only strings, booleans and slices of them
	}
	return string(b)
}

// restore puts an account's settings back as they were and checks that GET answers them byte
// for byte as before. It runs on a context of its own, so a cancelled run still restores.
func (r *runner) restore(parent context.Context, a *account) *Restore {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), r.restoreTimeout)
	defer cancel()
	// The checks are over: whatever blocked writes must not block putting things back.
	r.writes = ""
	rs := &Restore{HadSettings: a.snap.had, Before: r.maskBody(a.snap.raw)}
	if a.auth != AuthConfigured {
		rs.Account = a.label + " (" + a.flag + ")"
	}
	res := &Result{ID: "restore"}
	defer func() { rs.Exchanges = append(append([]Exchange{}, a.snap.ex...), res.Exchanges...) }()
	// Nothing to put back when the writes left no trace (all refused, say): look first.
	if cur, err := r.do(ctx, res, Request{Auth: a.auth}); err == nil {
		switch {
		case a.snap.had && bytes.Equal(cur.Body, a.snap.raw):
			rs.OK, rs.After = true, rs.Before
			rs.Message = "settings unchanged: GET answers exactly what it answered before the run"
			r.log.Info("contract: "+rs.Message, "account", a.label)
			return rs
		case !a.snap.had && statusOf(cur.Body) == recmock.StatusFailed && cur.Status < 500:
			rs.OK, rs.After = true, r.maskBody(cur.Body)
			rs.Message = a.label + " still has no settings, as before the run"
			r.log.Info("contract: " + rs.Message)
			return rs
		}
	}
	body := offBody
	if a.snap.had {
		body = putBody(a.snap.data)
	}
	r.log.Info("contract: restoring the settings of " + a.label)
	_, err := r.putBack(ctx, res, a, body)
	var after *Response
	if err == nil {
		after, err = r.do(ctx, res, Request{Auth: a.auth})
	}
	if err != nil {
		rs.Message = fmt.Sprintf("COULD NOT RESTORE the settings of %s: %v.\nThey were, before the run:\n%s\nPut them back by hand.", a.label, r.scrub(err.Error()), orNone(rs.Before))
		r.log.Error("contract: " + firstLine(rs.Message))
		return rs
	}
	rs.After = r.maskBody(after.Body)
	if !a.snap.had {
		got, derr := settingsOf(after.Body)
		want := recmock.Settings{Username: got.Username, Email: []string{}}
		rs.OK = derr == nil && cmp.Equal(want, got)
		rs.Message = a.label + " had no settings before the run, and the API has no DELETE: it is left with {\"notify\":false} (notifications off; no url, e-mail or S3 settings)"
		if !rs.OK {
			rs.Diff = cmp.Diff(want, got)
			rs.Message = "COULD NOT RESTORE: " + a.label + " had no settings before the run; it should be left with {\"notify\":false}, but GET answers:\n" + rs.After
		}
		r.log.Warn("contract: " + firstLine(rs.Message))
		return rs
	}
	if bytes.Equal(after.Body, a.snap.raw) {
		rs.OK = true
		rs.Message = "settings restored: GET answers exactly what it answered before the run"
		r.log.Info("contract: "+rs.Message, "account", a.label)
		return rs
	}
	rs.Diff = cmp.Diff(rs.Before, rs.After)
	if rs.Diff == "" {
		rs.Diff = "(they differ only in masked values, such as s3SecretAccessKey)"
	}
	rs.Message = fmt.Sprintf("COULD NOT RESTORE the settings of %s exactly: GET answers something else than before the run.\nBefore:\n%s\nNow:\n%s", a.label, rs.Before, rs.After)
	r.log.Error("contract: " + firstLine(rs.Message))
	return rs
}

// putBack stores body as an account's settings: PUT, or POST when a deployment that honoured
// a DELETE (decision.method-405) has no settings to PUT over.
func (r *runner) putBack(ctx context.Context, res *Result, a *account, body string) (*Response, error) {
	put, err := r.do(ctx, res, Request{Method: http.MethodPut, Body: body, Auth: a.auth})
	if err == nil && statusOf(put.Body) != recmock.StatusSuccess {
		put, err = r.do(ctx, res, Request{Method: http.MethodPost, Body: body, Auth: a.auth})
	}
	if err == nil && statusOf(put.Body) != recmock.StatusSuccess {
		err = fmt.Errorf("PUT and POST answered HTTP %d: %s", put.Status, r.maskBody(put.Body))
	}
	return put, err
}

func orNone(s string) string {
	if s == "" {
		return "(no settings)"
	}
	return s
}

// statusOf returns an envelope's status, or a value no envelope has when body is not one.
func statusOf(body []byte) int {
	var env struct {
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(body, &env) != nil {
		return -99
	}
	switch string(env.Status) {
	case "1":
		return recmock.StatusSuccess
	case "0":
		return recmock.StatusFailed
	case "-1":
		return recmock.StatusUnauthorized
	}
	return -99
}

// settingsOf decodes a success envelope's data.
func settingsOf(body []byte) (recmock.Settings, error) {
	var env struct {
		Content struct {
			Data *recmock.Settings `json:"data"`
		} `json:"content"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return recmock.Settings{}, err
	}
	if env.Content.Data == nil {
		return recmock.Settings{}, fmt.Errorf("no data")
	}
	return *env.Content.Data, nil
}
