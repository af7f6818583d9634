package smtpsink

import (
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	_ smtp.Backend     = backend{}
	_ smtp.AuthSession = (*session)(nil)
	_ sasl.Server      = (*loginServer)(nil)
	_ smtp.Logger      = errorLog{}
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
	tc, ok := c.Conn().(*trackedConn)
	if !ok { // cannot happen: Start serves trackingListener's connections only
		return nil, errShuttingDown
	}
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

// errNoRoom answers a message that arrived while the sink held too much mail in transit
// (see Config.MaxStoreBytes): RFC 3463's "mail system full", a temporary failure, so
// that the client tries again.
var errNoRoom = &smtp.SMTPError{
	Code:         452,
	EnhancedCode: smtp.EnhancedCode{4, 3, 1},
	Message:      "Insufficient system storage: too much mail in transit, try again later",
}

// Data stores a message. For DATA, the connection's wire reader has decoded it (see
// wire.go), and r yields nothing but its end; for BDAT, r yields the chunks, which
// go-smtp has already bounded by MaxMessageBytes.
func (ss *session) Data(r io.Reader) error {
	cfg := ss.sink.cfg
	chunked, err := io.ReadAll(io.LimitReader(r, cfg.MaxMessageBytes+1))
	msg, decoded := ss.conn.wire.take()
	switch {
	case err != nil:
		return fmt.Errorf("smtpsink: reading message: %w", err)
	case decoded:
	case int64(len(chunked)) > cfg.MaxMessageBytes:
		msg = &received{tooBig: true}
	default:
		msg = &received{raw: chunked}
	}
	switch {
	case msg.tooBig:
		ss.sink.log.Info("smtpsink: message refused", "from", ss.from, "to", ss.to, "reason", "larger than MaxMessageBytes")
		// go-smtp answers with the error's own code (552) only when it gets the
		// *SMTPError itself, not a wrapper.
		return smtp.ErrDataTooLarge
	case msg.starved:
		ss.sink.log.Warn("smtpsink: message refused", "from", ss.from, "to", ss.to, "reason", "too much mail in transit")
		return errNoRoom
	}

	m := Parse(msg.raw)
	m.From, m.To, m.AuthUser = ss.from, slices.Clone(ss.to), ss.authUser
	if m.To == nil {
		m.To = []string{}
	}
	m.Created = cfg.Now().UTC()
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
