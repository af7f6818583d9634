package smtpsink

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	_ smtp.Backend     = backend{}
	_ smtp.AuthSession = (*session)(nil)
	_ sasl.Server      = (*loginServer)(nil)
	_ smtp.Logger      = errorLog{}
	_ net.Listener     = (*trackingListener)(nil)
	_ net.Conn         = (*trackedConn)(nil)
)

// errShuttingDown answers clients that start a transaction while the sink closes.
var errShuttingDown = &smtp.SMTPError{
	Code:         421,
	EnhancedCode: smtp.EnhancedCode{4, 3, 2},
	Message:      "Service shutting down",
}

// backend hands each connection a session of its Sink.
type backend struct{ s *Sink }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errShuttingDown
	}
	tc, _ := c.Conn().(*trackedConn)
	return &session{sink: s, conn: tc}, nil
}

// session is one SMTP connection's state. go-smtp calls its methods from the
// connection's goroutine only.
type session struct {
	sink     *Sink
	conn     *trackedConn
	authUser string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

// Auth accepts any credentials: the sink stands in for a relay the code under test
// logs in to, and must not make it fail. Only the user name is kept.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	accept := func(user string) {
		ss.authUser = user
		ss.sink.log.Debug("smtpsink: authenticated", "mechanism", mech, "user", user)
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, _ string) error {
			if username == "" {
				username = identity
			}
			accept(username)
			return nil
		}), nil
	case sasl.Login:
		return &loginServer{accept: accept}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.setBusy(true) {
		return errShuttingDown
	}
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// dataBufs are the buffers messages are read into before they are copied, at their exact
// size, into the store.
var dataBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (ss *session) Data(r io.Reader) error {
	buf := dataBufs.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r)
	var raw []byte
	if err == nil {
		// The store keeps only the message, not the buffer's spare room.
		raw = append([]byte{}, buf.Bytes()...)
	}
	if buf.Cap() <= 1<<20 {
		dataBufs.Put(buf) // a buffer grown by a huge message is left to the GC
	}
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			ss.sink.log.Info("smtpsink: message refused", "from", ss.from, "to", ss.to, "reason", "larger than MaxMessageBytes")
			// go-smtp answers with the error's own code (552) only when it gets the
			// *SMTPError itself, not a wrapper.
			return smtp.ErrDataTooLarge
		}
		return fmt.Errorf("smtpsink: reading message: %w", err)
	}

	m := Parse(raw)
	m.From, m.To, m.AuthUser = ss.from, slices.Clone(ss.to), ss.authUser
	if m.To == nil {
		m.To = []string{}
	}
	m.Created = ss.sink.cfg.Now().UTC()
	m = ss.sink.store.add(m)
	ss.sink.log.Debug("smtpsink: message stored", "id", m.ID, "from", m.From, "to", m.To, "size", m.Size, "parseError", m.ParseError)
	return nil
}

// Reset ends the transaction; go-smtp calls it after DATA and on RSET.
func (ss *session) Reset() {
	ss.from, ss.to = "", nil
	ss.setBusy(false)
}

func (ss *session) Logout() error {
	ss.setBusy(false)
	return nil
}

// setBusy marks whether the connection is inside a mail transaction, which Close lets
// finish. It reports false when a transaction may not start because the sink is
// closing; a transaction that ends while closing has its connection kicked.
func (ss *session) setBusy(busy bool) bool {
	if ss.conn == nil {
		return true
	}
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		ss.conn.busy = false
		ss.conn.kick()
		return !busy
	}
	ss.conn.busy = busy
	return true
}

// loginServer is the server side of AUTH LOGIN, which go-sasl implements only as a
// client: the obsolete but still common mechanism that asks for the user name and the
// password in two base64 challenges.
type loginServer struct {
	accept func(user string)
	state  int
	user   string
}

func (a *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch a.state {
	case 0:
		a.state = 1
		// Clients may send the user name as the initial response ("AUTH LOGIN dXNlcg==").
		if response == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		a.state, a.user = 2, string(response)
		return []byte("Password:"), false, nil
	case 2:
		// The response is the password: deliberately not kept.
		a.state = 3
		a.accept(a.user)
		return nil, true, nil
	}
	return nil, false, sasl.ErrUnexpectedClientResponse
}

// errorLog hands go-smtp's internal error log to the Sink's logger.
type errorLog struct{ l *slog.Logger }

func (e errorLog) Printf(format string, v ...any) {
	e.l.Warn("smtpsink: smtp server", "error", fmt.Sprintf(format, v...))
}

func (e errorLog) Println(v ...any) {
	e.l.Warn("smtpsink: smtp server", "error", fmt.Sprint(v...))
}

// trackingListener records the connections it accepts, so that Close can end idle ones
// instead of waiting for their clients to hang up.
type trackingListener struct {
	net.Listener
	sink      *Sink
	closeOnce sync.Once
	closeErr  error
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, sink: l.sink}
	s := l.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		tc.kick()
	}
	s.conns[tc] = struct{}{}
	return tc, nil
}

// Close is idempotent because both Sink.Close and go-smtp's Shutdown call it.
func (l *trackingListener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

// longAgo is a deadline that has passed: reads with it fail at once.
var longAgo = time.Unix(1, 0)

// trackedConn lets Close end a session gracefully: once kicked, every read deadline is
// in the past, so go-smtp's next wait for a command times out, and it says 421 and
// closes. A plain SetReadDeadline would not last, as go-smtp sets a fresh deadline
// before reading each command.
type trackedConn struct {
	net.Conn
	sink *Sink
	busy bool // inside a mail transaction; guarded by sink.mu

	mu     sync.Mutex // orders kick against go-smtp's SetReadDeadline
	kicked bool
	once   sync.Once
}

func (c *trackedConn) kick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kicked = true
	c.Conn.SetReadDeadline(longAgo)
}

func (c *trackedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kicked {
		t = longAgo
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *trackedConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.sink.mu.Lock()
		delete(c.sink.conns, c)
		c.sink.mu.Unlock()
	})
	return c.Conn.Close()
}
