package simulator_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

// FuzzNewEvent feeds NewEvent the overrides a client can send to POST /_admin/recordings:
// either it names the broken rule's field, or it builds an event that keeps every override
// and that the spec's schema accepts.
func FuzzNewEvent(f *testing.F) {
	f.Add(uint8(0), "", "", 0, int64(0), int64(0), int64(0))
	f.Add(uint8(63), "m-1", "weekly-standup", 4, int64(1796029200), int64(1796031737), int64(1796031800))
	f.Add(uint8(48), "", "", 0, int64(1796031737), int64(1796029200), int64(0))
	f.Add(uint8(4), "", "", -1, int64(0), int64(0), int64(0))
	f.Add(uint8(8), "", "", 0, int64(0), int64(0), int64(-5))
	f.Add(uint8(32), "", "", 0, int64(0), int64(1<<40), int64(0))
	v := validator(f)
	known := []string{"meetingId", "roomId", "participants", "startTime", "endTime", "unixTime", "apiKey"}
	f.Fuzz(func(t *testing.T, set uint8, meetingID, roomID string, participants int, start, end, unixTime int64) {
		var o recmock.RecordingOverrides
		if set&1 != 0 {
			o.MeetingID = &meetingID
		}
		if set&2 != 0 {
			o.RoomID = &roomID
		}
		if set&4 != 0 {
			o.Participants = &participants
		}
		if set&8 != 0 {
			o.UnixTime = &unixTime
		}
		if set&16 != 0 {
			st := time.Unix(start, 0)
			o.StartTime = &st
		}
		if set&32 != 0 {
			et := time.Unix(end, 0)
			o.EndTime = &et
		}
		sim, err := simulator.New(simulator.Config{Rand: rand.New(rand.NewPCG(1, 1)), Now: fixedClock})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, o)
		if err != nil {
			var e *recmock.Error
			if !errors.As(err, &e) || e.Code != recmock.CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("err = %v, want a CodeInvalid *recmock.Error naming fields", err)
			}
			for _, fe := range e.Fields {
				if !slices.Contains(known, fe.Field) || fe.Message == "" {
					t.Errorf("field error %+v names no known field", fe)
				}
			}
			return
		}
		body, err := simulator.MarshalEvent(ev)
		if err != nil {
			t.Fatalf("event %+v cannot be encoded: %v", ev, err)
		}
		if err := v.ValidateSchema("RecordingCompletedEvent", body); err != nil {
			t.Errorf("event does not match the schema: %v\n%s", err, body)
		}
		var back recmock.RecordingEvent
		if err := json.Unmarshal(body, &back); err != nil || back != ev {
			t.Errorf("event does not survive JSON: %v\n%+v\n%+v", err, ev, back)
		}
		switch {
		case o.MeetingID != nil && ev.MeetingID != meetingID,
			o.RoomID != nil && ev.RoomID != roomID,
			o.Participants != nil && ev.Participants != participants,
			o.UnixTime != nil && ev.UnixTime != unixTime,
			o.StartTime != nil && ev.StartTime.Unix() != start,
			o.EndTime != nil && ev.EndTime.Unix() != end:
			t.Errorf("an override was not kept: %+v", ev)
		}
		if !ev.StartTime.Before(ev.EndTime) || ev.UnixTime < ev.EndTime.Unix() {
			t.Errorf("times out of order: %+v", ev)
		}
	})
}
