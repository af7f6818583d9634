// Package recmocktest gives a Go test the whole recmock world in one call — the mock API,
// the SMTP sink, the fake S3 and the event simulator, in-process on free ports, closed by
// t.Cleanup — so a test can point a webhook receiver or an API client at it:
//
//	env := recmocktest.New(t)
//	env.SetSettings(t, `{"notify":true,"url":"`+receiver.URL+`","email":"ops@example.com"}`)
//	res, err := env.Recording(ctx, recmock.RecordingOverrides{})
//	msg, err := env.Inbox.Wait(ctx, func(m smtpsink.Message) bool { return true })
//
// It starts in a few milliseconds (BENCHMARKS.md), so every test can have its own.
package recmocktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recmock/recmock"
	fakes3 "github.com/recmock/recmock/fakes/s3"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/server"
	"github.com/recmock/recmock/simulator"
)

// Env is a running recmock for one test.
type Env struct {
	// URL is the API's base URL, "http://127.0.0.1:port": the notifications API at
	// URL+"/rest/recording/notifications", the admin API under URL+"/_admin/".
	URL string
	// Account is the account the Env's helpers act as (temasys, demo-key:demo-secret unless
	// WithAccount says otherwise).
	Account recmock.Account
	// Inbox is the SMTP sink that catches the notification e-mail; Inbox.Wait waits for one.
	Inbox *smtpsink.Sink
	// S3 is the fake S3 the recordings are uploaded to.
	S3 *fakes3.Server
	// Simulator fires the recording-completed events.
	Simulator *simulator.Simulator
	// Server is the whole assembly, as recmock serve runs it.
	Server *server.Server
}

// Option changes how an Env is set up.
type Option func(*server.Config)

// WithAccount makes a the only account, and the one the helpers act as.
func WithAccount(a recmock.Account) Option {
	return func(c *server.Config) { c.Accounts = []recmock.Account{a} }
}

// WithStrictS3 makes the fake S3 check signatures against creds (access key ID to secret),
// as AWS would; recmock's own key for the default bucket is always known.
func WithStrictS3(creds map[string]string) Option {
	return func(c *server.Config) { c.S3Strict, c.S3Credentials = true, creds }
}

// WithSeed makes the simulated events reproducible.
func WithSeed(seed uint64) Option {
	return func(c *server.Config) { c.Rand = rand.New(rand.NewPCG(seed, 0)) }
}

// WithConfig changes anything else in the assembly's configuration.
func WithConfig(f func(*server.Config)) Option { return Option(f) }

// New starts an Env for t and closes it when t ends. It fails t if anything cannot start.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	e, err := Start(opts...)
	if err != nil {
		t.Fatalf("recmocktest: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("recmocktest: close: %v", err)
		}
	})
	return e
}

// Start starts an Env outside a test (for examples, TestMain or a long-lived fixture); the
// caller must Close it.
func Start(opts ...Option) (*Env, error) {
	var cfg server.Config
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.Start(cfg)
	if err != nil {
		return nil, err
	}
	acct := recmock.DefaultAccount()
	if len(cfg.Accounts) > 0 {
		acct = cfg.Accounts[0]
	}
	return &Env{URL: srv.URL(), Account: acct, Inbox: srv.Sink, S3: srv.S3, Simulator: srv.Simulator, Server: srv}, nil
}

// Close stops everything.
func (e *Env) Close() error { return e.Server.Close() }

// S3Client is an AWS SDK client for the fake S3 with recmock's own credentials, which may
// read every bucket (in strict mode too).
func (e *Env) S3Client() *s3.Client {
	return e.S3.Client(simulator.DefaultAccessKey, simulator.DefaultSecretKey)
}

// Client is an HTTP client that authenticates as Account to the Env's API.
func (e *Env) Client() *http.Client {
	return &http.Client{Transport: basicAuth{e.Account, e.URL, http.DefaultTransport}}
}

type basicAuth struct {
	acct recmock.Account
	base string
	next http.RoundTripper
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.String(), b.base) && r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.SetBasicAuth(b.acct.APIKey, b.acct.Secret)
	}
	return b.next.RoundTrip(r)
}

// SetSettings stores Account's notification settings, given as the API's JSON body, with
// the API's input rules (whether or not settings existed), and returns them as stored, secrets
// included. It fails t on any error.
func (e *Env) SetSettings(t testing.TB, body string) recmock.Settings {
	t.Helper()
	var env recmock.Envelope
	// ?reveal=1: the test sent the secret, and gets back what it sent rather than "***".
	if err := e.admin(context.Background(), http.MethodPut, "/_admin/settings/"+e.Account.Username+"?reveal=1", body, &env); err != nil {
		t.Fatalf("recmocktest: settings: %v", err)
	}
	return *env.Content.Data
}

// Recording simulates a completed recording for Account, as POST /_admin/recordings does:
// the upload, the webhook and the e-mail, each channel's outcome in the result. Fields of o
// that are set replace the generated ones.
func (e *Env) Recording(ctx context.Context, o recmock.RecordingOverrides) (recmock.RecordingResult, error) {
	body, err := json.Marshal(recmock.RecordingRequest{Username: e.Account.Username, RecordingOverrides: o})
	if err != nil {
		return recmock.RecordingResult{}, err
	}
	var res recmock.RecordingResult
	err = e.admin(ctx, http.MethodPost, "/_admin/recordings", string(body), &res)
	return res, err
}

// Deliveries are the webhook deliveries so far, newest first.
func (e *Env) Deliveries(ctx context.Context) ([]recmock.Delivery, error) {
	l, err := e.Simulator.Deliveries(ctx)
	return l.Items, err
}

// admin calls the admin API and decodes its answer into out, turning an error envelope into
// an error that quotes it.
func (e *Env) admin(ctx context.Context, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, e.URL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok := e.Server.AdminToken(); tok != "" { // WithConfig may ask for one
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}
