// Package proxy is a validating reverse proxy for the Recording Notification API.
//
// A *Proxy sits between an application and a deployment, forwards every request and
// response unchanged, and checks both against openapi.yaml and the rules the schema cannot
// express (the root package's). Each broken rule becomes a Violation naming the side that
// broke the contract (the client's request or the server's response), the field as a JSON
// path, the rule and the value, secrets masked. Violations go to the log, to a bounded
// journal, optionally to an X-Recmock-Violations response header, and to a summary; with
// FailOnViolation the client receives a 502 envelope listing them instead of the response.
//
// Upstream failures answer the envelope too: 502 when the upstream refused, reset or failed
// TLS, 504 when it did not answer in time — never a hang.
package proxy
