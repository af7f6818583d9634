package mock_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/internal/settingstest"
	"github.com/recmock/recmock/mock"
)

// TestEveryFieldGoesOverTheWire runs over every field of recmock.Settings: what POST stores,
// GET and the admin API answer whole, and the journal shows every field but the secrets. A
// field added to Settings and forgotten by the encoder, the store or the redaction fails here.
func TestEveryFieldGoesOverTheWire(t *testing.T) {
	want := settingstest.Full(t)
	body, err := json.Marshal(want.Input())
	if err != nil {
		t.Fatal(err)
	}
	for _, store := range []struct {
		name string
		cfg  mock.Config
	}{{"memory", mock.Config{}}, {"bbolt", mock.Config{Store: boltStore(t)}}} {
		t.Run(store.name, func(t *testing.T) {
			c := newClient(t, store.cfg)
			posted := data(t, c.mustDo(req{Method: "POST", Body: string(body)}).Body)
			got := data(t, c.mustDo(req{}).Body)
			for what, got := range map[string]any{"POST": posted, "GET": got} {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s answers other settings than were sent (-want +got):\n%s", what, diff)
				}
			}
			journal := string(c.mustDo(req{Path: "/_admin/requests"}).Body)
			for _, f := range settingstest.Fields() {
				sample := fmt.Sprint(f.Sample)
				if s, ok := f.Sample.([]string); ok {
					sample = s[0]
				}
				enc, _ := json.Marshal(sample)
				// The journal holds bodies as JSON strings, so the sample is escaped twice.
				twice, _ := json.Marshal(string(enc[1 : len(enc)-1]))
				if shown := strings.Contains(journal, string(twice[1:len(twice)-1])); shown == f.Secret {
					t.Errorf("journal: %s shown %v, want %v:\n%s", f.Path, shown, !f.Secret, journal)
				}
			}
		})
	}
}
