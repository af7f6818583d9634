// Package contract checks a deployment of the Recording Notification API, or a webhook
// receiver, against openapi.yaml and the rules of SPEC section 2.
//
// Each assumption about the service is a [Check]: a stable ID ("notify.accepts-1"), a
// one-line question ("Is notify sent as 1 answered as true?") and a Run function, in the
// model of gofakes3's internal/s3assumer. [Checks] lists the API checks and [WebhookChecks]
// the receiver checks; [Run] runs a selection and returns a [Report], which [WriteText],
// [WriteJSON] and [WriteJUnit] render for people and CI tools. The same checks run against
// recmock's own mock in go test and against a real deployment from `recmock contract`.
//
// Checks are read-only unless [Config.AllowWrites] is set: without it only GET requests reach
// the account. With it, Run first reads the account's settings and, once any write was sent,
// puts them back at the end — after failures, panics and cancellation too — and verifies that
// GET answers them byte for byte as before. The API has no DELETE, so an account that had no
// settings is left with {"notify":false}; the report says so.
//
// Where the vendor documented nothing and recmock decided (the HTTP status codes of errors),
// the hard checks accept any status code and note what they observed; the "decision.*"
// checks assert recmock's choice, so a deployment that answers 200 with status 0 fails only
// those, and --skip '^decision\.' deselects them.
package contract
