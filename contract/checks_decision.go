package contract

import "net/http"

// decisionChecks assert the HTTP status codes recmock chose where the vendor documents none.
// The hard checks only observe them, so a deployment that decided otherwise fails these alone.
func decisionChecks() []Check {
	return []Check{
		{
			ID:       "decision.success-200",
			Question: "Is a successful GET answered with HTTP 200?",
			Run: func(t *T) {
				t.needSettings()
				t.expectHTTP(t.get(), http.StatusOK)
			},
		},
		{
			ID:       "decision.unauthorized-401",
			Question: "Is a GET without credentials answered with HTTP 401?",
			Run: func(t *T) {
				res := t.Do(Request{Auth: AuthNone})
				t.expectHTTP(res, http.StatusUnauthorized)
				if res.Status == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
					t.Observef("HTTP 401 without a WWW-Authenticate challenge, which recmock sends")
				}
			},
		},
		{
			ID:       "decision.unknown-path-404",
			Question: "Is an unknown path next to the API answered with HTTP 404 and the failure envelope?",
			Run: func(t *T) {
				res := t.Do(Request{Path: "/rest/recording/recmock-contract-unknown"})
				t.expectHTTP(res, http.StatusNotFound)
				t.expectFailureEnvelope(res)
			},
		},
		{
			ID:       "decision.invalid-400",
			Question: "Is refused input answered with HTTP 400?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectHTTP(t.send(http.MethodPut, `{"notify":"yes"}`), http.StatusBadRequest)
			},
		},
		{
			ID:       "decision.conflict-409",
			Question: "Is POST on an account that has settings answered with HTTP 409?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectHTTP(t.send(http.MethodPost, offBody), http.StatusConflict)
			},
		},
		{
			// A deployment could honour DELETE, so this one counts as a write; the restore
			// then re-creates the settings with POST.
			ID:       "decision.method-405",
			Question: "Is DELETE answered with HTTP 405 and the failure envelope?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				res := t.Do(Request{Method: http.MethodDelete})
				if res.Status/100 == 2 {
					t.r.accts[0].exists = false
				}
				t.expectHTTP(res, http.StatusMethodNotAllowed)
				t.expectFailureEnvelope(res)
			},
		},
		{
			ID:       "decision.too-large-413",
			Question: "Is a 2 MiB body answered with HTTP 413?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectHTTP(t.Do(tooLarge()), http.StatusRequestEntityTooLarge)
			},
		},
		{
			ID:       "decision.media-type-415",
			Question: "Is a body declared as text/plain answered with HTTP 415?",
			Writes:   true,
			Run: func(t *T) {
				t.needSettings()
				t.expectHTTP(t.Do(textPlain()), http.StatusUnsupportedMediaType)
			},
		},
	}
}
