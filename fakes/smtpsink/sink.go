package smtpsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/emersion/go-smtp"
)

// Errors a Sink returns; match them with errors.Is.
var (
	ErrInvalidConfig = errors.New("smtpsink: invalid config")
	ErrStarted       = errors.New("smtpsink: already started")
	ErrClosed        = errors.New("smtpsink: sink closed")
)

// Default values of the Config fields.
const (
	DefaultAddr            = "127.0.0.1:0"
	DefaultDomain          = "recmock.local"
	DefaultMaxMessageBytes = 10 << 20
	DefaultMaxMessages     = 1000
	DefaultMaxStoreBytes   = 256 << 20
	DefaultTimeout         = 30 * time.Second
	DefaultMaxSessions     = 100
)

// MaxCommandLine bounds an SMTP command line, CRLF included: RFC 5321 (section
// 4.5.3.1) allows 512 octets, extensions a little more; four times that leaves room for
// long addresses and AUTH responses. A longer line is answered "500 5.4.0 Too long
// line" and the connection is closed. Lines of message text are not bounded but by
// MaxMessageBytes.
const MaxCommandLine = 2048

// logClosing is logged once Close has stopped accepting connections and waits for the
// transactions in progress to finish.
const logClosing = "smtpsink: closing: waiting for transactions in progress"

// maxRecipients bounds RCPT TO per message, which MaxMessageBytes does not: without it
// one session could grow a recipient list until it times out.
const maxRecipients = 1000

// Config configures a Sink. The zero value is ready to use: every field's default is
// given beside it.
type Config struct {
	// Addr is the TCP address to listen on; default "127.0.0.1:0", a free port on the
	// loopback interface.
	Addr string
	// Domain is the name the sink greets with and answers EHLO with; default
	// "recmock.local".
	Domain string
	// MaxMessageBytes is the largest message accepted, in bytes; default 10 MiB, or
	// MaxStoreBytes when that is smaller. Larger messages are refused with SMTP's 552
	// reply. It may not exceed MaxStoreBytes. Lines of message text may be as long as
	// the message: RFC 5321's 1000-character line limit is not enforced on them, as
	// generated HTML often comes as one long line (command lines are bounded by
	// MaxCommandLine).
	MaxMessageBytes int64
	// MaxMessages is how many messages are kept; default 1000. When a new message
	// arrives at a full store the oldest is dropped (see Sink.Dropped).
	MaxMessages int
	// MaxStoreBytes bounds the bytes kept for all messages together; default 256 MiB.
	// A message counts its raw source, its decoded text parts and an estimate of what
	// its header fields and parts cost (see Stats); the oldest messages are dropped to
	// make room. It also bounds the messages in transit, together: a message arriving
	// when they hold that much is refused with 452 4.3.1, a temporary failure. So the
	// sink holds at most about twice MaxStoreBytes of mail.
	MaxStoreBytes int64
	// MaxSessions bounds the SMTP connections served at once; default 100. A
	// connection over it is answered "421 4.7.0 too many connections, try again later"
	// and closed.
	MaxSessions int
	// ReadTimeout and WriteTimeout bound each SMTP command and reply (the DATA
	// transfer counts as one read); default 30s each. A client that stays silent longer
	// is disconnected.
	ReadTimeout, WriteTimeout time.Duration
	// Logger receives the sink's logs; default: discarded. Passwords are never logged.
	Logger *slog.Logger
	// Now is the clock that stamps Message.Created; default time.Now.
	Now func() time.Time
}

// withDefaults fills in the defaults and checks what is left.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("Addr %q: %v; want host:port, such as 127.0.0.1:1025", c.Addr, err)
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	// The domain is written into the greeting line as is.
	if strings.IndexFunc(c.Domain, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad("Domain %q contains white space or control characters", c.Domain)
	}
	switch {
	case c.MaxMessageBytes < 0:
		return bad("MaxMessageBytes is %d; want 0 (for the default) or more", c.MaxMessageBytes)
	case c.MaxMessages < 0:
		return bad("MaxMessages is %d; want 0 (for the default) or more", c.MaxMessages)
	case c.MaxStoreBytes < 0:
		return bad("MaxStoreBytes is %d; want 0 (for the default) or more", c.MaxStoreBytes)
	case c.ReadTimeout < 0:
		return bad("ReadTimeout is %v; want 0 (for the default) or more", c.ReadTimeout)
	case c.WriteTimeout < 0:
		return bad("WriteTimeout is %v; want 0 (for the default) or more", c.WriteTimeout)
	case c.MaxSessions < 0:
		return bad("MaxSessions is %d; want 0 (for the default) or more", c.MaxSessions)
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxMessages == 0 {
		c.MaxMessages = DefaultMaxMessages
	}
	if c.MaxStoreBytes == 0 {
		c.MaxStoreBytes = DefaultMaxStoreBytes
	}
	switch {
	case c.MaxMessageBytes == 0:
		c.MaxMessageBytes = min(DefaultMaxMessageBytes, c.MaxStoreBytes)
	case c.MaxMessageBytes > c.MaxStoreBytes:
		return bad("MaxMessageBytes (%d) exceeds MaxStoreBytes (%d): such a message could never be kept", c.MaxMessageBytes, c.MaxStoreBytes)
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Sink is an SMTP server that keeps what it receives. Its methods are safe for
// concurrent use.
type Sink struct {
	cfg    Config
	log    *slog.Logger
	store  *store
	budget *budget // for the messages in transit

	mu      sync.Mutex
	srv     *smtp.Server
	ln      *trackingListener
	addr    string
	started bool
	closed  bool
	conns   map[*trackedConn]struct{}
	full    bool          // MaxSessions reached: a warning was logged
	refused int           // connections refused for MaxSessions
	served  chan struct{} // closed when the server's accept loop has returned
}

// New checks cfg and returns a Sink that is not listening yet; call Start.
func New(cfg Config) (*Sink, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Sink{
		cfg:    cfg,
		log:    cfg.Logger,
		store:  newStore(cfg.MaxMessages, cfg.MaxStoreBytes),
		budget: newBudget(cfg.MaxStoreBytes),
		conns:  map[*trackedConn]struct{}{},
	}, nil
}

// Start returns a started Sink: New followed by Sink.Start.
func Start(cfg Config) (*Sink, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// Start listens on Config.Addr and serves SMTP in the background until Close.
func (s *Sink) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.started:
		return ErrStarted
	}
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtpsink: listen: %w", err)
	}
	srv := smtp.NewServer(backend{s})
	srv.Addr = l.Addr().String()
	srv.Domain = s.cfg.Domain
	// The wire reader enforces the limit on DATA; go-smtp advertises it as SIZE, checks
	// MAIL FROM's SIZE parameter and BDAT chunks against it.
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = maxRecipients
	// go-smtp reads command lines, and nothing else, through this limit: the text of a
	// DATA message never reaches it (wire.go), and BDAT chunks are exempt.
	srv.MaxLineLength = MaxCommandLine
	// The sink is a test double on the loopback interface: clients that insist on AUTH
	// must not need TLS to get past it.
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = s.cfg.ReadTimeout
	srv.WriteTimeout = s.cfg.WriteTimeout
	srv.ErrorLog = errorLog{s.log}

	s.srv, s.ln, s.addr, s.started = srv, &trackingListener{Listener: l, sink: s}, srv.Addr, true
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Error("smtpsink: serve", "error", err)
		}
	}()
	s.log.Info("smtpsink: listening", "addr", s.addr)
	return nil
}

// Addr is the address the sink listens on, "127.0.0.1:port", or "" before Start.
func (s *Sink) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops listening and waits for the sessions to end: Shutdown without a deadline.
// A session in the middle of a mail transaction finishes it first, so Close takes at
// most ReadTimeout more (a client that stalls is cut off by it); idle sessions are
// disconnected with a 421 reply. The stored messages stay readable. Close may be
// called more than once.
func (s *Sink) Close() error { return s.Shutdown(context.Background()) }

// Shutdown is Close with a deadline: when ctx ends before the transactions in progress
// do, their connections are closed, each logged with the bytes it had sent, and the
// error wraps ctx's.
func (s *Sink) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	busy := 0
	for c := range s.conns {
		if c.busy {
			busy++
		} else {
			c.kick()
		}
	}
	srv, ln, served := s.srv, s.ln, s.served
	s.mu.Unlock()
	defer s.store.close()
	if srv == nil {
		return nil
	}

	// Closing the listener before Shutdown lets the accept loop return first, so that
	// no connection is being added while Shutdown waits for the others.
	err := ln.Close()
	<-served
	s.log.Info(logClosing, "addr", s.addr, "transactions", busy)
	if serr := srv.Shutdown(ctx); serr != nil {
		if ctx.Err() != nil {
			serr = fmt.Errorf("%d sessions cut short: %w", s.cutShort(), serr)
		}
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("smtpsink: close: %w", err)
	}
	return nil
}

// cutShort closes every connection still open, and returns how many there were.
func (s *Sink) cutShort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		s.log.Warn("smtpsink: session cut short by shutdown", "remote", c.RemoteAddr().String(), "inTransaction", c.busy, "messageBytesReceived", c.wire.receiving())
		c.Conn.Close()
	}
	return len(s.conns)
}

// Stats describes what the sink holds.
type Stats struct {
	// Messages and Bytes are what the store holds; Bytes is what MaxStoreBytes bounds:
	// raw sources, decoded text and an estimate of the rest of each message's memory.
	Messages int
	Bytes    int64
	// Dropped is as Sink.Dropped.
	Dropped int
	// Receiving is the bytes of the messages in transit, which MaxStoreBytes bounds
	// too.
	Receiving int64
	// Sessions are the SMTP connections open now; Refused, those refused so far for
	// MaxSessions.
	Sessions, Refused int
}

// Stats returns the sink's current figures.
func (s *Sink) Stats() Stats {
	st := s.store.stats()
	st.Receiving = s.cfg.MaxStoreBytes - s.budget.left.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Sessions, st.Refused = len(s.conns), s.refused
	return st
}

// Messages returns the stored messages, newest first. They are copies: changing them
// does not change the store.
func (s *Sink) Messages() []Message {
	ms, _ := s.store.snapshot()
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = m.clone()
	}
	return out
}

// Message returns a copy of the stored message with this ID.
func (s *Sink) Message(id string) (Message, bool) {
	m, ok := s.store.get(id)
	if !ok {
		return Message{}, false
	}
	return m.clone(), true
}

// Delete forgets the message with this ID, and reports whether it was stored.
func (s *Sink) Delete(id string) bool { return s.store.delete(id) }

// Reset forgets every message and sets Dropped back to 0. IDs are not reused.
func (s *Sink) Reset() { s.store.reset() }

// Dropped is how many messages were dropped, oldest first, because the store was full,
// since New or the last Reset.
func (s *Sink) Dropped() int { return s.store.droppedCount() }

// Wait returns the first message that match accepts: the newest such message already
// stored, or else the first such message to arrive. A nil match accepts any message.
// match runs on the calling goroutine and gets copies. When ctx ends first, Wait
// returns an error that wraps ctx.Err(); when the sink closes first, ErrClosed.
func (s *Sink) Wait(ctx context.Context, match func(Message) bool) (Message, error) {
	if match == nil {
		match = func(Message) bool { return true }
	}
	m, err := s.store.wait(ctx, func(m *Message) bool { return match(m.clone()) })
	if err != nil {
		return Message{}, err
	}
	return m.clone(), nil
}
