package mock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// Config configures a Server. The zero value serves the default account from memory.
type Config struct {
	// Accounts that may authenticate. Default: recmock.DefaultAccount() (temasys,
	// demo-key:demo-secret).
	Accounts []recmock.Account
	// Store keeps the settings. Default: NewMemoryStore(). The Server closes it.
	Store Store
	// Notifier runs POST /_admin/recordings. Default: nil, which answers 501.
	Notifier recmock.Notifier
	// Mounts serves admin sub-APIs owned by other packages, by path prefix, e.g.
	// "/_admin/emails": sink.Handler(). The handler sees the path with the prefix stripped.
	// Only paths documented in openapi.yaml reach a mount.
	Mounts map[string]http.Handler
	// UI serves the dashboard at "/" and below "/ui/". Default: nil, no dashboard.
	UI http.Handler
	// OnReset runs on POST /_admin/reset, after the mock's own state is forgotten, to empty
	// the other parts (the SMTP sink, the fake S3, the delivery log).
	OnReset []func(context.Context) error
	// MaxBodyBytes bounds request bodies. Default: 1 MiB.
	MaxBodyBytes int64
	// JournalSize bounds the request journal. Default: 1000 entries. Unused with Journal.
	JournalSize int
	// Journal keeps the API requests. Default: NewMemoryJournal(JournalSize). Servers that
	// share one (pgstore's) show each other's requests.
	Journal Journal
	// Logger receives one debug line per request and every internal error. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time

	// AllowedHosts are the names, besides IP literals, localhost and *.localhost, that requests
	// may send as their Host: "recmock.test" (any port), "recmock.test:8080", or
	// ".team.example" (that name and every name below it). Default: none. Any other Host is
	// refused with 403, which keeps DNS rebinding out: a page of evil.example whose name was
	// made to point at 127.0.0.1 sends Host evil.example.
	AllowedHosts []string
	// AnyHost turns the Host check off, for a server that listens where clients reach it by
	// names of their own; server.Start sets it for a non-loopback address without
	// AllowedHosts. Default false: the Host check applies to every request.
	AnyHost bool
	// AdminToken, when set, is required by the admin API (all but GET /_admin/health) as
	// "Authorization: Bearer TOKEN" or as the cookie that the dashboard's one-time URL
	// /?token=TOKEN sets. At least MinTokenBytes printable ASCII characters. Default "": no
	// token, for loopback; server.Start generates one for a non-loopback address. The vendor
	// API never needs it: its clients authenticate with HTTP Basic.
	AdminToken string
}

// maxUsername bounds a username, as openapi.yaml's {username} parameter does: an account
// the admin API cannot address is refused when the mock starts.
const maxUsername = 256

// Server is the stateful mock. It is an http.Handler.
type Server struct {
	cfg      Config
	v        *wire.Validator
	byKey    map[string]recmock.Account
	byUser   map[string]recmock.Account
	store    Store
	journal  Journal
	faults   faults
	log      *slog.Logger
	now      func() time.Time
	maxBody  int64
	mounts   []mount
	handlers map[string]handlerFunc
	guard    *guard
}

type mount struct {
	prefix string
	h      http.Handler
}

// handlerFunc serves one operation of openapi.yaml. It returns the error to answer, or nil
// once it has answered.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

var _ http.Handler = (*Server)(nil)

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	v, err := wire.Spec()
	if err != nil {
		return nil, err
	}
	if len(cfg.Accounts) == 0 {
		cfg.Accounts = []recmock.Account{recmock.DefaultAccount()}
	}
	g, err := newGuard(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		guard:   g,
		cfg:     cfg,
		v:       v,
		byKey:   map[string]recmock.Account{},
		byUser:  map[string]recmock.Account{},
		store:   cfg.Store,
		log:     cfg.Logger,
		now:     cfg.Now,
		maxBody: cfg.MaxBodyBytes,
	}
	for _, a := range cfg.Accounts {
		if a.Username == "" || a.APIKey == "" || a.Secret == "" {
			return nil, fmt.Errorf("mock: account %v: username, apiKey and secret must all be set", a)
		}
		if n := utf8.RuneCountInString(a.Username); n > maxUsername {
			return nil, fmt.Errorf("mock: account %.32q...: the username has %d characters; the admin API addresses at most %d", a.Username, n, maxUsername)
		}
		if _, dup := s.byKey[a.APIKey]; dup {
			return nil, fmt.Errorf("mock: two accounts share the apiKey %q", a.APIKey)
		}
		if _, dup := s.byUser[a.Username]; dup {
			return nil, fmt.Errorf("mock: two accounts share the username %q", a.Username)
		}
		s.byKey[a.APIKey], s.byUser[a.Username] = a, a
	}
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	if s.journal = cfg.Journal; s.journal == nil {
		size := cfg.JournalSize
		if size <= 0 {
			size = 1000
		}
		s.journal = NewMemoryJournal(size)
	}
	for p, h := range cfg.Mounts {
		s.mounts = append(s.mounts, mount{prefix: strings.TrimSuffix(p, "/"), h: h})
	}
	s.handlers = s.routes()
	return s, nil
}

// Close closes the store.
func (s *Server) Close() error { return s.store.Close() }

// Accounts returns the accounts that may authenticate.
func (s *Server) Accounts() []recmock.Account { return append([]recmock.Account{}, s.cfg.Accounts...) }

// Store returns the settings store.
func (s *Server) Store() Store { return s.store }

// call carries what the pipeline learned about a request to the operation's handler.
type call struct {
	route   *wire.Route
	account recmock.Account
	body    wire.Body
	// settings are the body's, for operations that take settings (Route.TakesSettings),
	// validated by recmock's rules, which openapi.yaml states exactly (see
	// wire.Validator.ValidateSettings); their Username is not set.
	settings recmock.Settings
	entry    *JournalEntry // nil for admin requests, which are not journaled
}

// ServeHTTP checks the Host, then routes by openapi.yaml: the admin API (behind the
// cross-site checks and the admin token), the dashboard, or the notifications API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := s.guard.checkHost(r); err != nil {
		refuse(w, err)
		return
	}
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_admin/"):
		if err := s.guard.checkAdmin(r); err != nil {
			refuse(w, err)
			return
		}
		s.serve(w, r, nil)
	case s.cfg.UI != nil && path == "/" && r.URL.Query().Has("token") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.guard.login(w, r)
	case s.cfg.UI != nil && (path == "/" || strings.HasPrefix(path, "/ui/")):
		// The page and its scripts are the same for everyone and carry no data; what they
		// show comes from the admin API, which asks for the token.
		s.cfg.UI.ServeHTTP(w, r)
	default:
		s.serveAPI(w, r)
	}
}

// serveAPI serves a notifications API request (or any unknown path), journaling it and
// applying injected faults.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	// A journal that fails (a shared one whose database is away) costs the entry, not the
	// answer.
	id, jerr := s.journal.NextID(r.Context())
	e := &JournalEntry{ID: id, Time: start.UTC(), Method: r.Method, Path: r.URL.Path, Query: recmock.RedactQuery(r.URL.RawQuery)}
	rec := &recorder{ResponseWriter: w, limit: 4 << 10}
	defer func() {
		e.DurationMs = float64(s.now().Sub(start).Microseconds()) / 1000
		e.Status = rec.status
		e.ResponseBody = excerpt(recmock.RedactBody(rec.buf.Bytes()), 4<<10)
		if jerr == nil {
			jerr = s.journal.Add(r.Context(), *e)
		}
		if jerr != nil {
			s.log.Error("journal", "method", r.Method, "path", r.URL.Path, "err", jerr)
		}
		if s.log.Enabled(r.Context(), slog.LevelDebug) { // its arguments cost allocations
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", e.DurationMs, "user", e.Username)
		}
	}()
	if jerr == nil {
		w.Header()["X-Recmock-Request-Id"] = []string{strconv.FormatInt(e.ID, 10)}
	}
	if f, ok := s.faults.take(r.Method, r.URL.Path); ok {
		e.Fault = f.describe()
		if done := s.applyFault(rec, r, f); done {
			return
		}
	}
	s.serve(rec, r, e)
}

// serve runs the pipeline shared by the API and the admin API: route, authenticate, read and
// check the body, dispatch; any error answers the envelope, and so does a panic.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, e *JournalEntry) {
	rec, _ := w.(*recorder)
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			panic(p)
		}
		s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		if rec != nil && rec.wrote {
			return // too late for an envelope; the client sees a cut response
		}
		s.fail(w, r, e, recmock.Errorf(recmock.CodeInternal, "the request could not be completed (recmock panicked; its log has the stack)"))
	}()
	c := &call{entry: e}
	err := s.pipeline(w, r, c)
	if err != nil {
		s.fail(w, r, e, err)
	}
}

func (s *Server) pipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	route, err := s.v.FindRoute(r)
	if err != nil {
		if recmock.ErrorCode(err) == recmock.CodeMethodNotAllowed {
			w.Header().Set("Allow", strings.Join(s.v.Allowed(r), ", "))
		}
		return err
	}
	c.route = route
	op := route.OperationID()
	h, ok := s.handlers[op]
	if !ok {
		return recmock.Errorf(recmock.CodeNotImplemented, "%s is documented but this server has no handler for it", op)
	}
	if c.entry != nil {
		acct, err := s.authenticate(r)
		if err != nil {
			return err
		}
		c.account = acct
		c.entry.Username = acct.Username
	}
	if route.HasBody() {
		if c.entry == nil && r.Header.Get("Content-Type") != "" {
			// The admin API reads every body as JSON, so a bare curl -d works; the vendor's
			// API keeps its 415.
			r.Header.Set("Content-Type", "application/json")
		}
		raw, err := s.readBody(w, r)
		if c.entry != nil && raw != nil {
			c.entry.RequestBody = excerpt(recmock.RedactBody(raw), 4<<10)
		}
		if err != nil {
			return err
		}
		// The one decode of the body: the schema, the rules and the handler all read this.
		if c.body, err = wire.Decode(raw); err != nil {
			return err
		}
	}
	switch {
	case route.TakesSettings():
		settings, err := s.v.ValidateSettings(r.Context(), r, route, c.body)
		if err != nil {
			return err
		}
		c.settings = settings
	case route.HasBody() || route.HasParams():
		if err := s.v.ValidateRequest(r.Context(), r, route, c.body); err != nil {
			return err
		}
	}
	return h(w, r, c)
}

// fail answers err as the envelope and records its field errors in the journal.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, e *JournalEntry, err error) {
	code := recmock.ErrorCode(err)
	if code == recmock.CodeInternal {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e != nil {
		var re *recmock.Error
		if errors.As(err, &re) {
			e.Errors = re.Fields
		}
	}
	wire.WriteError(w, err)
}

// readBody reads a request body of at most MaxBodyBytes declared as JSON (or not declared).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := &recmock.Error{Code: recmock.CodeTooLarge, Fields: []recmock.FieldError{{Field: "body", Message: fmt.Sprintf("over the limit of %d bytes", s.maxBody)}}}
	if r.ContentLength > s.maxBody {
		return nil, tooLarge
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		return nil, recmock.Invalid(recmock.FieldError{Field: "body", Message: "could not be read: " + err.Error()})
	}
	return body, nil
}
