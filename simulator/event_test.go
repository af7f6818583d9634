package simulator_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

func seeded(t *testing.T, seed uint64) *simulator.Simulator {
	t.Helper()
	sim, _ := newSimulator(t, simulator.Config{Rand: rand.New(rand.NewPCG(seed, 0)), Now: fixedClock})
	return sim
}

func events(t *testing.T, sim *simulator.Simulator, n int) []recmock.RecordingEvent {
	t.Helper()
	out := make([]recmock.RecordingEvent, n)
	for i := range out {
		ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{})
		if err != nil {
			t.Fatalf("NewEvent: %v", err)
		}
		out[i] = ev
	}
	return out
}

func TestNewEvent_Seed(t *testing.T) {
	a, b, c := events(t, seeded(t, 7), 5), events(t, seeded(t, 7), 5), events(t, seeded(t, 8), 5)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed and clock, different events (-first +second):\n%s", diff)
	}
	for i := range a {
		if a[i].MeetingID == c[i].MeetingID {
			t.Errorf("seeds 7 and 8 both made meetingId %s", a[i].MeetingID)
		}
	}
}

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	roomRE = regexp.MustCompile(`^[a-z]+-[a-z0-9-]+$`)
)

// TestNewEvent_Realistic checks the generated values over many events.
func TestNewEvent_Realistic(t *testing.T) {
	v := validator(t)
	seen := map[string]bool{}
	participants := map[int]bool{}
	for _, ev := range events(t, seeded(t, 1), 500) {
		var problems []string
		if !uuidRE.MatchString(ev.MeetingID) {
			problems = append(problems, "meetingId is not a version 4 UUID")
		}
		if seen[ev.MeetingID] {
			problems = append(problems, "meetingId repeats")
		}
		seen[ev.MeetingID] = true
		if !roomRE.MatchString(ev.RoomID) {
			problems = append(problems, "roomId does not look like a room name")
		}
		if ev.Participants < 1 || ev.Participants > 12 {
			problems = append(problems, "participants outside 1..12")
		}
		participants[ev.Participants] = true
		if d := ev.EndTime.Sub(ev.StartTime); d < 2*time.Minute || d > 92*time.Minute {
			problems = append(problems, "call not between 2 and 92 minutes long")
		}
		if mix := ev.UnixTime - ev.EndTime.Unix(); mix < 5 || mix > 180 {
			problems = append(problems, "mixing not 5 s to 3 min after the end")
		}
		if ev.UnixTime != fixedNow.Unix() {
			problems = append(problems, "unixTime is not now")
		}
		if ev.StartTime.Location() != time.UTC || ev.StartTime.Nanosecond() != 0 || ev.EndTime.Nanosecond() != 0 {
			problems = append(problems, "times not whole seconds in UTC")
		}
		if ev.APIKey != "demo-key" {
			problems = append(problems, "apiKey is not the account's")
		}
		if !strings.HasPrefix(ev.RetrievalURL, "http://127.0.0.1:9000/recmock-recordings/"+ev.MeetingID+".mp4?") {
			problems = append(problems, "retrievalUrl is not for the default bucket")
		}
		body, _ := json.Marshal(ev)
		if err := v.ValidateSchema("RecordingCompletedEvent", body); err != nil {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			t.Errorf("event %+v:\n  %s", ev, strings.Join(problems, "\n  "))
		}
	}
	if len(participants) < 10 {
		t.Errorf("participants took only %d distinct values over 500 events", len(participants))
	}
}

func TestNewEvent_Overrides(t *testing.T) {
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 30, 9, 42, 17, 0, time.UTC)
	tests := []struct {
		name  string
		o     recmock.RecordingOverrides
		check func(ev recmock.RecordingEvent) string // "" when fine
		want  []recmock.FieldError                   // nil: valid
	}{
		{
			name: "every field",
			o: recmock.RecordingOverrides{
				MeetingID: ptr("m-1"), RoomID: ptr("weekly-standup"), Participants: ptr(4),
				StartTime: ptr(start), EndTime: ptr(end), UnixTime: ptr(end.Unix() + 60),
			},
			check: func(ev recmock.RecordingEvent) string {
				want := recmock.RecordingEvent{MeetingID: "m-1", APIKey: "demo-key", UnixTime: end.Unix() + 60, RoomID: "weekly-standup", Participants: 4, StartTime: start, EndTime: end}
				ev.RetrievalURL = ""
				return cmp.Diff(want, ev)
			},
		},
		{
			name: "times in another zone with fractions become whole UTC seconds",
			o:    recmock.RecordingOverrides{StartTime: ptr(start.In(time.FixedZone("SGT", 8*3600)).Add(300 * time.Millisecond)), EndTime: ptr(end)},
			check: func(ev recmock.RecordingEvent) string {
				return cmp.Diff([]time.Time{start, end}, []time.Time{ev.StartTime, ev.EndTime})
			},
		},
		{
			name: "startTime alone: the call starts then",
			o:    recmock.RecordingOverrides{StartTime: ptr(start)},
			check: func(ev recmock.RecordingEvent) string {
				if !ev.StartTime.Equal(start) || !ev.EndTime.After(start) || ev.UnixTime < ev.EndTime.Unix() {
					return "times out of order"
				}
				return ""
			},
		},
		{
			name: "endTime alone: the call ends then",
			o:    recmock.RecordingOverrides{EndTime: ptr(end)},
			check: func(ev recmock.RecordingEvent) string {
				if !ev.EndTime.Equal(end) || !ev.StartTime.Before(end) || ev.UnixTime <= end.Unix() {
					return "times out of order"
				}
				return ""
			},
		},
		{
			name: "unixTime alone: mixing completes then",
			o:    recmock.RecordingOverrides{UnixTime: ptr(int64(1764460800))},
			check: func(ev recmock.RecordingEvent) string {
				if ev.UnixTime != 1764460800 || ev.EndTime.Unix() >= 1764460800 || !ev.StartTime.Before(ev.EndTime) {
					return "times out of order"
				}
				return ""
			},
		},
		{
			name: "participants 0",
			o:    recmock.RecordingOverrides{Participants: ptr(0)},
			want: []recmock.FieldError{{Field: "participants", Message: "must be between 1 and 10000"}},
		},
		{
			name: "participants 10001",
			o:    recmock.RecordingOverrides{Participants: ptr(10001)},
			want: []recmock.FieldError{{Field: "participants", Message: "must be between 1 and 10000"}},
		},
		{
			name: "start after end",
			o:    recmock.RecordingOverrides{StartTime: ptr(end), EndTime: ptr(start)},
			want: []recmock.FieldError{{Field: "startTime", Message: "must be before endTime (2026-11-30T09:00:00Z)"}},
		},
		{
			name: "start equal to end",
			o:    recmock.RecordingOverrides{StartTime: ptr(start), EndTime: ptr(start)},
			want: []recmock.FieldError{{Field: "startTime", Message: "must be before endTime (2026-11-30T09:00:00Z)"}},
		},
		{
			name: "unixTime before the end",
			o:    recmock.RecordingOverrides{EndTime: ptr(end), UnixTime: ptr(end.Unix() - 1)},
			want: []recmock.FieldError{{Field: "unixTime", Message: "must not be before endTime (1796031737): mixing completes after the call ends"}},
		},
		{
			name: "unixTime negative",
			o:    recmock.RecordingOverrides{UnixTime: ptr(int64(-1))},
			want: []recmock.FieldError{{Field: "unixTime", Message: "must be between 0 and 253402300799 (9999-12-31T23:59:59Z)"}},
		},
		{
			name: "a line break would forge an e-mail header",
			o:    recmock.RecordingOverrides{MeetingID: ptr("m-1\r\nBcc: someone@example.com"), RoomID: ptr("room\x00")},
			want: []recmock.FieldError{
				{Field: "meetingId", Message: "must not contain control characters"},
				{Field: "roomId", Message: "must not contain control characters"},
			},
		},
		{
			name: "empty ids, too long a room, all reported",
			o:    recmock.RecordingOverrides{MeetingID: ptr(""), RoomID: ptr(strings.Repeat("r", 257))},
			want: []recmock.FieldError{
				{Field: "meetingId", Message: "must not be empty"},
				{Field: "roomId", Message: "must be at most 256 characters long"},
			},
		},
		{
			// openapi.yaml's maxLength counts characters: 256 of them in 768 bytes fit.
			name: "256 characters of three bytes each",
			o:    recmock.RecordingOverrides{RoomID: ptr(strings.Repeat("会", 256))},
			check: func(ev recmock.RecordingEvent) string {
				if ev.RoomID != strings.Repeat("会", 256) {
					return "roomId not kept"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := seeded(t, 1)
			ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, tt.o)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("NewEvent: %v", err)
				}
				if msg := tt.check(ev); msg != "" {
					t.Errorf("event %+v: %s", ev, msg)
				}
				return
			}
			var e *recmock.Error
			if !errors.As(err, &e) || e.Code != recmock.CodeInvalid {
				t.Fatalf("err = %v, want a CodeInvalid *recmock.Error", err)
			}
			if diff := cmp.Diff(tt.want, e.Fields); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewEvent_OverrideKeepsSequence checks that overriding one field leaves the other
// fields of a seeded sequence as they were.
func TestNewEvent_OverrideKeepsSequence(t *testing.T) {
	plain := events(t, seeded(t, 3), 3)
	sim := seeded(t, 3)
	for i := range 3 {
		ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{RoomID: ptr("fixed")})
		if err != nil {
			t.Fatal(err)
		}
		want := plain[i]
		want.RoomID = "fixed"
		if diff := cmp.Diff(want, ev); diff != "" {
			t.Errorf("event %d mismatch (-want +got):\n%s", i, diff)
		}
	}
}

// TestNewEvent_RetrievalURL checks the URL points where the settings upload to.
func TestNewEvent_RetrievalURL(t *testing.T) {
	sim, _ := newSimulator(t, simulator.Config{S3Endpoint: "http://s3.test:9000", Now: fixedClock, PresignTTL: 2 * time.Hour})
	tests := []struct {
		name     string
		settings recmock.Settings
		prefix   string
	}{
		{"default bucket", recmock.Settings{}, "http://s3.test:9000/recmock-recordings/m-1.mp4?"},
		{"ARN with a prefix", recmock.Settings{S3: &recmock.S3Settings{ARN: "arn:aws:s3:region::folder_name/objectpath", AccessKeyID: "AKID", SecretAccessKey: "s"}}, "http://s3.test:9000/folder_name/objectpath/m-1.mp4?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := sim.NewEvent(recmock.DefaultAccount(), tt.settings, recmock.RecordingOverrides{MeetingID: ptr("m-1")})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ev.RetrievalURL, tt.prefix) {
				t.Errorf("retrievalUrl = %s, want it to start %s", ev.RetrievalURL, tt.prefix)
			}
			for _, q := range []string{"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Date=20261130T100000Z", "X-Amz-Expires=7200", "X-Amz-Signature="} {
				if !strings.Contains(ev.RetrievalURL, q) {
					t.Errorf("retrievalUrl = %s, want %s in it", ev.RetrievalURL, q)
				}
			}
		})
	}
}
