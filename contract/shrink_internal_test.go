package contract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSimplerStrings: an address list shrinks by halves, quarters and single addresses, the
// separators of the rest kept as they were.
func TestSimplerStrings(t *testing.T) {
	got := simplerStrings(" a@x.io,\tb@x.io ;c@x.io d@x.io;")
	want := []string{
		"",
		" a@x.io,\tb@x.io",
		" c@x.io d@x.io;", " a@x.io,\tb@x.io;",
		" b@x.io ;c@x.io d@x.io;", " a@x.io,\tc@x.io d@x.io;", " a@x.io,\tb@x.io ;d@x.io;", " a@x.io,\tb@x.io ;c@x.io;",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("simplerStrings mismatch (-want +got):\n%s", diff)
	}
}
