package smtpsink_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/fakes/smtpsink"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// parsed is what Parse derives from raw bytes; the golden files pin it.
type parsed struct {
	Subject     string                `json:"subject"`
	Size        int                   `json:"size"`
	Headers     map[string][]string   `json:"headers"`
	Text        string                `json:"text,omitempty"`
	HTML        string                `json:"html,omitempty"`
	Attachments []smtpsink.Attachment `json:"attachments,omitempty"`
	Parts       []smtpsink.Part       `json:"parts,omitempty"`
	ParseError  string                `json:"parseError,omitempty"`
}

func marshalGolden(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep HTML bodies readable in the golden files
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with the file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestParseGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "parse", "*.eml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs in testdata/parse (%v)", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			m := smtpsink.Parse(raw)
			if !bytes.Equal(m.Raw, raw) || m.Size != len(raw) {
				t.Errorf("Raw or Size not kept: Size %d, want %d", m.Size, len(raw))
			}
			got := parsed{
				Subject: m.Subject, Size: m.Size, Headers: m.Headers, Text: m.Text, HTML: m.HTML,
				Attachments: m.Attachments, Parts: m.Parts, ParseError: m.ParseError,
			}
			golden(t, strings.TrimSuffix(in, ".eml")+".json", marshalGolden(t, got))
		})
	}
}

// TestParseCases pins, beside the golden files, the facts each input exists to show,
// so that an -update cannot quietly bless a regression.
func TestParseCases(t *testing.T) {
	tests := []struct {
		file           string
		subject        string
		text, html     string
		attachments    []smtpsink.Attachment
		parseErrorHas  string // "" when no ParseError is expected
		textHasNoCRLF  bool
		wantPartsCount int
	}{
		{file: "plain.eml", subject: "Recording ready: weekly-standup", text: "Your recording of weekly-standup is ready.\n", wantPartsCount: 1},
		{file: "encoded_words.eml", subject: "Résumé ready ✓", text: "Café au lait, a line long enough that the quoted-printable encoder must break it with a soft line break.\r\n", wantPartsCount: 1},
		{file: "base64_html.eml", subject: "HTML only", html: "<p>Your recording of <b>weekly-standup</b> is ready.</p>\n", wantPartsCount: 1},
		{file: "alternative.eml", subject: "Alternative", text: "Plain version.", html: "<p style=\"color: red\">HTML version.</p>", wantPartsCount: 2},
		{
			file: "mixed_nested.eml", subject: "Mixed with nested alternative",
			text: "See the attachments.", html: "<p>See the attachments.</p>",
			attachments: []smtpsink.Attachment{
				{Filename: "report.pdf", ContentType: "application/pdf", Size: 9 + 256},
				{Filename: "invite.ics", ContentType: "text/calendar", Size: len("BEGIN:VCALENDAR\r\nEND:VCALENDAR")},
				{Filename: "", ContentType: "image/png", Size: 8},
				{Filename: "résumé.txt", ContentType: "text/plain", Size: len("An attached text file.")},
				{Filename: "déjà.txt", ContentType: "text/plain", Size: len("Encoded-word file name.")},
			},
			wantPartsCount: 7,
		},
		{file: "latin1.eml", subject: "Café", text: "Café crème\r\n", wantPartsCount: 1},
		{file: "windows1252_qp.eml", subject: "Smart quotes", text: "“quoted” €100\r\n", wantPartsCount: 1},
		{file: "unknown_charset.eml", subject: "=?x-unknown?Q?strange?=", text: "Bytes kept as they are.\r\n", parseErrorHas: "x-unknown", wantPartsCount: 1},
		{file: "unknown_encoding.eml", subject: "Unknown encoding", text: "begin 644 file\r\nend\r\n", parseErrorHas: "x-uuencode", wantPartsCount: 1},
		// The CRLF before a boundary belongs to the boundary, so the cut-off part loses it.
		{file: "malformed_unclosed.eml", subject: "Unclosed multipart", parseErrorHas: "without its closing boundary", wantPartsCount: 1,
			text: "First part, and then the message just stops."},
		{file: "malformed_base64.eml", subject: "Bad base64", text: "Fine text.", parseErrorHas: "part 2: body",
			attachments: []smtpsink.Attachment{{Filename: "x.bin", ContentType: "application/octet-stream"}}, wantPartsCount: 2},
		{file: "no_boundary.eml", subject: "Multipart without boundary", parseErrorHas: "no boundary",
			attachments: []smtpsink.Attachment{{ContentType: "multipart/mixed", Size: len("--b\r\nContent-Type: text/plain\r\n\r\nText.\r\n--b--\r\n")}}, wantPartsCount: 1},
		{file: "bad_header.eml", parseErrorHas: "header", wantPartsCount: 0},
		{file: "bad_content_type.eml", subject: "Bad content type", html: "<p>Read anyway.</p>\r\n", parseErrorHas: "Content-Type", wantPartsCount: 1},
		{file: "rfc822_attached.eml", subject: "Forwarded", text: "See the forwarded message.",
			attachments: []smtpsink.Attachment{{ContentType: "message/rfc822", Size: len("From: someone@example.com\r\nSubject: Original\r\n\r\nOriginal body.")}}, wantPartsCount: 2},
		{file: "deep_nesting.eml", subject: "Deep", parseErrorHas: "nested deeper than 32 levels", wantPartsCount: 0},
		{file: "empty.eml", wantPartsCount: 1},
		{file: "headers_only.eml", subject: "no body", wantPartsCount: 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "parse", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := smtpsink.Parse(raw)
			got := []any{m.Subject, m.Text, m.HTML, m.Attachments, len(m.Parts)}
			want := []any{tt.subject, tt.text, tt.html, tt.attachments, tt.wantPartsCount}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[subject text html attachments len(parts)] mismatch (-want +got):\n%s", diff)
			}
			switch {
			case tt.parseErrorHas == "" && m.ParseError != "":
				t.Errorf("ParseError = %q, want none", m.ParseError)
			case !strings.Contains(m.ParseError, tt.parseErrorHas):
				t.Errorf("ParseError = %q, want it to mention %q", m.ParseError, tt.parseErrorHas)
			}
		})
	}
}

// FuzzParse checks that no input makes the parser panic (Parse would recover, and say
// so in ParseError) and that the raw bytes are always kept.
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.eml"))
	for _, in := range inputs {
		raw, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		orig := bytes.Clone(raw)
		m := smtpsink.Parse(raw)
		if strings.HasPrefix(m.ParseError, "internal error: MIME parser panicked") {
			t.Fatalf("the parser panicked: %s", m.ParseError)
		}
		if !bytes.Equal(m.Raw, orig) || m.Size != len(orig) {
			t.Fatalf("Raw not preserved: got %d bytes, want %d", len(m.Raw), len(orig))
		}
		if m.Headers == nil {
			t.Fatalf("Headers is nil; the API promises an object")
		}
		n := 0
		for _, p := range m.Parts {
			n += p.Size
		}
		if n > 4*len(raw)+16 {
			// Decoding only shrinks content, or grows it by a charset's expansion.
			t.Fatalf("parts hold %d bytes decoded from %d raw", n, len(raw))
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("the message cannot be encoded as JSON: %v", err)
		}
	})
}
