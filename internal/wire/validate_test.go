package wire_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

func TestValidateSchema(t *testing.T) {
	doc, _ := recmock.LoadSpec()
	v, err := wire.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"meetingId":"m","apiKey":"k","unixTime":1764460800,"roomId":"r","participants":2,"startTime":"2026-11-30T09:00:00Z","endTime":"2026-11-30T09:30:00Z","retrievalUrl":"http://x/y"}`
	if err := v.ValidateSchema("RecordingCompletedEvent", []byte(good)); err != nil {
		t.Errorf("valid event refused: %v", err)
	}
	bad := `{"meetingId":"m","apiKey":"k","unixTime":"soon","roomId":"r","participants":0,"startTime":"noon","endTime":"2026-11-30T09:30:00Z"}`
	err = v.ValidateSchema("RecordingCompletedEvent", []byte(bad))
	var re *recmock.Error
	if !errors.As(err, &re) {
		t.Fatalf("invalid event: %v", err)
	}
	var fields []string
	for _, f := range re.Fields {
		fields = append(fields, f.Field)
	}
	if diff := cmp.Diff([]string{"participants", "retrievalUrl", "startTime", "unixTime"}, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if err := v.ValidateSchema("NoSuchSchema", []byte(`{}`)); err == nil {
		t.Error("unknown schema accepted")
	}
	r, _ := http.NewRequest("GET", "http://any-host:1/rest/recording/notifications", nil)
	if _, err := v.FindRoute(r); err != nil {
		t.Errorf("routing ignores the host: %v", err)
	}
}

func TestSpecValidatorIsShared(t *testing.T) {
	a, err := wire.Spec()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := wire.Spec()
	if a != b {
		t.Error("Spec built a second Validator")
	}
}
