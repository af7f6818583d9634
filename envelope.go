package recmock

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Envelope status values, as the vendor's glossary defines them.
const (
	StatusSuccess      = 1
	StatusFailed       = 0
	StatusUnauthorized = -1
)

// Envelope wraps every answer of the notifications API: {"status":1,"content":{"data":...}}
// on success, {"status":0|-1,"content":{"message":...,"errors":[...]}} on failure.
type Envelope struct {
	Status  int     `json:"status"`
	Content Content `json:"content"`
}

// Content is the envelope's payload: data on success, message and errors on failure.
type Content struct {
	Data    *Settings    `json:"data,omitempty"`
	Message string       `json:"message,omitempty"`
	Errors  []FieldError `json:"errors,omitempty"`
}

// Success wraps settings in the success envelope.
func Success(s Settings) Envelope {
	return Envelope{Status: StatusSuccess, Content: Content{Data: &s}}
}

// WriteJSON answers v as JSON with the given HTTP status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Messages quote what was sent, often with < and >; keep them readable.
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	body := buf.Bytes()
	if err != nil {
		// Only our own types are written here; failing to encode one is a bug, and the
		// client still deserves an envelope.
		status, body = http.StatusInternalServerError, []byte(`{"status":0,"content":{"message":"internal error: response could not be encoded"}}`+"\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// WriteError answers err as the failure envelope with the HTTP status its code maps to.
func WriteError(w http.ResponseWriter, err error) {
	status, env := ErrorEnvelope(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="recmock", charset="UTF-8"`)
	}
	WriteJSON(w, status, env)
}
