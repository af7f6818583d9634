package smtpsink

import (
	"maps"
	"slices"
	"time"
)

// Message is one message the sink accepted. The JSON names are fixed by recmock's
// openapi.yaml (schema Email). Raw and Parts are left out of the JSON encoding of a
// Message because lists must stay small; the single-message HTTP endpoint adds them.
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
