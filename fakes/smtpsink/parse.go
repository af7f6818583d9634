package smtpsink

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	// Registers decoders for the charsets mail uses in the wild (ISO-8859-*, Windows-125x,
	// Shift_JIS, ...); without it go-message decodes only UTF-8 and US-ASCII. It sets
	// message.CharsetReader, go-message's own hook for this, once at init.
	_ "github.com/emersion/go-message/charset"
)

const (
	// maxDepth bounds multipart nesting: real mail nests three or four levels, and a
	// hostile message must not be able to run the parser out of stack.
	maxDepth = 32
	// maxProblems bounds ParseError, which otherwise grows with each broken part.
	maxProblems = 8
	// maxParts and maxFields bound what Parse keeps of a message: its MIME leaves, and
	// the header fields of each entity. Real mail has a few of each; a hostile 10 MiB
	// message can have a million, which would take over ten times its size in memory.
	// What is past them is in Raw only, and ParseError says so.
	maxParts  = 1000
	maxFields = 1000
)

// dataBufs are the buffers decoded parts are read into before a text part is copied,
// at its exact size, into a string.
var dataBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// parserPanicked starts ParseError when the MIME parser panicked; Parse recovers so that
// one odd message can never take the SMTP session down with it.
const parserPanicked = "internal error: MIME parser panicked"

// Parse turns a message's raw source into a Message: decoded Subject and Headers, Text
// and HTML bodies (found inside any multipart nesting, with quoted-printable, base64
// and charsets decoded), Attachments and Parts. It never fails: what it could not parse
// is described in ParseError, and Raw (which is raw itself, not a copy) and Size are
// always set. ID, From, To, Created and AuthUser are left for the caller.
func Parse(raw []byte) (m Message) {
	m = Message{Raw: raw, Size: len(raw), Headers: map[string][]string{}}
	p := &parser{m: &m}
	defer func() {
		if r := recover(); r != nil {
			m.ParseError = fmt.Sprintf("%s: %v", parserPanicked, r)
		}
	}()
	p.parse()
	m.ParseError = strings.Join(p.problems, "; ")
	return m
}

type parser struct {
	m        *Message
	problems []string
	haveText bool
	haveHTML bool
	full     bool // maxParts reached: the walk stops
}

// note records a problem; the first few are enough to debug a message.
func (p *parser) note(format string, args ...any) {
	switch {
	case len(p.problems) < maxProblems:
		p.problems = append(p.problems, fmt.Sprintf(format, args...))
	case len(p.problems) == maxProblems:
		p.problems = append(p.problems, "more problems not shown")
	}
}

func (p *parser) parse() {
	e, err := message.Read(bytes.NewReader(p.m.Raw))
	if e == nil {
		p.note("header: %s", strings.TrimSpace(err.Error()))
		return
	}
	p.m.Headers = p.decodeHeader(e.Header, "message")
	if s := p.m.Headers["Subject"]; len(s) > 0 {
		p.m.Subject = s[0]
	}
	p.walk(e, nil, err)
}

// walk visits e and, when it is multipart, its parts depth first, so that a text body
// inside multipart/alternative inside multipart/mixed is found like a top-level one.
func (p *parser) walk(e *message.Entity, path []int, openErr error) {
	where := partName(path)
	mt, params := p.contentType(e.Header, where)
	// go-message still gives the body of a part with an unknown charset or transfer
	// encoding, undecoded; its own error text repeats itself, so say it anew.
	switch {
	case openErr == nil:
	case message.IsUnknownEncoding(openErr):
		p.note("%s: unknown Content-Transfer-Encoding %q; the body is kept encoded", where, e.Header.Get("Content-Transfer-Encoding"))
	case message.IsUnknownCharset(openErr):
		p.note("%s: unknown charset %q; the body is kept undecoded", where, params["charset"])
	default:
		p.note("%s: %v", where, openErr)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		p.leaf(e, mt, params, path)
		return
	}
	if params["boundary"] == "" {
		p.note("%s: %s has no boundary parameter", where, mt)
		p.leaf(e, mt, params, path)
		return
	}
	if len(path) >= maxDepth {
		p.note("%s: multipart nested deeper than %d levels is not parsed", where, maxDepth)
		return
	}
	mr := e.MultipartReader()
	if mr == nil {
		// go-message judged the media type differently (it keeps a malformed
		// Content-Type whole); read it as one part rather than guess.
		p.leaf(e, mt, params, path)
		return
	}
	for i := 1; !p.full; i++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) && part == nil {
			return
		}
		child := append(path[:len(path):len(path)], i)
		if part == nil {
			// go-message formats the io.EOF of a truncated multipart into its message.
			if strings.HasSuffix(err.Error(), io.EOF.Error()) {
				p.note("%s: %s ends without its closing boundary", where, mt)
			} else {
				p.note("%s: %v", partName(child), err)
			}
			return
		}
		p.walk(part, child, err)
	}
}

// contentType returns the media type in lower case, and text/plain when it is missing or
// unreadable, as RFC 2045 section 5.2 recommends.
func (p *parser) contentType(h message.Header, where string) (string, map[string]string) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		p.note("%s: Content-Type %q: %v", where, v, err)
		if mt == "" {
			return "text/plain", map[string]string{}
		}
	}
	if params == nil {
		params = map[string]string{}
	}
	return mt, params
}

// leaf reads one non-multipart entity into a Part, and makes it the Text, the HTML or an
// attachment.
func (p *parser) leaf(e *message.Entity, mt string, params map[string]string, path []int) {
	where := partName(path)
	if len(p.m.Parts) >= maxParts {
		p.full = true
		p.note("%s: more than %d parts; the rest are in the raw source only", where, maxParts)
		return
	}
	// The decoded body is read into a reused buffer: a text part keeps a string copy of
	// it, any other part only its size.
	buf := dataBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			dataBufs.Put(buf)
		}
	}()
	_, err := buf.ReadFrom(e.Body)
	body := buf.Bytes()
	if err != nil {
		p.note("%s: body: %v", where, err)
	}
	disp, dparams := "", map[string]string(nil)
	if v := e.Header.Get("Content-Disposition"); v != "" {
		var derr error
		disp, dparams, derr = mime.ParseMediaType(v)
		if derr != nil {
			p.note("%s: Content-Disposition %q: %v", where, v, derr)
		}
	}
	filename := decodeWord(dparams["filename"])
	if filename == "" {
		filename = decodeWord(params["name"])
	}
	headers := p.decodeHeader(e.Header, where)
	if len(path) == 0 {
		// The top-level part's own fields are its Content-* ones; the rest describe the
		// message and are in Message.Headers already.
		for k := range headers {
			if !strings.HasPrefix(k, "Content-") {
				delete(headers, k)
			}
		}
	}
	part := Part{
		ContentType: mt,
		Headers:     headers,
		Filename:    filename,
		Size:        len(body),
	}
	if strings.HasPrefix(mt, "text/") {
		part.Body = string(body)
	}
	p.m.Parts = append(p.m.Parts, part)

	attached := disp == "attachment" || filename != ""
	switch {
	case !attached && mt == "text/plain" && !p.haveText:
		p.haveText, p.m.Text = true, part.Body
	case !attached && mt == "text/html" && !p.haveHTML:
		p.haveHTML, p.m.HTML = true, part.Body
	default:
		p.m.Attachments = append(p.m.Attachments, Attachment{Filename: filename, ContentType: mt, Size: len(body)})
	}
}

// decodeHeader returns h's fields keyed by canonical name, in order, with encoded words
// decoded; a field whose charset is unknown keeps its raw value.
func (p *parser) decodeHeader(h message.Header, where string) map[string][]string {
	out := map[string][]string{}
	fields := h.Fields()
	for n := 0; fields.Next(); n++ {
		if n == maxFields {
			p.note("%s: more than %d header fields; the rest are in the raw source only", where, maxFields)
			break
		}
		k := textproto.CanonicalMIMEHeaderKey(fields.Key())
		v, err := fields.Text()
		if err != nil {
			v = fields.Value()
		}
		out[k] = append(out[k], v)
	}
	return out
}

// decodeWord decodes RFC 2047 words in a parameter value, which some mailers use for
// non-ASCII file names instead of RFC 2231.
func decodeWord(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	if d, err := dec.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// partName names a part the way IMAP numbers them ("part 1.2"), or "message" for the
// top level.
func partName(path []int) string {
	if len(path) == 0 {
		return "message"
	}
	s := make([]string, len(path))
	for i, n := range path {
		s[i] = strconv.Itoa(n)
	}
	return "part " + strings.Join(s, ".")
}
