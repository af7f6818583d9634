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
//   - messages up to [Config.MaxMessageBytes]; larger ones are refused with SMTP's own
//     552 reply and nothing is stored.
//
// Every accepted message is stored, whatever its MIME structure: when the MIME cannot be
// parsed the raw source is kept and [Message.ParseError] says why. The store is bounded
// by message count ([Config.MaxMessages]) and bytes ([Config.MaxStoreBytes]); when it is
// full the oldest messages are dropped and counted in [Sink.Dropped].
//
// A Sink has no package-level state, so any number of them can run in one process.
package smtpsink
