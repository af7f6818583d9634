package wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/recmock/recmock"
)

// internalError answers when one of our own values cannot be encoded, which is a bug: the
// client still deserves an envelope.
const internalError = `{"status":0,"content":{"message":"internal error: response could not be encoded"}}` + "\n"

// buffers keeps the buffers answers are encoded in, which every answer would otherwise allocate
// and grow afresh.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteJSON answers v, encoded by encoding/json, with the given HTTP status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a large answer's buffer is left to the collector
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	// Messages quote what was sent, often with < and >; keep them readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(internalError)
	}
	h := w.Header()
	// Canonical keys, set directly: Set would canonicalize them again on every answer.
	h["Content-Type"] = []string{"application/json"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// WriteError answers err as the failure envelope with the HTTP status its code maps to (see
// recmock.ErrorEnvelope), with a Basic challenge when it is a 401 and the handler has set
// no challenge of its own (the admin API asks for a Bearer token: a Basic challenge would
// make a browser pop up a password dialog).
func WriteError(w http.ResponseWriter, err error) {
	status, env := recmock.ErrorEnvelope(err)
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="recmock", charset="UTF-8"`)
	}
	WriteJSON(w, status, env)
}
