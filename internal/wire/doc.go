// Package wire is what goes over the wire between recmock and its clients: it reads JSON bodies
// (once, strictly), routes and validates requests and responses against openapi.yaml through
// kin-openapi, words kin-openapi's errors as the field and rule a client can act on, and writes
// JSON answers and error envelopes.
//
// The mock, the proxy, the contract suite and the simulator share it, so the document stays
// the single source of truth and every error reads the same wherever it comes from.
package wire
