// Package storetest is the conformance suite of recmock's state: every mock.Store, mock.Journal
// and simulator.DeliveryLog — in memory, bbolt, PostgreSQL — runs the same table of tests, so
// a behaviour one implementation has and another lacks shows up as a failure of the latter.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/settingstest"
	"github.com/recmock/recmock/mock"
)

// Concurrency is how many goroutines the concurrent cases run.
const Concurrency = 50

// Store runs the suite against the stores open returns: a new, empty one per case, which
// open closes with t.Cleanup.
func Store(t *testing.T, open func(t *testing.T) mock.Store) {
	suite[mock.Store]{
		{"lifecycle", storeLifecycle},
		{"every field survives", storeEveryField},
		{"odd characters survive", storeOddCharacters},
		{"no email comes back empty, not null", storeNilEmail},
		{"callers cannot change what the store holds", storeNoSharing},
		{"list is sorted by username, byte by byte", storeListOrder},
		{"reset forgets, and the store works on", storeReset},
		{"concurrent creates: exactly one wins", storeConcurrentCreate},
		{"concurrent puts: one of them stands", storeConcurrentPut},
		{"concurrent replaces of a missing account all fail", storeConcurrentReplaceMissing},
		{"concurrent writers of different accounts all land", storeConcurrentAccounts},
	}.run(t, open)
}

// suite is a table of named cases, each run as a subtest on what prepare gives it.
type suite[T any] []struct {
	name string
	run  func(*testing.T, T)
}

func (s suite[T]) run(t *testing.T, prepare func(*testing.T) T) {
	for _, c := range s {
		t.Run(c.name, func(t *testing.T) { c.run(t, prepare(t)) })
	}
}

func mustGet(t *testing.T, s mock.Store, username string) recmock.Settings {
	t.Helper()
	got, err := s.Get(t.Context(), username)
	if err != nil {
		t.Fatalf("Get %q: %v", username, err)
	}
	return got
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

func storeLifecycle(t *testing.T, s mock.Store) {
	ctx := t.Context()
	alice := recmock.Settings{Username: "alice", Notify: true, URL: "https://a.example", Email: []string{"a@a.example"}, S3: &recmock.S3Settings{ARN: "arn:aws:s3:::b", AccessKeyID: "K", SecretAccessKey: "S"}}
	bob := recmock.Settings{Username: "bob", Email: []string{}}
	_, err := s.Get(ctx, "alice")
	wantErr(t, "Get on an empty store", err, mock.ErrNotFound)
	wantErr(t, "Replace of a missing account", s.Replace(ctx, alice), mock.ErrNotFound)
	wantErr(t, "Delete of a missing account", s.Delete(ctx, "alice"), mock.ErrNotFound)
	must(t, "Create", s.Create(ctx, alice))
	wantErr(t, "second Create", s.Create(ctx, alice), mock.ErrExists)
	if diff := cmp.Diff(alice, mustGet(t, s, "alice")); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	must(t, "Put of a new account", s.Put(ctx, bob))
	changed := alice
	changed.Notify, changed.S3 = false, nil
	must(t, "Replace", s.Replace(ctx, changed))
	list, err := s.List(ctx)
	must(t, "List", err)
	if diff := cmp.Diff([]recmock.Settings{changed, bob}, list); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
	bob.Notify = true
	must(t, "Put over an account", s.Put(ctx, bob))
	if diff := cmp.Diff(bob, mustGet(t, s, "bob")); diff != "" {
		t.Errorf("Get after Put mismatch (-want +got):\n%s", diff)
	}
	must(t, "Delete", s.Delete(ctx, "bob"))
	wantErr(t, "second Delete", s.Delete(ctx, "bob"), mock.ErrNotFound)
	_, err = s.Get(ctx, "bob")
	wantErr(t, "Get after Delete", err, mock.ErrNotFound)
	must(t, "Create after Delete", s.Create(ctx, bob))
}

// storeEveryField writes settings with every field of recmock.Settings set, by every write
// method, and reads them back by both read methods.
func storeEveryField(t *testing.T, s mock.Store) {
	ctx := t.Context()
	full := settingstest.Full(t)
	for _, w := range []struct {
		name  string
		write func(context.Context, recmock.Settings) error
	}{{"Create", s.Create}, {"Replace", s.Replace}, {"Put", s.Put}} {
		must(t, w.name, w.write(ctx, full))
		if diff := cmp.Diff(full, mustGet(t, s, full.Username)); diff != "" {
			t.Errorf("Get after %s mismatch (-want +got):\n%s", w.name, diff)
		}
		list, err := s.List(ctx)
		must(t, "List", err)
		if diff := cmp.Diff([]recmock.Settings{full}, list); diff != "" {
			t.Errorf("List after %s mismatch (-want +got):\n%s", w.name, diff)
		}
	}
}

// odd are strings a store's encoding could mangle: quotes and backslashes, NUL and other
// control characters, characters outside the BMP, JSON's line separators, HTML.
var odd = []string{"\"quoted\" \\back\\slash", "nul\x00byte\x01\x1f", "emoji 😀 and 𝄞", "sep\u2028\u2029", "<script>&amp;</script>", "  spaced  ", ""}

func storeOddCharacters(t *testing.T, s mock.Store) {
	for i, v := range odd {
		want := recmock.Settings{Username: fmt.Sprintf("odd-%d-ü", i), URL: v, Email: []string{v, v + "2"}, S3: &recmock.S3Settings{ARN: v, AccessKeyID: v, SecretAccessKey: v}}
		must(t, "Put", s.Put(t.Context(), want))
		if diff := cmp.Diff(want, mustGet(t, s, want.Username)); diff != "" {
			t.Errorf("%q mismatch (-want +got):\n%s", v, diff)
		}
	}
}

// storeNilEmail: the API answers "email": [] for settings without addresses, never null.
func storeNilEmail(t *testing.T, s mock.Store) {
	must(t, "Create", s.Create(t.Context(), recmock.Settings{Username: "u"}))
	if got := mustGet(t, s, "u"); got.Email == nil {
		t.Error("Get answers a nil Email, want an empty one")
	}
	list, err := s.List(t.Context())
	must(t, "List", err)
	if len(list) != 1 || list[0].Email == nil {
		t.Errorf("List = %+v, want one entry with an empty, non-nil Email", list)
	}
}

func storeNoSharing(t *testing.T, s mock.Store) {
	want := settingstest.Full(t)
	written := settingstest.Full(t)
	must(t, "Create", s.Create(t.Context(), written))
	written.Email[0], written.S3.SecretAccessKey = "changed@after.write", "changed"
	got := mustGet(t, s, want.Username)
	got.Email[0], got.S3.SecretAccessKey = "changed@after.read", "changed"
	list, err := s.List(t.Context())
	must(t, "List", err)
	list[0].Email[0] = "changed@after.list"
	if diff := cmp.Diff(want, mustGet(t, s, want.Username)); diff != "" {
		t.Errorf("the store shares memory with its callers (-want +got):\n%s", diff)
	}
}

func storeListOrder(t *testing.T, s mock.Store) {
	names := []string{"b", "B", "a", "_x", "é", "a-b", "ab", "A", "z", "10", "9"}
	for _, n := range names {
		must(t, "Put", s.Put(t.Context(), recmock.Settings{Username: n, Email: []string{}}))
	}
	list, err := s.List(t.Context())
	must(t, "List", err)
	var got []string
	for _, st := range list {
		got = append(got, st.Username)
	}
	want := slices.Sorted(slices.Values(names))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List order mismatch (-want +got):\n%s", diff)
	}
}

func storeReset(t *testing.T, s mock.Store) {
	ctx := t.Context()
	for _, n := range []string{"a", "b", "c"} {
		must(t, "Create", s.Create(ctx, recmock.Settings{Username: n, Email: []string{}}))
	}
	must(t, "Reset", s.Reset(ctx))
	must(t, "Reset of an empty store", s.Reset(ctx))
	list, err := s.List(ctx)
	must(t, "List", err)
	if len(list) != 0 {
		t.Errorf("after Reset, List = %+v", list)
	}
	_, err = s.Get(ctx, "a")
	wantErr(t, "Get after Reset", err, mock.ErrNotFound)
	must(t, "Create after Reset", s.Create(ctx, recmock.Settings{Username: "a", Email: []string{}}))
}

// parallel runs f(i) for i in [0, Concurrency) at once and returns their errors by i.
func parallel(f func(i int) error) []error {
	errs := make([]error, Concurrency)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range Concurrency {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func variant(i int) recmock.Settings {
	return recmock.Settings{Username: "racer", Notify: i%2 == 0, URL: fmt.Sprintf("https://hooks.example/%d", i), Email: []string{}}
}

func storeConcurrentCreate(t *testing.T, s mock.Store) {
	errs := parallel(func(i int) error { return s.Create(t.Context(), variant(i)) })
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("Creates %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, mock.ErrExists):
			t.Errorf("Create %d: %v, want ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no Create succeeded")
	}
	if diff := cmp.Diff(variant(winner), mustGet(t, s, "racer")); diff != "" {
		t.Errorf("the store holds another Create's settings than the winner's (-want +got):\n%s", diff)
	}
}

func storeConcurrentPut(t *testing.T, s mock.Store) {
	for i, err := range parallel(func(i int) error { return s.Put(t.Context(), variant(i)) }) {
		must(t, fmt.Sprint("Put ", i), err)
	}
	got := mustGet(t, s, "racer")
	for i := range Concurrency {
		if cmp.Equal(variant(i), got) {
			return
		}
	}
	t.Errorf("after concurrent Puts the store holds %+v, which no Put wrote", got)
}

func storeConcurrentReplaceMissing(t *testing.T, s mock.Store) {
	for i, err := range parallel(func(i int) error { return s.Replace(t.Context(), variant(i)) }) {
		wantErr(t, fmt.Sprint("Replace ", i), err, mock.ErrNotFound)
	}
	_, err := s.Get(t.Context(), "racer")
	wantErr(t, "Get after failed Replaces", err, mock.ErrNotFound)
}

// storeConcurrentAccounts has each goroutine create, replace and read its own account: what
// a group commit batches together must still land for each writer.
func storeConcurrentAccounts(t *testing.T, s mock.Store) {
	ctx := t.Context()
	settings := func(i int, notify bool) recmock.Settings {
		return recmock.Settings{Username: fmt.Sprintf("user-%02d", i), Notify: notify, Email: []string{}}
	}
	errs := parallel(func(i int) error {
		if err := s.Create(ctx, settings(i, false)); err != nil {
			return err
		}
		if err := s.Create(ctx, settings(i, true)); !errors.Is(err, mock.ErrExists) {
			return fmt.Errorf("second Create: %v, want ErrExists", err)
		}
		if err := s.Replace(ctx, settings(i, true)); err != nil {
			return err
		}
		got, err := s.Get(ctx, settings(i, true).Username)
		if err != nil {
			return err
		}
		if !got.Notify {
			return fmt.Errorf("after Replace, Get answers %+v", got)
		}
		return nil
	})
	for i, err := range errs {
		must(t, fmt.Sprint("writer ", i), err)
	}
	list, err := s.List(ctx)
	must(t, "List", err)
	want := make([]recmock.Settings, Concurrency)
	for i := range want {
		want[i] = settings(i, true)
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
}
