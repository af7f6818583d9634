package smtpsink

import (
	"net"
	"sync"
	"time"
)

var (
	_ net.Listener = (*trackingListener)(nil)
	_ net.Conn     = (*trackedConn)(nil)
)

// tooManySessions is what a connection over Config.MaxSessions gets before it is closed.
const tooManySessions = "421 4.7.0 too many connections, try again later\r\n"

// refuseTimeout bounds writing tooManySessions: the accept loop must not wait on a
// client that does not read.
const refuseTimeout = time.Second

// trackingListener records the connections it accepts, so that Close can end idle ones
// instead of waiting for their clients to hang up, and refuses those over
// Config.MaxSessions.
type trackingListener struct {
	net.Listener
	sink      *Sink
	closeOnce sync.Once
	closeErr  error
}

func (l *trackingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc := l.track(c); tc != nil {
			return tc, nil
		}
	}
}

// track wraps c, or refuses it and returns nil when the sink has MaxSessions already.
func (l *trackingListener) track(c net.Conn) *trackedConn {
	s := l.sink
	s.mu.Lock()
	if !s.closed && len(s.conns) >= s.cfg.MaxSessions {
		first := !s.full
		s.full = true
		s.refused++
		s.mu.Unlock()
		if first {
			s.log.Warn("smtpsink: too many sessions; refusing new connections", "maxSessions", s.cfg.MaxSessions)
		}
		s.log.Debug("smtpsink: connection refused", "remote", c.RemoteAddr().String(), "reason", "too many sessions")
		c.SetWriteDeadline(time.Now().Add(refuseTimeout))
		c.Write([]byte(tooManySessions))
		c.Close()
		return nil
	}
	defer s.mu.Unlock()
	tc := &trackedConn{Conn: c, sink: s, wire: newWireReader(c, s.cfg.MaxMessageBytes, s.budget)}
	if s.closed {
		tc.kick()
	}
	s.conns[tc] = struct{}{}
	return tc
}

// Close is idempotent because both Sink.Close and go-smtp's Shutdown call it.
func (l *trackingListener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

// longAgo is a deadline that has passed: reads with it fail at once.
var longAgo = time.Unix(1, 0)

// trackedConn is a session's connection: its reads go through the wire reader, and
// Close can end it gracefully: once kicked, every read deadline is in the past, so
// go-smtp's next wait for a command times out, and it says 421 and closes. A plain
// SetReadDeadline would not last, as go-smtp sets a fresh deadline before reading each
// command.
type trackedConn struct {
	net.Conn
	sink *Sink
	wire *wireReader
	busy bool // inside a mail transaction; guarded by sink.mu

	mu     sync.Mutex // orders kick against go-smtp's SetReadDeadline
	kicked bool
	once   sync.Once
}

func (c *trackedConn) Read(p []byte) (int, error) { return c.wire.Read(p) }

func (c *trackedConn) Write(p []byte) (int, error) {
	c.wire.wrote(p)
	return c.Conn.Write(p)
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
		s := c.sink
		s.mu.Lock()
		delete(s.conns, c)
		if len(s.conns) < s.cfg.MaxSessions {
			s.full = false
		}
		s.mu.Unlock()
	})
	return c.Conn.Close()
}
