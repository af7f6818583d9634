package simulator

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/recmock/recmock"
)

// Variant alters what Fire sends, to check that a webhook receiver copes with what real
// senders do. The zero Variant sends each event once, as it is.
type Variant string

// The variants; the package documentation says what a careful receiver does with each.
const (
	VariantNone          Variant = ""
	VariantDuplicate     Variant = "duplicate"
	VariantMissingFields Variant = "missing-fields"
	VariantWrongTypes    Variant = "wrong-types"
	VariantExtraFields   Variant = "extra-fields"
	VariantLargeValues   Variant = "large-values"
)

// VariantInfo describes a variant for help texts.
type VariantInfo struct {
	Variant Variant
	Sends   string // what is sent
	Careful string // what a careful receiver does
}

// Variants lists the variants with their documentation, in the order help shows them.
func Variants() []VariantInfo {
	return []VariantInfo{
		{VariantDuplicate, "every event twice, one delivery after the other, byte for byte the same (same meetingId)",
			"answer 2xx both times and act once: key on meetingId, since retries make duplicates normal"},
		{VariantMissingFields, "events with one to three required fields left out",
			"answer 4xx (400 or 422) naming what is missing, or 2xx and drop it; never 5xx, which only earns retries"},
		{VariantWrongTypes, "events with one to three fields of the wrong JSON type (unixTime as a string, participants as \"4\", a time as a number, ...)",
			"answer 4xx without crashing, or 2xx and drop it; never 5xx, and do not coerce silently into wrong values"},
		{VariantExtraFields, "valid events with fields the spec does not name (objects, arrays, nulls)",
			"ignore unknown fields and answer 2xx: the payload may grow"},
		{VariantLargeValues, fmt.Sprintf("valid events with very large values: a %d KiB roomId, a 4 KiB meetingId, participants 2^31, unixTime in year 9999", largeRoomBytes>>10),
			"bound the body it reads and answer 2xx or 413/400 deliberately; never crash, time out or overflow an int32"},
	}
}

// ParseVariant accepts a variant's name; "" and "none" are VariantNone.
func ParseVariant(s string) (Variant, error) {
	if s == "" || s == "none" {
		return VariantNone, nil
	}
	names := make([]string, 0, 5)
	for _, v := range Variants() {
		if string(v.Variant) == s {
			return v.Variant, nil
		}
		names = append(names, string(v.Variant))
	}
	return "", fmt.Errorf("simulator: unknown variant %q; want one of %s", s, strings.Join(names, ", "))
}

// Handles reports whether a delivery's final HTTP status (0 for no answer) is what a careful
// receiver answers to this variant: 2xx for events it must accept, 2xx or a 4xx other than
// 429 for events it may refuse.
func (v Variant) Handles(status int) bool {
	if status >= 200 && status < 300 {
		return true
	}
	switch v {
	case VariantMissingFields, VariantWrongTypes, VariantLargeValues:
		return status >= 400 && status < 500 && status != 429
	}
	return false
}

// Sizes of the large-values variant.
const (
	largeRoomBytes    = 256 << 10
	largeMeetingBytes = 4 << 10
)

// field is one member of a JSON object, kept in order so bodies read like the real payload.
type field struct {
	name  string
	value any
}

func eventFields(ev recmock.RecordingEvent) []field {
	return []field{
		{"meetingId", ev.MeetingID},
		{"apiKey", ev.APIKey},
		{"unixTime", ev.UnixTime},
		{"roomId", ev.RoomID},
		{"participants", ev.Participants},
		{"startTime", ev.StartTime.Format("2006-01-02T15:04:05Z07:00")},
		{"endTime", ev.EndTime.Format("2006-01-02T15:04:05Z07:00")},
		{"retrievalUrl", ev.RetrievalURL},
	}
}

func object(fs []field) ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(f.name)
		v, err := marshal(f.value)
		if err != nil {
			return nil, fmt.Errorf("simulator: encode %s: %w", f.name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// eventRand seeds a variant's choices from the event itself, so the same event is always
// altered the same way, whatever the concurrency.
func eventRand(ev recmock.RecordingEvent) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(ev.MeetingID))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(ev.UnixTime)))
}

// Bodies returns what the variant POSTs for ev: one body, or two for VariantDuplicate.
func (v Variant) Bodies(ev recmock.RecordingEvent) ([][]byte, error) {
	fs := eventFields(ev)
	switch v {
	case VariantNone, VariantDuplicate:
		b, err := MarshalEvent(ev)
		if err != nil {
			return nil, err
		}
		if v == VariantDuplicate {
			return [][]byte{b, b}, nil
		}
		return [][]byte{b}, nil
	case VariantMissingFields:
		r := eventRand(ev)
		drop := 1 + r.IntN(3)
		r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		kept := fs[drop:]
		// Back in the payload's order, so only the gaps differ.
		order := map[string]int{}
		for i, f := range eventFields(ev) {
			order[f.name] = i
		}
		slices.SortFunc(kept, func(a, b field) int { return cmp.Compare(order[a.name], order[b.name]) })
		return one(object(kept))
	case VariantWrongTypes:
		r := eventRand(ev)
		idx := r.Perm(len(fs))[:1+r.IntN(3)]
		for _, i := range idx {
			fs[i].value = wrongType(fs[i].name, ev)
		}
		return one(object(fs))
	case VariantExtraFields:
		fs = append(fs,
			field{"recordingId", "rec-" + ev.MeetingID},
			field{"region", "ap-southeast-1"},
			field{"format", "mp4"},
			field{"sizeBytes", 19826},
			field{"mixer", map[string]any{"name": "recmock", "version": 2, "layout": []string{"grid", "speaker"}}},
			field{"peers", []map[string]any{{"id": "peer-1", "name": "Ada"}, {"id": "peer-2", "name": "Grace"}}},
			field{"deprecated", nil},
		)
		return one(object(fs))
	case VariantLargeValues:
		room := strings.Repeat("🎥 large-room ", largeRoomBytes/len("🎥 large-room "))
		set(fs, "roomId", room)
		set(fs, "meetingId", strings.Repeat(ev.MeetingID+"-", largeMeetingBytes/(len(ev.MeetingID)+1)))
		set(fs, "participants", int64(1)<<31)
		set(fs, "unixTime", int64(maxUnixTime))
		return one(object(fs))
	}
	return nil, fmt.Errorf("simulator: unknown variant %q", string(v))
}

func one(b []byte, err error) ([][]byte, error) {
	if err != nil {
		return nil, err
	}
	return [][]byte{b}, nil
}

func set(fs []field, name string, v any) {
	for i := range fs {
		if fs[i].name == name {
			fs[i].value = v
		}
	}
}

// wrongType is a plausible mistake for each field: the right value in the wrong JSON type.
func wrongType(name string, ev recmock.RecordingEvent) any {
	switch name {
	case "meetingId":
		return 12345
	case "apiKey":
		return nil
	case "unixTime":
		return fmt.Sprint(ev.UnixTime)
	case "roomId":
		return []string{ev.RoomID}
	case "participants":
		return fmt.Sprint(ev.Participants)
	case "startTime":
		return ev.StartTime.Unix()
	case "endTime":
		return map[string]any{"seconds": ev.EndTime.Unix()}
	case "retrievalUrl":
		return false
	}
	return nil
}
