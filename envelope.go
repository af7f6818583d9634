package recmock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
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
	body, err := appendSuccess(nil, v)
	if body == nil && err == nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		// Messages quote what was sent, often with < and >; keep them readable.
		enc.SetEscapeHTML(false)
		err = enc.Encode(v)
		body = buf.Bytes()
	}
	if err != nil {
		// Only our own types are written here; failing to encode one is a bug, and the
		// client still deserves an envelope.
		status, body = http.StatusInternalServerError, []byte(`{"status":0,"content":{"message":"internal error: response could not be encoded"}}`+"\n")
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"} // canonical keys: Set would canonicalize them again
	h["X-Content-Type-Options"] = []string{"nosniff"}
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

// appendSuccess appends the JSON of a success envelope, v, exactly as WriteJSON's
// encoding/json encoder writes it: every answer of GET, POST and PUT goes through here.
// It returns nil, without error, for anything else, and for strings it would have to
// escape, which the encoder writes instead.
func appendSuccess(b []byte, v any) ([]byte, error) {
	env, ok := v.(Envelope)
	if !ok || env.Content.Data == nil || env.Content.Message != "" || env.Content.Errors != nil {
		return nil, nil
	}
	s := env.Content.Data
	plain := plainJSONString(s.Username) && plainJSONString(s.URL)
	for _, e := range s.Email {
		plain = plain && plainJSONString(e)
	}
	if s.S3 != nil {
		plain = plain && plainJSONString(s.S3.ARN) && plainJSONString(s.S3.AccessKeyID) && plainJSONString(s.S3.SecretAccessKey)
	}
	if !plain {
		return nil, nil
	}
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(env.Status), 10)
	b = append(b, `,"content":{"data":{"username":"`...)
	b = append(b, s.Username...)
	b = append(b, `","notify":`...)
	b = strconv.AppendBool(b, s.Notify)
	if s.URL != "" {
		b = append(b, `,"url":"`...)
		b = append(b, s.URL...)
		b = append(b, '"')
	}
	b = append(b, `,"email":`...)
	if s.Email == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, e := range s.Email {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, e...)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	if s.S3 != nil {
		b = append(b, `,"s3Settings":{"s3Arn":"`...)
		b = append(b, s.S3.ARN...)
		b = append(b, `","s3AccessKeyId":"`...)
		b = append(b, s.S3.AccessKeyID...)
		b = append(b, `","s3SecretAccessKey":"`...)
		b = append(b, s.S3.SecretAccessKey...)
		b = append(b, `"}`...)
	}
	b = append(b, "}}}\n"...)
	return b, nil
}

// plainJSONString reports whether encoding/json writes s as it is between quotes: printable
// ASCII without quotes or backslashes (with HTML escaping off, < > & stay as they are).
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
