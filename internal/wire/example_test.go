package wire_test

import (
	"fmt"

	"github.com/recmock/recmock/internal/wire"
)

func ExampleValidator_ValidateSchema() {
	v, err := wire.Spec()
	if err != nil {
		panic(err)
	}
	err = v.ValidateSchema("RecordingCompletedEvent", []byte(`{"meetingId":"m","apiKey":"k","unixTime":1,"roomId":"r","participants":0,"startTime":"2026-11-30T09:00:00Z","endTime":"2026-11-30T09:30:00Z","retrievalUrl":"http://x"}`))
	fmt.Println(err)
	// Output: invalid input: participants: must be at least 1
}
