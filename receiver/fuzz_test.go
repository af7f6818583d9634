package receiver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/recmock/recmock/internal/wire"
	"github.com/recmock/recmock/receiver"
)

// FuzzReceive: whatever body comes, the receiver answers without panicking, keeps it, and
// calls it valid exactly when openapi.yaml's schema does, naming a field otherwise.
func FuzzReceive(f *testing.F) {
	f.Add([]byte(validEvent))
	f.Add([]byte(`{"meetingId":"m","participants":"4"}`))
	f.Add([]byte(`{"meetingId":1}`))
	f.Add([]byte("\xff{"))
	f.Add([]byte(``))
	spec, err := wire.Spec()
	if err != nil {
		f.Fatal(err)
	}
	r, err := receiver.New(receiver.Config{MaxBodyBytes: 4096, KeepBodyBytes: 64})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r.Reset()
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body)))
		events, _ := r.Events()
		if len(events) != 1 {
			t.Fatalf("%d events kept", len(events))
		}
		ev := events[0]
		if len(body) > 4096 {
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("a %d-byte body answered %d", len(body), w.Code)
			}
			return
		}
		if want := spec.ValidateSchema("RecordingCompletedEvent", body) == nil; ev.Valid != want {
			t.Fatalf("valid %t, schema says %t", ev.Valid, want)
		}
		if !ev.Valid && (len(ev.Errors) == 0 || ev.Errors[0].Field == "") {
			t.Fatalf("invalid without a named field: %+v", ev.Errors)
		}
		if len(ev.Body) > 64*3 || !json.Valid(w.Body.Bytes()) || w.Code != http.StatusOK {
			t.Fatalf("kept %d bytes of body; answered %d %q", len(ev.Body), w.Code, w.Body)
		}
	})
}
