// Package recmock holds the domain of the Temasys Recording Notification API as recmock
// mocks it: the embedded OpenAPI contract, accounts and their notification settings, the input
// rules the schema cannot express, the recording-completed event, the response envelopes and
// the one table that maps error codes to HTTP statuses.
//
// Implementations live in subpackages that talk in these terms: mock (the stateful API),
// simulator (recording events), contract (checks against a deployment) and fakes/* (an SMTP
// sink and a fake S3, which import nothing of ours).
package recmock
