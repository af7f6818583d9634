// Package smtpsink is an SMTP server that accepts every message and keeps it for
// inspection, in the style of net/http/httptest: start one per test on 127.0.0.1:0,
// send mail to [Sink.Addr], then read what arrived with [Sink.Messages] or
// [Sink.Wait], or over HTTP with [Sink.Handler].
//
// What the sink accepts:
//   - any envelope sender (including the null sender "<>") and any recipients, up to
//     1000 per message;
//   - AUTH PLAIN and AUTH LOGIN without TLS, with any credentials; the user name is kept
//     in [Message.AuthUser], the password never is;
//   - messages up to [Config.MaxMessageBytes], by DATA or BDAT (CHUNKING); larger ones
//     are refused with SMTP's own 552 reply and nothing is stored.
//
// Every accepted message is stored, whatever its MIME structure: when the MIME cannot be
// parsed the raw source is kept and [Message.ParseError] says why. The store is bounded
// by message count ([Config.MaxMessages]) and bytes ([Config.MaxStoreBytes]); when it is
// full the oldest messages are dropped and counted in [Sink.Dropped].
//
// What bounds a client:
//   - command lines: [MaxCommandLine] bytes, then "500 5.4.0 Too long line" and the
//     connection is closed;
//   - sessions: [Config.MaxSessions] at once, then "421 4.7.0 too many connections, try
//     again later";
//   - messages in transit: together at most [Config.MaxStoreBytes], then 452 4.3.1, a
//     temporary failure;
//   - time: [Config.ReadTimeout] for each command and for a message's whole text, and
//     [Sink.Shutdown] closes whatever is still open when its context ends.
//
// The text of a DATA message is read by the sink itself, not by go-smtp, whose reader
// misses the end of a message after a line that ends "\r\r\n" (see wire.go). As in
// go-smtp, CRLF is the only line end: "\n.\n" or "\r.\r" do not end a message.
//
// A Sink has no package-level state, so any number of them can run in one process.
package smtpsink
