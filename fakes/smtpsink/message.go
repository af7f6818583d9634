package smtpsink

import (
	"maps"
	"slices"
	"time"
	"unicode/utf8"
)

// Message is one message the sink accepted. The JSON names are fixed by recmock's
// openapi.yaml (schema Email). Raw and Parts are left out of the JSON encoding of a
// Message; the single-message HTTP endpoint adds them. Lists show a summary instead
// (see Sink.Handler).
type Message struct {
	// ID is a decimal string, "1" for the first message a Sink accepts; IDs only grow,
	// even across Reset, so an old ID never names a new message.
	ID string `json:"id"`
	// From is the envelope sender (MAIL FROM), "" for the null sender.
	From string `json:"from"`
	// To are the envelope recipients (RCPT TO), in the order the client gave them.
	To []string `json:"to"`
	// Subject is the Subject header with RFC 2047 encoded words decoded.
	Subject string `json:"subject"`
	// Created is when the sink accepted the message, by Config.Now, in UTC.
	Created time.Time `json:"created"`
	// Size is the length of Raw.
	Size int `json:"size"`
	// Headers are the top-level header fields, keyed by canonical name
	// ("Message-Id"), with RFC 2047 encoded words decoded.
	Headers map[string][]string `json:"headers"`
	// Text is the first text/plain part that is not an attachment, decoded to UTF-8.
	Text string `json:"text,omitempty"`
	// HTML is the first text/html part that is not an attachment, decoded to UTF-8.
	HTML string `json:"html,omitempty"`
	// Attachments are the leaf parts other than Text and HTML.
	Attachments []Attachment `json:"attachments,omitempty"`
	// ParseError says what could not be parsed; the message is stored regardless.
	ParseError string `json:"parseError,omitempty"`
	// AuthUser is the user name the client authenticated as, if it did.
	AuthUser string `json:"authUser,omitempty"`

	// Raw is the message as received (dot-unstuffed, line endings untouched). The
	// single-message HTTP endpoint sends it as the JSON string "raw", where bytes that
	// are not UTF-8 become U+FFFD; GET /{id}/raw sends it byte for byte.
	Raw []byte `json:"-"`
	// Parts are the MIME leaves in document order; the single-message HTTP endpoint
	// sends them as "parts".
	Parts []Part `json:"-"`
}

// Attachment describes one attachment; its content is not kept unless it is text (see
// Part.Body).
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	// Size is the decoded size in bytes.
	Size int `json:"size"`
}

// Part is one MIME leaf.
type Part struct {
	// ContentType is the media type without parameters, "text/plain" when absent.
	ContentType string              `json:"contentType"`
	Headers     map[string][]string `json:"headers"`
	Filename    string              `json:"filename,omitempty"`
	// Size is the decoded size in bytes.
	Size int `json:"size"`
	// Body is the decoded content of text/* parts, in UTF-8 when the charset is
	// known; other parts' content is not kept.
	Body string `json:"body,omitempty"`
}

// clone returns a deep copy, so that callers can't change what the store holds.
func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	m.Headers = cloneHeader(m.Headers)
	m.Attachments = slices.Clone(m.Attachments)
	m.Raw = slices.Clone(m.Raw)
	if m.Parts != nil {
		parts := make([]Part, len(m.Parts))
		for i, p := range m.Parts {
			p.Headers = cloneHeader(p.Headers)
			parts[i] = p
		}
		m.Parts = parts
	}
	return m
}

func cloneHeader(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, v := range maps.All(h) {
		out[k] = slices.Clone(v)
	}
	return out
}

// Bounds of a summary, so that a page of the list stays small whatever its messages
// hold: a summary is at most about 16 KiB, and typically a hundred bytes.
const (
	maxSummaryText        = 998 // RFC 5322's line length, for the subject and parseError
	maxSummaryAddress     = 256 // RFC 5321 allows 254 octets
	maxSummaryRecipients  = 20
	maxSummaryAttachments = 20
	maxSummaryName        = 256 // an attachment's file name and type
)

// summary is a message as the list shows it: the envelope, subject, size and the
// attachments' names, without bodies or header fields, every field bounded. Truncated
// says that something was left out; GET /{id} has the whole message.
type summary struct {
	ID          string       `json:"id"`
	From        string       `json:"from"`
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Created     time.Time    `json:"created"`
	Size        int          `json:"size"`
	Attachments []Attachment `json:"attachments,omitempty"`
	ParseError  string       `json:"parseError,omitempty"`
	AuthUser    string       `json:"authUser,omitempty"`
	Truncated   bool         `json:"truncated,omitempty"`
}

// summarize makes m's summary. Its strings share memory with m's.
func summarize(m *Message) summary {
	s := summary{ID: m.ID, Created: m.Created, Size: m.Size}
	cut := func(v string, n int) string {
		if len(v) <= n {
			return v
		}
		s.Truncated = true
		// Back up to the start of a rune, so that the JSON is not given half of one.
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		return v[:n]
	}
	s.From = cut(m.From, maxSummaryAddress)
	s.Subject = cut(m.Subject, maxSummaryText)
	s.AuthUser = cut(m.AuthUser, maxSummaryAddress)
	s.ParseError = cut(m.ParseError, maxSummaryText)
	s.To = make([]string, 0, min(len(m.To), maxSummaryRecipients))
	for _, to := range m.To[:min(len(m.To), maxSummaryRecipients)] {
		s.To = append(s.To, cut(to, maxSummaryAddress))
	}
	if len(m.To) > maxSummaryRecipients {
		s.Truncated = true
	}
	for _, a := range m.Attachments[:min(len(m.Attachments), maxSummaryAttachments)] {
		s.Attachments = append(s.Attachments, Attachment{Filename: cut(a.Filename, maxSummaryName), ContentType: cut(a.ContentType, maxSummaryName), Size: a.Size})
	}
	if len(m.Attachments) > maxSummaryAttachments {
		s.Truncated = true
	}
	return s
}
