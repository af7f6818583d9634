package contract

import "net/http"

// Model is a reference implementation of the API that the fuzz check compares a deployment
// with: recmock's own mock (*mock.Server) is one. It must answer the API's requests at
// APIPath; the check sends it only those.
type Model interface {
	http.Handler
	Close() error
}
