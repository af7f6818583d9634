package mock_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
)

// TestStores runs the same contract against every Store implementation.
func TestStores(t *testing.T) {
	stores := map[string]func(t *testing.T) mock.Store{
		"memory": func(*testing.T) mock.Store { return mock.NewMemoryStore() },
		"bolt": func(t *testing.T) mock.Store {
			s, err := mock.OpenBoltStore(filepath.Join(t.TempDir(), "settings.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	ctx := context.Background()
	alice := recmock.Settings{Username: "alice", Notify: true, URL: "https://a.example", Email: []string{"a@a.example"}, S3: &recmock.S3Settings{ARN: "arn:aws:s3:::b", AccessKeyID: "K", SecretAccessKey: "S"}}
	bob := recmock.Settings{Username: "bob", Email: []string{}}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			if _, err := s.Get(ctx, "alice"); !errors.Is(err, mock.ErrNotFound) {
				t.Errorf("Get on empty store: %v, want ErrNotFound", err)
			}
			if err := s.Replace(ctx, alice); !errors.Is(err, mock.ErrNotFound) {
				t.Errorf("Replace of missing: %v, want ErrNotFound", err)
			}
			if err := s.Create(ctx, alice); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, alice); !errors.Is(err, mock.ErrExists) {
				t.Errorf("second Create: %v, want ErrExists", err)
			}
			got, err := s.Get(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(alice, got); diff != "" {
				t.Errorf("Get (-want +got):\n%s", diff)
			}
			// Callers cannot change what the store holds through what it returned.
			got.Email[0], got.S3.SecretAccessKey = "x@y.example", "changed"
			if again, _ := s.Get(ctx, "alice"); !cmp.Equal(alice, again) {
				t.Errorf("the store shares memory with its callers: %+v", again)
			}
			if err := s.Put(ctx, bob); err != nil {
				t.Fatal(err)
			}
			changed := alice
			changed.Notify = false
			if err := s.Replace(ctx, changed); err != nil {
				t.Fatal(err)
			}
			list, err := s.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]recmock.Settings{changed, bob}, list); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			if err := s.Delete(ctx, "bob"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "bob"); !errors.Is(err, mock.ErrNotFound) {
				t.Errorf("second Delete: %v, want ErrNotFound", err)
			}
			if err := s.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if list, _ := s.List(ctx); len(list) != 0 {
				t.Errorf("after Reset: %+v", list)
			}
		})
	}
}

func TestBoltStoreSurvivesReopen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "settings.db")
	s, err := mock.OpenBoltStore(file)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, mock.Config{Store: s})
	c.mustDo(req{Method: "POST", Body: `{"notify":true,"email":"a@b.com; c@d.com"}`})
	want := data(t, c.mustDo(req{}).Body)

	if _, err := mock.OpenBoltStore(file); !errors.Is(err, mock.ErrLocked) {
		t.Errorf("second open of a held file: %v, want ErrLocked", err)
	}
	if err := c.srv.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := mock.OpenBoltStore(file)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, mock.Config{Store: s2})
	if diff := cmp.Diff(want, data(t, c2.mustDo(req{}).Body)); diff != "" {
		t.Errorf("settings after reopen (-want +got):\n%s", diff)
	}
}
