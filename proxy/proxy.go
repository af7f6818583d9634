package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/ring"
	"github.com/recmock/recmock/internal/wire"
)

// Config configures a Proxy. Upstream is required; every other zero value works.
type Config struct {
	// Upstream is the deployment's base URL, e.g. "https://api.example.com". Required.
	Upstream string
	// Annotate adds an X-Recmock-Violations header to responses of exchanges with violations.
	Annotate bool
	// FailOnViolation answers 502 with the envelope, listing the violations, instead of an
	// exchange's response when it has any. For strict CI runs.
	FailOnViolation bool
	// Timeout bounds the wait for the upstream's response headers. Default 30s.
	Timeout time.Duration
	// MaxBodyBytes is the largest body read for validation; larger ones stream through
	// unvalidated. Default 1 MiB, the API's own limit.
	MaxBodyBytes int64
	// JournalSize bounds the journal of exchanges. Default 1000.
	JournalSize int
	// Transport reaches the upstream. Default: a clone of http.DefaultTransport with Timeout
	// as its response header timeout, keeping up to 256 idle connections to the upstream.
	Transport http.RoundTripper
	// Logger receives one warning per exchange with violations. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Accounts are the deployment's accounts (--account), when known. With them, a success
	// answered to credentials none of them holds is a server violation, and so are status -1
	// answered to an account's own credentials and a success that names another username.
	// Default: none; an account is then known by its Basic apiKey, and its answers must
	// keep naming the username they named first.
	Accounts []recmock.Account
	// MaxAccounts bounds the accounts whose state the proxy remembers (the settings their
	// last answer showed, to hold the next ones to): the least recently seen is forgotten
	// first. Default 1000; negative: no state is kept, and answers are judged one by one.
	MaxAccounts int
}

// JournalPath is where a Proxy serves its own journal; every other path is forwarded.
const JournalPath = "/_recmock/requests"

// Proxy is a validating reverse proxy. It is an http.Handler.
type Proxy struct {
	cfg      Config
	upstream *url.URL
	rp       *httputil.ReverseProxy
	v        *wire.Validator
	log      *slog.Logger
	now      func() time.Time
	journal  *ring.Ring[Exchange]
	lastID   atomic.Int64
	stats    stats
	states   *states // nil when Config.MaxAccounts is negative
}

var _ http.Handler = (*Proxy)(nil)

// New returns a Proxy for cfg.
func New(cfg Config) (*Proxy, error) {
	u, err := url.Parse(cfg.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("proxy: upstream %q: want an absolute http:// or https:// URL", cfg.Upstream)
	}
	v, err := wire.Spec()
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.JournalSize <= 0 {
		cfg.JournalSize = 1000
	}
	if cfg.MaxAccounts == 0 {
		cfg.MaxAccounts = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = cfg.Timeout
		t.MaxIdleConnsPerHost = 256
		t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		cfg.Transport = t
	}
	p := &Proxy{cfg: cfg, upstream: u, v: v, log: cfg.Logger, now: cfg.Now, journal: ring.New[Exchange](cfg.JournalSize)}
	if cfg.MaxAccounts > 0 {
		p.states = newStates(cfg.MaxAccounts)
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      cfg.Transport,
		ModifyResponse: p.checkResponse,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
		// Streamed answers (no Content-Length, or text/event-stream) are flushed as they
		// come whatever this says. The others were read whole for validation and are
		// written in one go: unflushed, a small one leaves only when ServeHTTP returns,
		// once the exchange is in the journal and the summary, so that a client holding
		// its answer finds it there.
		FlushInterval: 0,
		BufferPool:    &bufferPool{},
	}
	return p, nil
}

// bufferPool reuses ReverseProxy's copy buffers, which it would otherwise allocate, 32 KiB
// each, for every response.
type bufferPool struct{ p sync.Pool }

var _ httputil.BufferPool = (*bufferPool)(nil)

func (b *bufferPool) Get() []byte {
	if buf, ok := b.p.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

// exchange is what the proxy learns about one request on its way through.
type exchange struct {
	Exchange
	route    *wire.Route
	routeErr error
	// bodyInMemory: the request's body was read whole, and is forwarded from memory.
	bodyInMemory bool
	reqBody      []byte            // the body, when bodyInMemory
	settings     *recmock.Settings // the request's settings, when it carried valid ones
	clientBad    bool              // the request broke a rule
	creds        creds
	tracked      *tracked // for the notifications API: its part in the account's state
	violations   []Violation
}

type exchangeKey struct{}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == JournalPath {
		p.serveJournal(w, r)
		return
	}
	start := p.now()
	// Numbered as they start, so that a violation can name an earlier exchange.
	ex := &exchange{Exchange: Exchange{ID: p.lastID.Add(1), Time: start.UTC(), Method: r.Method, Path: r.URL.Path}}
	body, complete, err := readPrefix(r.Body, p.cfg.MaxBodyBytes)
	if err != nil {
		wire.WriteError(w, recmock.Errorf(recmock.CodeInvalid, "request body could not be read: %v", err))
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		if complete {
			r.Body = io.NopCloser(bytes.NewReader(body))
			ex.bodyInMemory, ex.reqBody = true, body
		} else {
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		}
	}
	if complete {
		p.checkRequest(r, ex, body)
	} else {
		ex.Note = fmt.Sprintf("request body over %d bytes: not validated", p.cfg.MaxBodyBytes)
	}
	p.begin(ex)
	rec := &statusWriter{ResponseWriter: w}
	p.rp.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
	p.end(ex)

	ex.Status = rec.status
	ex.DurationMs = float64(p.now().Sub(start).Microseconds()) / 1000
	ex.Violations = ex.violations
	p.journal.Add(ex.Exchange)
	p.stats.add(&ex.Exchange)
	if len(ex.violations) > 0 {
		p.log.Warn("contract violation", "method", r.Method, "path", r.URL.Path, "status", ex.Status, "violations", len(ex.violations), "first", ex.violations[0].String())
	}
}

// rewrite points the request at the upstream, under its base path, and changes nothing
// else: the forwarding headers the client sent go on as they came (ReverseProxy drops them
// before Rewrite) and none are added, so the upstream sees what the application sent. A body
// held in memory can be sent again, so the Transport may retry a request that met a kept-alive
// connection the upstream had just closed.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(p.upstream) // also sets Host: the upstream answers for its own name
	if ex, _ := pr.In.Context().Value(exchangeKey{}).(*exchange); ex != nil && ex.bodyInMemory {
		body := ex.reqBody
		pr.Out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		if v, ok := pr.In.Header[h]; ok {
			pr.Out.Header[h] = v
		}
	}
}

// readPrefix reads up to max bytes; complete reports whether that was the whole body.
func readPrefix(body io.ReadCloser, max int64) ([]byte, bool, error) {
	if body == nil || body == http.NoBody {
		return nil, true, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return b, false, nil
	}
	return b, true, nil
}

// checkResponse validates the upstream's answer and, as configured, annotates it or swaps
// it for a 502 envelope. The response's bytes are otherwise passed on as they came.
func (p *Proxy) checkResponse(res *http.Response) error {
	ex, _ := res.Request.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil {
		return nil
	}
	if ex.Note == "" || ex.route != nil {
		body, complete, err := readPrefix(res.Body, p.cfg.MaxBodyBytes)
		if err != nil {
			return err // ErrorHandler answers 502
		}
		if complete {
			res.Body.Close()
			res.Body = io.NopCloser(bytes.NewReader(body))
			p.validateResponse(ex, res, body)
		} else {
			res.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), res.Body), res.Body}
			ex.Note = fmt.Sprintf("response body over %d bytes: not validated", p.cfg.MaxBodyBytes)
		}
	}
	if len(ex.violations) == 0 {
		return nil
	}
	if p.cfg.FailOnViolation {
		msgs := make([]recmock.FieldError, len(ex.violations))
		for i, v := range ex.violations {
			msgs[i] = recmock.FieldError{Field: v.Side + " " + v.Field, Message: v.Rule}
		}
		env := recmock.Envelope{Status: recmock.StatusFailed, Content: recmock.Content{
			Message: fmt.Sprintf("bad gateway: %d contract violation(s) in %s %s (upstream answered %d; recmock proxy --fail-on-violation)", len(ex.violations), ex.Method, ex.Path, res.StatusCode),
			Errors:  msgs,
		}}
		var buf bytes.Buffer
		wire.WriteJSON(bodyWriter{&buf, res}, http.StatusBadGateway, env)
		res.Body.Close()
		res.Body = io.NopCloser(&buf)
		res.ContentLength = int64(buf.Len())
		res.Header.Set("Content-Length", strconv.Itoa(buf.Len()))
		res.Header.Del("Content-Encoding")
	}
	if p.cfg.Annotate {
		res.Header.Set("X-Recmock-Violations", header(ex.violations))
	}
	return nil
}

// bodyWriter lets wire.WriteJSON fill an *http.Response.
type bodyWriter struct {
	buf *bytes.Buffer
	res *http.Response
}

func (b bodyWriter) Header() http.Header         { return b.res.Header }
func (b bodyWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b bodyWriter) WriteHeader(code int) {
	b.res.StatusCode, b.res.Status = code, fmt.Sprintf("%d %s", code, http.StatusText(code))
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		noSniff(s.Header())
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
		noSniff(s.Header())
	}
	return s.ResponseWriter.Write(b)
}

// noSniff keeps net/http from adding a Content-Type the upstream did not send: the answer
// goes to the client unchanged.
func noSniff(h http.Header) {
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (p *Proxy) serveJournal(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		wire.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; allowed: GET", r.Method, r.URL.Path))
		return
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			wire.WriteError(w, recmock.Invalid(recmock.FieldError{Field: "limit", Message: "must be an integer from 1 to 10000"}))
			return
		}
		limit = n
	}
	items, total, dropped := p.journal.Newest(limit, nil)
	wire.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "dropped": dropped, "items": items})
}
