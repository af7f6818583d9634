package proxy

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"
)

// upstreamTransport is the default Transport of a Proxy whose upstream is plain HTTP. It
// makes the common exchange — a request whose body the proxy holds in memory, on a kept-alive
// connection — itself, on the calling goroutine, and hands every other one to the
// http.Transport it wraps. http.Transport gives each connection a writer and a reader
// goroutine and passes every exchange between them and the caller through channels; on two
// cores that costs about a third of the proxy's throughput (BENCHMARKS.md).
//
// What goes over the wire is what http.Transport sends and accepts: the request is written
// by the same code (Request.Write), gzip is asked for and undone the same way, a response
// header limit and ResponseHeaderTimeout apply, 1xx answers reach httptrace hooks, a
// connection is kept only when its response was read to the end without "Connection:
// close", and a failed exchange on a reused connection is retried under the same rule
// (bodyless idempotent requests). An idle connection is checked before reuse, as
// http.Transport's reader goroutine would have noticed its closing.
type upstreamTransport struct {
	base    *http.Transport
	host    string // the upstream URL's host, as Director sets it
	addr    string // upstream host:port
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
	timeout time.Duration // ResponseHeaderTimeout
	maxIdle int
	idleFor time.Duration // IdleConnTimeout
	gzip    bool          // !DisableCompression
	maxHdr  int64         // MaxResponseHeaderBytes

	mu   sync.Mutex
	idle []*upConn // most recently used last
}

var _ http.RoundTripper = (*upstreamTransport)(nil)

// newUpstreamTransport returns base itself when the fast path cannot apply to upstream:
// another scheme, a proxy from the environment, or a platform without the idle check.
func newUpstreamTransport(base *http.Transport, upstream *url.URL) http.RoundTripper {
	if !canCheckIdle || upstream.Scheme != "http" {
		return base
	}
	if base.Proxy != nil {
		if p, err := base.Proxy(&http.Request{URL: upstream}); p != nil || err != nil {
			return base
		}
	}
	t := &upstreamTransport{
		base:    base,
		host:    upstream.Host,
		addr:    hostPort(upstream),
		dial:    base.DialContext,
		timeout: base.ResponseHeaderTimeout,
		idleFor: base.IdleConnTimeout,
		gzip:    !base.DisableCompression,
		maxHdr:  base.MaxResponseHeaderBytes,
	}
	if t.dial == nil {
		t.dial = (&net.Dialer{}).DialContext
	}
	if t.maxHdr <= 0 {
		t.maxHdr = 10 << 20 // http.Transport's default
	}
	t.maxIdle = base.MaxIdleConnsPerHost
	if base.MaxIdleConns > 0 && (t.maxIdle <= 0 || base.MaxIdleConns < t.maxIdle) {
		t.maxIdle = base.MaxIdleConns
	}
	if t.maxIdle <= 0 {
		t.maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	return t
}

// hostPort is u's host with the port made explicit, as the Transport dials it.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// CloseIdleConnections closes the idle connections of both paths.
func (t *upstreamTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.conn.Close()
	}
	t.base.CloseIdleConnections()
}

// fast reports whether req is one the fast path makes: to the upstream, without anything
// http.Transport handles with its extra machinery (protocol upgrades, 100-continue, request
// trailers, streamed or large bodies).
func (t *upstreamTransport) fast(req *http.Request) bool {
	if req.URL.Scheme != "http" || req.URL.Host != t.host || req.Close || req.Method == http.MethodConnect ||
		len(req.Trailer) > 0 || len(req.TransferEncoding) > 0 {
		return false
	}
	if _, ok := req.Header["Upgrade"]; ok {
		return false
	}
	if _, ok := req.Header["Expect"]; ok {
		return false
	}
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	// A body the proxy read whole: written at once, it cannot block on an upstream that
	// answers before reading it.
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	return ex != nil && ex.bodyInMemory && req.ContentLength >= 0 && req.ContentLength <= fastBodyBytes
}

// fastBodyBytes bounds the request bodies the fast path writes: small enough to fit the
// socket's send buffer whatever the upstream does.
const fastBodyBytes = 16 << 10

func (t *upstreamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.fast(req) {
		return t.base.RoundTrip(req)
	}
	ctx := req.Context()
	bodyless := req.Body == nil || req.Body == http.NoBody
	// http.Transport asks for gzip, and undoes it, when the client did not choose.
	wire := req
	addedGzip := t.gzip && req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead
	if addedGzip {
		r := *req
		r.Header = req.Header.Clone()
		r.Header.Set("Accept-Encoding", "gzip")
		wire = &r
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.get(ctx)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		res, err := c.exchange(ctx, t, req, wire)
		if err == nil {
			if addedGzip && res.ContentLength != 0 && strings.EqualFold(res.Header.Get("Content-Encoding"), "gzip") {
				res.Body = &gunzipBody{body: res.Body}
				res.Header.Del("Content-Encoding")
				res.Header.Del("Content-Length")
				res.ContentLength = -1
				res.Uncompressed = true
			}
			return res, nil
		}
		c.conn.Close()
		var xe *exchangeError
		if errors.As(err, &xe) && reused && bodyless && attempt < t.maxIdle && ctx.Err() == nil &&
			(xe.nothingWritten || xe.beforeResponse && replayable(req)) {
			continue // a connection the upstream had closed: as http.Transport, try again
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if xe != nil {
			return nil, xe.err
		}
		return nil, err
	}
}

// replayable is http.Request.isReplayable for a bodyless request.
func replayable(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, a := r.Header["Idempotency-Key"]
	_, b := r.Header["X-Idempotency-Key"]
	return a || b
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}

// get takes the most recently used idle connection that is still open, or dials.
func (t *upstreamTransport) get(ctx context.Context) (*upConn, bool, error) {
	now := time.Now()
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		c := t.idle[n-1]
		t.idle[n-1] = nil
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if (t.idleFor <= 0 || now.Sub(c.idleSince) < t.idleFor) && c.br.Buffered() == 0 && idleConnOpen(c.raw) {
			return c, true, nil
		}
		c.conn.Close()
	}
	conn, err := t.dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	c := &upConn{conn: conn, limit: math.MaxInt64}
	c.raw = rawConn(conn)
	c.br = bufio.NewReader(c)
	c.bw = bufio.NewWriter(conn)
	return c, false, nil
}

// put keeps c for the next exchange, dropping connections idle for too long.
func (t *upstreamTransport) put(c *upConn) {
	c.idleSince = time.Now()
	t.mu.Lock()
	var stale []*upConn
	for len(t.idle) > 0 && t.idleFor > 0 && c.idleSince.Sub(t.idle[0].idleSince) >= t.idleFor {
		stale = append(stale, t.idle[0])
		t.idle = t.idle[1:]
	}
	if len(t.idle) >= t.maxIdle {
		stale = append(stale, c)
	} else {
		t.idle = append(t.idle, c)
	}
	t.mu.Unlock()
	for _, s := range stale {
		s.conn.Close()
	}
}

// upConn is one kept-alive connection to the upstream.
type upConn struct {
	conn      net.Conn
	raw       any // syscall.RawConn, for the idle check
	br        *bufio.Reader
	bw        *bufio.Writer
	limit     int64 // bytes the reader may still read: bounds response headers
	maxHdr    int64
	idleSince time.Time
}

// Read is the connection as its bufio.Reader sees it, with http.Transport's header limit.
func (c *upConn) Read(p []byte) (int, error) {
	if c.limit <= 0 {
		return 0, fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", c.maxHdr)
	}
	if int64(len(p)) > c.limit {
		p = p[:c.limit]
	}
	n, err := c.conn.Read(p)
	c.limit -= int64(n)
	return n, err
}

// exchangeError is a failed exchange, with what http.Transport's retry rule needs to know.
type exchangeError struct {
	err            error
	nothingWritten bool // writing the request failed
	beforeResponse bool // no byte of an answer came (and not for a timeout)
}

func (e *exchangeError) Error() string { return e.err.Error() }
func (e *exchangeError) Unwrap() error { return e.err }

// aLongTimeAgo is a deadline that has passed: I/O with it fails at once.
var aLongTimeAgo = time.Unix(1, 0)

// exchange writes wire and reads the answer to req. The connection stays the caller's until
// the response body is read to its end or closed.
func (c *upConn) exchange(ctx context.Context, t *upstreamTransport, req, wire *http.Request) (*http.Response, error) {
	// The caller's cancellation interrupts whatever I/O is under way, until the body ends.
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(aLongTimeAgo) })
	if err := wire.Write(c.bw); err != nil {
		stop()
		return nil, &exchangeError{err: err, nothingWritten: true}
	}
	if err := c.bw.Flush(); err != nil {
		stop()
		return nil, &exchangeError{err: err, nothingWritten: true}
	}
	if t.timeout > 0 {
		c.conn.SetReadDeadline(time.Now().Add(t.timeout))
	}
	c.maxHdr, c.limit = t.maxHdr, t.maxHdr
	// Waiting for the first byte apart, as http.Transport does: only a failure there may
	// be the upstream having closed the connection before it saw the request.
	_, err := c.br.Peek(1)
	answered := err == nil
	var res *http.Response
	if answered {
		res, err = c.readResponse(ctx, req)
	}
	c.limit = math.MaxInt64
	if err != nil {
		stop()
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		if timeout && ctx.Err() == nil {
			err = errHeaderTimeout
		}
		return nil, &exchangeError{err: err, beforeResponse: !answered && !timeout}
	}
	if t.timeout > 0 {
		c.conn.SetReadDeadline(time.Time{})
		if ctx.Err() != nil { // canceled while the deadline was being lifted
			c.conn.SetDeadline(aLongTimeAgo)
		}
	}
	res.Body = &upBody{body: res.Body, t: t, c: c, keep: !res.Close && !req.Close, stop: stop, ctx: ctx}
	return res, nil
}

// errHeaderTimeout is http.Transport's error when ResponseHeaderTimeout passes.
var errHeaderTimeout = timeoutError{"net/http: timeout awaiting response headers"}

type timeoutError struct{ msg string }

func (e timeoutError) Error() string   { return e.msg }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }

var _ net.Error = timeoutError{}

// readResponse reads the final response, passing 1xx answers to the request's httptrace
// hook as http.Transport does.
func (c *upConn) readResponse(ctx context.Context, req *http.Request) (*http.Response, error) {
	trace := httptrace.ContextClientTrace(ctx)
	for n := 0; ; n++ {
		res, err := http.ReadResponse(c.br, req)
		if err != nil {
			return nil, err
		}
		code := res.StatusCode
		if code < 100 || code > 199 || code == http.StatusSwitchingProtocols {
			return res, nil
		}
		if trace != nil && trace.Got1xxResponse != nil {
			if err := trace.Got1xxResponse(code, textproto.MIMEHeader(res.Header)); err != nil {
				return nil, err
			}
			c.limit = c.maxHdr
		}
		if n >= 5 {
			return nil, errors.New("net/http: too many 1xx informational responses")
		}
	}
}

// upBody gives the connection back once the body is read to its end, and closes it when
// the body is closed before.
type upBody struct {
	body io.ReadCloser
	t    *upstreamTransport
	c    *upConn
	keep bool
	stop func() bool
	ctx  context.Context
	done bool
}

func (b *upBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.body.Read(p)
	switch {
	case err == io.EOF:
		b.finish(b.keep)
	case err != nil:
		b.finish(false)
		if cerr := b.ctx.Err(); cerr != nil {
			err = cerr
		}
	}
	return n, err
}

func (b *upBody) Close() error {
	if !b.done {
		b.finish(false)
	}
	return nil
}

func (b *upBody) finish(keep bool) {
	b.done = true
	// stop is false when the cancellation has already fired: the deadline is in the past.
	if b.stop() && keep {
		b.t.put(b.c)
		return
	}
	b.c.conn.Close()
}

// gunzipBody undoes the gzip encoding http.Transport asked for, as its gzipReader does.
type gunzipBody struct {
	body io.ReadCloser
	zr   *gzip.Reader
	err  error
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.body)
	}
	if g.err != nil {
		return 0, g.err
	}
	return g.zr.Read(p)
}

func (g *gunzipBody) Close() error { return g.body.Close() }
