package simulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/recmock/recmock"
)

// parseFrom accepts one RFC 5322 address, with or without a display name.
func parseFrom(s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(a.Address, "@") {
		return nil, errors.New("want an address such as notifications@example.com")
	}
	return a, nil
}

// emailData is what the templates show.
type emailData struct {
	Event    recmock.RecordingEvent
	Duration string
	Mixed    string
	TTL      string
	Expires  string
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`The recording of room {{.Event.RoomID}} is ready.

Room:          {{.Event.RoomID}}
Meeting ID:    {{.Event.MeetingID}}
Participants:  {{.Event.Participants}}
Started:       {{.Event.StartTime.Format "2006-01-02T15:04:05Z07:00"}}
Ended:         {{.Event.EndTime.Format "2006-01-02T15:04:05Z07:00"}} ({{.Duration}})
Mixed:         {{.Mixed}}

Download it (the link works for {{.TTL}}, until {{.Expires}}):
{{.Event.RetrievalURL}}

-- 
Sent by recmock, a mock of the Temasys Recording Notification API.
`))

var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Recording ready: {{.Event.RoomID}}</title></head>
<body style="font-family: sans-serif">
<p>The recording of room <strong>{{.Event.RoomID}}</strong> is ready.</p>
<table>
<tr><th align="left">Room</th><td>{{.Event.RoomID}}</td></tr>
<tr><th align="left">Meeting ID</th><td><code>{{.Event.MeetingID}}</code></td></tr>
<tr><th align="left">Participants</th><td>{{.Event.Participants}}</td></tr>
<tr><th align="left">Started</th><td>{{.Event.StartTime.Format "2006-01-02T15:04:05Z07:00"}}</td></tr>
<tr><th align="left">Ended</th><td>{{.Event.EndTime.Format "2006-01-02T15:04:05Z07:00"}} ({{.Duration}})</td></tr>
<tr><th align="left">Mixed</th><td>{{.Mixed}}</td></tr>
</table>
<p><a href="{{.Event.RetrievalURL}}">Download the recording</a> (the link works for {{.TTL}}, until {{.Expires}}):<br>
<code>{{.Event.RetrievalURL}}</code></p>
<p style="color: #666">Sent by recmock, a mock of the Temasys Recording Notification API.</p>
</body></html>
`))

// composeEmail writes the notification as a multipart/alternative message. The boundary and
// Message-ID are given, so a seed and a clock make the message byte for byte the same.
func composeEmail(ev recmock.RecordingEvent, from *netmail.Address, to []string, date time.Time, msgID, boundary string, ttl time.Duration) ([]byte, error) {
	// go-message writes header fields last-set first, so they are set bottom up.
	var h mail.Header
	h.Set("X-Recmock-Meeting-Id", ev.MeetingID)
	// RFC 3834: an automatic notification, not to be answered by vacation responders.
	h.Set("Auto-Submitted", "auto-generated")
	// CreateInlineWriter would pick a random boundary; setting the type ourselves keeps ours.
	h.SetContentType("multipart/alternative", map[string]string{"boundary": boundary})
	h.Set("MIME-Version", "1.0")
	h.SetMessageID(msgID)
	h.SetSubject("Recording ready: " + ev.RoomID)
	rcpts := make([]*mail.Address, len(to))
	for i, a := range to {
		rcpts[i] = &mail.Address{Address: a}
	}
	h.SetAddressList("To", rcpts)
	h.SetAddressList("From", []*mail.Address{{Name: from.Name, Address: from.Address}})
	h.SetDate(date)

	data := emailData{
		Event:    ev,
		Duration: shortDuration(ev.EndTime.Sub(ev.StartTime)),
		Mixed:    time.Unix(ev.UnixTime, 0).UTC().Format(time.RFC3339),
		TTL:      shortDuration(ttl),
		Expires:  date.Add(ttl).UTC().Format(time.RFC3339),
	}
	var buf bytes.Buffer
	mw, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, err
	}
	for _, part := range []struct {
		typ    string
		render func(*bytes.Buffer) error
	}{
		{"text/plain", func(b *bytes.Buffer) error { return textTmpl.Execute(b, data) }},
		{"text/html", func(b *bytes.Buffer) error { return htmlTmpl.Execute(b, data) }},
	} {
		var ph mail.InlineHeader
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		ph.Set("Content-Disposition", "inline")
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		pw, err := mw.CreatePart(ph.Header)
		if err != nil {
			return nil, err
		}
		var body bytes.Buffer
		if err := part.render(&body); err != nil {
			return nil, err
		}
		if _, err := pw.Write(body.Bytes()); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// shortDuration writes 1h rather than 1h0m0s, and 42m rather than 42m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// sendEmail composes the notification and sends it through SMTPAddr to every address.
func (s *Simulator) sendEmail(ctx context.Context, ev recmock.RecordingEvent, to []string) recmock.EmailOutcome {
	from, _ := parseFrom(s.cfg.SMTPFrom) // checked by New
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	now := s.now()
	s.mu.Lock()
	msgID := strconv.FormatInt(now.UnixNano(), 36) + "." + strconv.FormatUint(s.mailRand.Uint64(), 36) + "@" + domain
	boundary := fmt.Sprintf("%016x%016x", s.mailRand.Uint64(), s.mailRand.Uint64())
	s.mu.Unlock()

	out := recmock.EmailOutcome{MessageID: "<" + msgID + ">"}
	fail := func(format string, args ...any) recmock.EmailOutcome {
		out.Outcome = recmock.Outcome{Status: recmock.OutcomeFailed, Message: fmt.Sprintf(format, args...)}
		s.log.LogAttrs(ctx, slog.LevelWarn, "e-mail failed", slog.String("meetingId", ev.MeetingID), slog.String("error", out.Message))
		return out
	}
	msg, err := composeEmail(ev, from, to, now, msgID, boundary, s.cfg.PresignTTL)
	if err != nil {
		return fail("compose: %v", err)
	}
	accepted, refused, err := s.smtpSend(ctx, domain, from.Address, to, msg)
	out.Recipients = accepted
	if err != nil {
		return fail("SMTP server %s: %v", s.cfg.SMTPAddr, err)
	}
	if len(refused) > 0 {
		return fail("SMTP server %s refused %s", s.cfg.SMTPAddr, strings.Join(refused, "; "))
	}
	out.Outcome = recmock.Outcome{Status: recmock.OutcomeOK}
	return out
}

// smtpSend runs one SMTP session. Recipients the server refuses are listed, and the message
// still goes to the others; err is for a session that delivered nothing.
func (s *Simulator) smtpSend(ctx context.Context, helo, from string, to []string, msg []byte) (accepted, refused []string, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.SMTPAddr)
	if err != nil {
		return nil, nil, unwrapOpError(err)
	}
	// net/smtp has no context: a deadline bounds the session, and cancelling ctx ends it.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	host, _, _ := net.SplitHostPort(s.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		return nil, nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return nil, nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return nil, nil, fmt.Errorf("MAIL FROM refused: %w", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a); err != nil {
			var te *textproto.Error
			if !errors.As(err, &te) {
				return nil, nil, err // the session broke; nothing will be delivered
			}
			refused = append(refused, fmt.Sprintf("%s (%d %s)", a, te.Code, te.Msg))
			continue
		}
		accepted = append(accepted, a)
	}
	if len(accepted) == 0 {
		return nil, refused, fmt.Errorf("every recipient refused: %s", strings.Join(refused, "; "))
	}
	w, err := c.Data()
	if err != nil {
		return nil, refused, fmt.Errorf("DATA refused: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, refused, err
	}
	if err := w.Close(); err != nil {
		return nil, refused, fmt.Errorf("message refused: %w", err)
	}
	// The message is accepted once DATA ends; a failed QUIT loses nothing.
	_ = c.Quit()
	return accepted, refused, nil
}

// unwrapOpError drops the "dial tcp" prefix's duplicate address noise, keeping the cause.
func unwrapOpError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return fmt.Errorf("%s: %w", op.Op, op.Err)
	}
	return err
}
