package simulator

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/recmock/recmock"
)

// MaxParticipants is the largest participants override NewEvent accepts, as in openapi.yaml's
// RecordingRequest. The large-values variant goes beyond it on purpose.
const MaxParticipants = 10000

// maxIDLen bounds the meetingId and roomId overrides; longer strings belong to the
// large-values variant, not to events recmock claims are valid.
const maxIDLen = 256

// maxUnixTime is 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
const maxUnixTime = 253402300799

// Room names are built from a team and a kind of meeting, as people name rooms.
var (
	roomTeams = []string{
		"platform", "design", "sales", "support", "marketing", "finance", "mobile", "infra",
		"data", "legal", "growth", "security", "hr", "product", "qa", "partners",
	}
	roomKinds = []string{
		"standup", "weekly-sync", "retro", "planning", "review", "demo", "all-hands",
		"interview", "onboarding", "office-hours", "incident-call", "1on1", "kickoff", "training",
	}
)

// draw holds every random value one event needs. They are all drawn, overridden or not, so
// that an override changes only its own field and the rest of a seeded sequence stays put.
type draw struct {
	meetingID    string
	room         string
	participants int
	duration     time.Duration // of the call
	mixing       time.Duration // from the call's end to mixing completion
}

func newDraw(r *rand.Rand) draw {
	var d draw
	d.meetingID = uuid4(r)
	d.room = roomTeams[r.IntN(len(roomTeams))] + "-" + roomKinds[r.IntN(len(roomKinds))]
	if r.IntN(3) == 0 {
		// Some rooms carry a number, as recurring or ticketed meetings do.
		d.room += fmt.Sprintf("-%d", 1+r.IntN(999))
	}
	// Small calls are the common case: |a-b| over 0..11 leans towards 0, so 1..12 leans
	// towards 1.
	d.participants = 1 + abs(r.IntN(12)-r.IntN(12))
	d.duration = time.Duration(120+r.IntN(90*60)) * time.Second // 2 min to 92 min
	d.mixing = time.Duration(5+r.IntN(175)) * time.Second       // 5 s to 3 min
	return d
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// uuid4 formats 16 random bytes as an RFC 4122 version 4 UUID.
func uuid4(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// checkID says what is wrong with a meetingId or roomId override. Control characters are
// refused because both end up in e-mail headers, where a line break would forge a header.
func checkID(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxIDLen: // characters, as openapi.yaml's maxLength counts
		return fmt.Sprintf("must be at most %d characters long", maxIDLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// buildEvent applies the overrides to a draw. The call ends mixing-time before now unless a
// time is given; given times anchor the others: an endTime or unixTime fixes the end, a
// startTime alone fixes the start. Every override is checked, and every broken rule reported.
func buildEvent(d draw, now time.Time, apiKey string, o recmock.RecordingOverrides) (recmock.RecordingEvent, error) {
	ev := recmock.RecordingEvent{
		MeetingID:    d.meetingID,
		APIKey:       apiKey,
		RoomID:       d.room,
		Participants: d.participants,
	}
	var errs []recmock.FieldError
	bad := func(field, msg string, args ...any) {
		errs = append(errs, recmock.FieldError{Field: field, Message: fmt.Sprintf(msg, args...)})
	}
	if o.MeetingID != nil {
		ev.MeetingID = *o.MeetingID
		if msg := checkID(ev.MeetingID); msg != "" {
			bad("meetingId", "%s", msg)
		}
	}
	if o.RoomID != nil {
		ev.RoomID = *o.RoomID
		if msg := checkID(ev.RoomID); msg != "" {
			bad("roomId", "%s", msg)
		}
	}
	if o.Participants != nil {
		ev.Participants = *o.Participants
		if ev.Participants < 1 || ev.Participants > MaxParticipants {
			bad("participants", "must be between 1 and %d", MaxParticipants)
		}
	}
	if apiKey == "" {
		bad("apiKey", "must not be empty: the account has no apiKey")
	}
	if o.UnixTime != nil && (*o.UnixTime < 0 || *o.UnixTime > maxUnixTime) {
		bad("unixTime", "must be between 0 and %d (9999-12-31T23:59:59Z)", maxUnixTime)
	}

	// Whole seconds in UTC, as the payload carries them.
	sec := func(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
	var end time.Time
	switch {
	case o.EndTime != nil:
		end = sec(*o.EndTime)
	case o.UnixTime != nil && *o.UnixTime >= 0 && *o.UnixTime <= maxUnixTime:
		end = time.Unix(*o.UnixTime, 0).UTC().Add(-d.mixing)
	case o.StartTime != nil:
		end = sec(*o.StartTime).Add(d.duration)
	default:
		end = sec(now).Add(-d.mixing)
	}
	start := end.Add(-d.duration)
	if o.StartTime != nil {
		start = sec(*o.StartTime)
	}
	ev.StartTime, ev.EndTime = start, end
	ev.UnixTime = end.Add(d.mixing).Unix()
	if o.UnixTime != nil {
		ev.UnixTime = *o.UnixTime
	}
	if !start.Before(end) {
		bad("startTime", "must be before endTime (%s)", end.Format(time.RFC3339))
	}
	if start.Unix() < 0 {
		bad("startTime", "must not be before 1970-01-01T00:00:00Z")
	}
	if end.Unix() > maxUnixTime {
		bad("endTime", "must not be after 9999-12-31T23:59:59Z")
	}
	if ev.UnixTime >= 0 && ev.UnixTime <= maxUnixTime && ev.UnixTime < end.Unix() {
		bad("unixTime", "must not be before endTime (%d): mixing completes after the call ends", end.Unix())
	}
	if len(errs) > 0 {
		return recmock.RecordingEvent{}, recmock.Invalid(errs...)
	}
	return ev, nil
}
