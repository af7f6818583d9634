package contract_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/contract"
	"github.com/recmock/recmock/internal/settingstest"
)

// TestRestoreKeepsEveryField runs over every field of recmock.Settings: an account whose
// settings have every field set gets them back byte for byte after a run that overwrote
// them, and no report shows a secret field's value. A field added to Settings and forgotten
// by the restore fails here.
func TestRestoreKeepsEveryField(t *testing.T) {
	full := settingstest.Full(t)
	_, base := newMock(t, &full, nil)
	want := getRaw(t, base)
	rep, err := contract.Run(context.Background(), config(base, true), []contract.Check{overwrite("test.overwrites", nil)})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.Restore == nil || !rep.Restore.OK {
		t.Fatalf("Restore = %+v, want OK", rep.Restore)
	}
	if diff := cmp.Diff(want, getRaw(t, base)); diff != "" {
		t.Errorf("settings after the run (-want +got):\n%s", diff)
	}
	var text, js, junit strings.Builder
	for _, w := range []error{contract.WriteText(&text, rep), contract.WriteJSON(&js, rep), contract.WriteJUnit(&junit, rep)} {
		if w != nil {
			t.Fatal(w)
		}
	}
	all := text.String() + js.String() + junit.String()
	for _, f := range settingstest.Fields() {
		if sample := fmt.Sprint(f.Sample); f.Secret && strings.Contains(all, sample) {
			t.Errorf("a report shows the secret %s:\n%s", f.Path, all)
		}
	}
}
