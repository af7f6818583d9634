package recmock

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
