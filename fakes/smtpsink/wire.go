package smtpsink

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// The wire reader sits between each connection's socket and go-smtp, and reads the
// message text of DATA itself. go-smtp's own DATA reader (dataReader in go-smtp v0.26's
// data.go, a copy of net/textproto's without its CRLF rewriting) loses its "CR seen"
// state on any byte but LF: after a line that ends "\r\r\n" it no longer knows that a
// line begins, so it takes the end-of-data line ".\r\n" for text and the message is
// lost when the session times out; it also drops the CR of a line that starts ".\r"
// followed by anything but LF. So go-smtp reads commands through the wire reader
// unchanged, and once it has answered DATA with 354, it gets nothing but the
// end-of-data line, while the decoded message waits for the session (conn.take).
//
// For that, go-smtp must not have read past the DATA command when it answers 354: the
// wire reader never hands on bytes beyond the end of a line that may be DATA, keeping
// them (a client that does not wait for 354, or pipelines the next command after the
// message) for later. The wire reader assumes plain TCP: the sink offers no STARTTLS.

const (
	// wireBufSize is how much the wire reader reads from the socket at once.
	wireBufSize = 32 << 10
	// chunkSize is the unit in which messages are collected; chunks are pooled, so a
	// message being received makes no garbage however it grows.
	chunkSize = 64 << 10
)

// endOfData is what go-smtp gets for a message: an empty one, ended.
var endOfData = []byte(".\r\n")

type wireMode int

const (
	modeCommand wireMode = iota // go-smtp reads commands (and BDAT chunks)
	modeData                    // between the 354 reply and the end-of-data line
	modeEnd                     // endOfData is being handed to go-smtp
)

// wireReader is a connection's byte stream as go-smtp reads it. It is used by the
// connection's goroutine only, except for its result, which take hands over under mu.
type wireReader struct {
	src  io.Reader
	buf  []byte // buf[r:w] has been read from src, not yet handed on or decoded
	r, w int

	mode      wireMode
	line      cmdLine // the command line being handed on
	afterData bool    // the last byte handed on ended a DATA command line
	end       []byte  // what is left of endOfData to hand on
	dec       decoder // the message being received, in modeData
	err       error   // the read error that ended modeData, returned from then on

	mu     sync.Mutex
	result *received // a message decoded and not yet taken by the session
}

// received is a message as DATA delivered it.
type received struct {
	raw     []byte
	tooBig  bool // over MaxMessageBytes: nothing kept
	starved bool // the sink's budget for messages in transit ran out: nothing kept
}

func newWireReader(src io.Reader, max int64, budget *budget) *wireReader {
	return &wireReader{src: src, buf: make([]byte, wireBufSize), dec: decoder{max: max, budget: budget}}
}

func (w *wireReader) Read(p []byte) (int, error) {
	switch w.mode {
	case modeData:
		if err := w.receive(); err != nil {
			return 0, err
		}
		fallthrough
	case modeEnd:
		n := copy(p, w.end)
		w.end = w.end[n:]
		if len(w.end) == 0 {
			w.mode = modeCommand
		}
		return n, nil
	}
	if w.r == w.w {
		n, err := w.src.Read(w.buf)
		w.r, w.w = 0, n
		if n == 0 {
			return 0, err
		}
	}
	return w.handOn(p), nil
}

// handOn copies buffered command bytes to p, up to and including the end of a line that
// may be DATA.
func (w *wireReader) handOn(p []byte) int {
	seg := w.buf[w.r:min(w.w, w.r+len(p))]
	n := 0
	w.afterData = false
	for n < len(seg) {
		i := bytes.IndexByte(seg[n:], '\n')
		if i < 0 {
			w.line.add(seg[n:])
			n = len(seg)
			break
		}
		w.line.add(seg[n : n+i])
		data := w.line.isData()
		w.line = cmdLine{}
		n += i + 1
		if data {
			w.afterData = true
			break
		}
	}
	copy(p, seg[:n])
	w.r += n
	return n
}

// wrote tells the reader what go-smtp writes: its 354 reply to DATA starts the message.
func (w *wireReader) wrote(p []byte) {
	if w.mode == modeCommand && w.afterData && bytes.HasPrefix(p, []byte("354")) {
		w.mode = modeData
		w.dec.start()
	}
}

// receive decodes the message until its end-of-data line, or fails with the read
// error that stopped it.
func (w *wireReader) receive() error {
	for {
		if w.r < w.w {
			n, done := w.dec.feed(w.buf[w.r:w.w])
			w.r += n
			if done {
				msg := w.dec.finish()
				w.mu.Lock()
				w.result = msg
				w.mu.Unlock()
				w.mode, w.end = modeEnd, endOfData
				return nil
			}
			continue
		}
		if w.err != nil {
			w.dec.release()
			return w.err
		}
		n, err := w.src.Read(w.buf)
		w.r, w.w, w.err = 0, n, err
	}
}

// take hands the message DATA decoded to the session, once; ok is false when there is
// none, as for BDAT, whose chunks go-smtp hands to the session itself.
func (w *wireReader) take() (msg *received, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg, w.result = w.result, nil
	return msg, msg != nil
}

// receiving is the number of bytes of the message in transit, for logs.
func (w *wireReader) receiving() int64 { return w.dec.size.Load() }

// cmdLine follows a command line as it is handed on, to tell whether it is DATA as
// go-smtp's parseCmd reads it: upper-cased, with trailing CRs trimmed.
type cmdLine struct {
	n     int
	head  [4]byte
	other bool // a byte after the fourth is not CR
}

func (l *cmdLine) add(p []byte) {
	for _, c := range p {
		switch {
		case l.other:
			return // no longer DATA, whatever follows
		case l.n < len(l.head):
			l.head[l.n] = c
		case c != '\r':
			l.other = true
		}
		l.n++
	}
}

func (l *cmdLine) isData() bool {
	return l.n >= len(l.head) && !l.other && bytes.EqualFold(l.head[:], []byte("DATA"))
}

// decodeState is where the decoder is in the message text.
type decodeState int

const (
	atLineStart decodeState = iota // after CRLF, or at the start of the text
	afterDot                       // a line began with a dot, which was dropped
	afterDotCR                     // a line began ".\r": the end-of-data line, if LF comes
	inLine                         // in a line, the last byte not CR
	afterCR                        // in a line, the last byte CR
)

var chunkPool = sync.Pool{New: func() any { return new([chunkSize]byte) }}

// decoder undoes RFC 5321's dot-stuffing (section 4.5.2) and finds the end-of-data line,
// with CRLF as the only line end: a bare CR or LF is text, as go-smtp has it, so that a
// message cannot be ended (or smuggled) by a sequence other servers would not end it
// with. The text is collected in pooled chunks, bounded by max and by the sink's budget
// for messages in transit.
type decoder struct {
	max    int64
	budget *budget

	state   decodeState
	size    atomic.Int64 // bytes decoded so far, kept or not; read by receiving
	chunks  []*[chunkSize]byte
	fill    int   // bytes used in the last chunk
	taken   int64 // budget held
	tooBig  bool
	starved bool
}

func (d *decoder) start() {
	d.release()
	d.state, d.tooBig, d.starved = atLineStart, false, false
	d.size.Store(0)
}

// feed decodes p, and reports how much of it belongs to the message (with its end) and
// whether the end-of-data line was in it.
func (d *decoder) feed(p []byte) (int, bool) {
	i := 0
	for i < len(p) {
		switch d.state {
		case atLineStart:
			if p[i] == '.' {
				d.state = afterDot
				i++
				continue
			}
			d.state = inLine
		case afterDot:
			if p[i] == '\r' {
				d.state = afterDotCR
				i++
				continue
			}
			d.state = inLine
		case afterDotCR:
			if p[i] == '\n' {
				return i + 1, true
			}
			// Not the end: the CR held back is text, and p[i] comes after a CR.
			d.emit([]byte{'\r'})
			d.state = afterCR
		}
		// In a line: everything up to the next LF is text.
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			d.emit(p[i:])
			if p[len(p)-1] == '\r' {
				d.state = afterCR
			} else {
				d.state = inLine
			}
			return len(p), false
		}
		crlf := (j > 0 && p[i+j-1] == '\r') || (j == 0 && d.state == afterCR)
		d.emit(p[i : i+j+1])
		i += j + 1
		if crlf {
			d.state = atLineStart
		} else {
			d.state = inLine
		}
	}
	return i, false
}

func (d *decoder) emit(p []byte) {
	size := d.size.Add(int64(len(p)))
	switch {
	case d.tooBig || d.starved:
		return
	case size > d.max:
		d.tooBig = true
		d.release()
		return
	case !d.budget.take(int64(len(p))):
		d.starved = true
		d.release()
		return
	}
	d.taken += int64(len(p))
	for len(p) > 0 {
		if len(d.chunks) == 0 || d.fill == chunkSize {
			d.chunks = append(d.chunks, chunkPool.Get().(*[chunkSize]byte))
			d.fill = 0
		}
		n := copy(d.chunks[len(d.chunks)-1][d.fill:], p)
		d.fill += n
		p = p[n:]
	}
}

// finish returns the message, copied to its exact size, and frees the chunks.
func (d *decoder) finish() *received {
	msg := &received{tooBig: d.tooBig, starved: d.starved}
	if !d.tooBig && !d.starved {
		msg.raw = make([]byte, 0, d.size.Load())
		for i, c := range d.chunks {
			if i == len(d.chunks)-1 {
				msg.raw = append(msg.raw, c[:d.fill]...)
			} else {
				msg.raw = append(msg.raw, c[:]...)
			}
		}
	}
	d.release()
	return msg
}

// release gives the chunks back to the pool and the bytes back to the budget.
func (d *decoder) release() {
	for _, c := range d.chunks {
		chunkPool.Put(c)
	}
	clear(d.chunks)
	d.chunks, d.fill = d.chunks[:0], 0
	d.budget.give(d.taken)
	d.taken = 0
}

// budget bounds the bytes of all messages in transit together.
type budget struct{ left atomic.Int64 }

func newBudget(n int64) *budget {
	b := &budget{}
	b.left.Store(n)
	return b
}

func (b *budget) take(n int64) bool {
	if b.left.Add(-n) < 0 {
		b.left.Add(n)
		return false
	}
	return true
}

func (b *budget) give(n int64) { b.left.Add(n) }
