// Package mock is the stateful mock of the Temasys Recording Notification API.
//
// A *Server is an http.Handler serving POST, GET and PUT /rest/recording/notifications for
// the configured accounts (HTTP Basic apiKey:secret), recmock's admin API under /_admin/ and,
// when configured, the dashboard. Requests are routed and validated against openapi.yaml
// through kin-openapi; the rules a schema cannot express (e-mail splitting, S3 all-or-none,
// the ARN) come from the root package. Every error, from an unknown path to a panic, answers
// the JSON failure envelope.
//
// Before any routing, a guard (guard.go) refuses a Host that a rebound DNS name would send
// (Config.AllowedHosts, Config.AnyHost), admin requests that a page of another site can make
// a browser send, and, with Config.AdminToken, admin requests without the token. Admin answers
// mask secrets unless asked with ?reveal=1.
//
// State lives in a Store: NewMemoryStore by default, OpenBoltStore for settings that survive
// restarts and kill -9.
package mock
