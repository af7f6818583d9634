package smtpsink

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// refDecode is RFC 5321's DATA read literally, line by line: the text up to the line
// "." alone, each line's leading dot removed, CRLF the only line end. For text that
// does not end, it returns what it has, the last line unfinished.
func refDecode(data []byte) (msg []byte, n int, ended bool) {
	msg = []byte{}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("\r\n"))
		if j < 0 {
			return append(msg, bytes.TrimPrefix(data[i:], []byte("."))...), len(data), false
		}
		line := data[i : i+j]
		if string(line) == "." {
			return msg, i + j + 2, true
		}
		msg = append(append(msg, bytes.TrimPrefix(line, []byte("."))...), '\r', '\n')
		i += j + 2
	}
}

// trickle is a socket that gives at most step bytes per read.
type trickle struct {
	data []byte
	step int
}

func (r *trickle) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// isDataLine reports whether go-smtp's parseCmd reads line (without its LF) as DATA.
func isDataLine(line []byte) bool {
	return bytes.EqualFold(bytes.TrimRight(line, "\r\n"), []byte("DATA"))
}

// readCommands reads from w as go-smtp's buffered reader would, in reads of size bytes,
// until it has n bytes or an error, and checks that no read hands on a byte past the
// end of a DATA line.
func readCommands(t *testing.T, w *wireReader, n, size int) ([]byte, error) {
	t.Helper()
	var got []byte
	p := make([]byte, size)
	for len(got) < n {
		k, err := w.Read(p[:min(size, n-len(got))])
		seg := p[:k]
		for i := bytes.IndexByte(seg, '\n'); i >= 0 && i < len(seg)-1; i = bytes.IndexByte(seg, '\n') {
			line := append(got[bytes.LastIndexByte(got, '\n')+1:len(got):len(got)], seg[:i]...)
			if isDataLine(line) {
				t.Fatalf("a read handed on %q, past the end of the DATA line %q", seg[i+1:], line)
			}
			got, seg = append(got, seg[:i+1]...), seg[i+1:]
		}
		got = append(got, seg...)
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// FuzzWireReader runs the wire reader as go-smtp drives it: commands, DATA, the 354
// reply, the message text, and what follows. The message must come out as refDecode has
// it, go-smtp must get nothing of it but the end-of-data line, and every byte after the
// end must be handed on as a command, in order.
func FuzzWireReader(f *testing.F) {
	seeds := []string{
		"Subject: a\r\n\r\nbody\r\n.\r\n",
		"line\r\r\n.\r\n",
		".\r\r\n.\r\n",
		".\rx\r\n.\r\n",
		"..\r\n...\r\n.\r\n",
		"a\n.\n.\r\n",
		"a\r.\r\n.\r\n",
		".\r\n",
		"x\r\n.\r\nDATA\r\nQUIT\r\n",
		"x\r\n.\r\ndata\r\r\nmore",
		"no end\r\n",
		"half a line",
		".",
		".\r",
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i*7+1))
	}
	f.Fuzz(func(t *testing.T, text []byte, step uint8) {
		size := int(step)%64 + 1
		stream := append([]byte("NOOP\r\nDATA\r\n"), text...)
		w := newWireReader(&trickle{data: stream, step: size}, 1<<30, newBudget(1<<30))

		cmds, err := readCommands(t, w, len("NOOP\r\nDATA\r\n"), size)
		if err != nil || string(cmds) != "NOOP\r\nDATA\r\n" {
			t.Fatalf("go-smtp read %q, %v before DATA's reply; want the two commands", cmds, err)
		}
		w.wrote([]byte("354 Go ahead\r\n"))

		want, n, ended := refDecode(text)
		got, err := readCommands(t, w, len(endOfData), size)
		if !ended {
			if err == nil {
				t.Fatalf("the text %q does not end, yet go-smtp read %q", text, got)
			}
			if _, ok := w.take(); ok {
				t.Fatalf("a message that did not end was handed to the session")
			}
			// All of it decoded but a dot's CR held back, in case LF follows.
			if got := w.receiving(); got != int64(len(want)) && got != int64(len(want))-1 {
				t.Fatalf("decoded %d bytes of %q, want %d", got, text, len(want))
			}
			return
		}
		if err != nil || string(got) != string(endOfData) {
			t.Fatalf("go-smtp read %q, %v for the message; want the end-of-data line alone", got, err)
		}
		msg, ok := w.take()
		if !ok || !bytes.Equal(msg.raw, want) {
			t.Fatalf("decoded %q, want %q", msg.raw, want)
		}
		rest, err := readCommands(t, w, len(text)-n+1, size)
		if !errors.Is(err, io.EOF) || !bytes.Equal(rest, text[n:]) {
			t.Fatalf("after the message go-smtp read %q, %v; want %q, then EOF", rest, err, text[n:])
		}
	})
}
