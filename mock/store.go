package mock

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"

	"github.com/recmock/recmock"
)

// Store errors, matched with errors.Is.
var (
	ErrNotFound = errors.New("mock: settings not found")
	ErrExists   = errors.New("mock: settings already exist")
)

// Store keeps each account's notification settings, keyed by username. Implementations are
// safe for concurrent use.
type Store interface {
	// Get returns the account's settings or ErrNotFound.
	Get(ctx context.Context, username string) (recmock.Settings, error)
	// Create stores new settings, or fails with ErrExists.
	Create(ctx context.Context, s recmock.Settings) error
	// Replace overwrites existing settings, or fails with ErrNotFound.
	Replace(ctx context.Context, s recmock.Settings) error
	// Put creates or replaces.
	Put(ctx context.Context, s recmock.Settings) error
	// Delete forgets the account's settings, or fails with ErrNotFound.
	Delete(ctx context.Context, username string) error
	// List returns every stored setting, by username.
	List(ctx context.Context) ([]recmock.Settings, error)
	// Reset forgets everything.
	Reset(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// memoryStore is the default Store. It is bounded by the accounts the server accepts, since
// only authenticated accounts write.
type memoryStore struct {
	mu sync.RWMutex
	m  map[string]recmock.Settings
}

var _ Store = (*memoryStore)(nil)

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() Store { return &memoryStore{m: map[string]recmock.Settings{}} }

// clone copies the slices and pointers a caller could otherwise share with the store.
func clone(s recmock.Settings) recmock.Settings {
	s.Email = slices.Clone(s.Email)
	if s.Email == nil {
		s.Email = []string{}
	}
	if s.S3 != nil {
		c := *s.S3
		s.S3 = &c
	}
	return s
}

func (m *memoryStore) Get(_ context.Context, username string) (recmock.Settings, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.m[username]
	if !ok {
		return recmock.Settings{}, ErrNotFound
	}
	return clone(s), nil
}

func (m *memoryStore) Create(_ context.Context, s recmock.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[s.Username]; ok {
		return ErrExists
	}
	m.m[s.Username] = clone(s)
	return nil
}

func (m *memoryStore) Replace(_ context.Context, s recmock.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[s.Username]; !ok {
		return ErrNotFound
	}
	m.m[s.Username] = clone(s)
	return nil
}

func (m *memoryStore) Put(_ context.Context, s recmock.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[s.Username] = clone(s)
	return nil
}

func (m *memoryStore) Delete(_ context.Context, username string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[username]; !ok {
		return ErrNotFound
	}
	delete(m.m, username)
	return nil
}

func (m *memoryStore) List(_ context.Context) ([]recmock.Settings, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]recmock.Settings, 0, len(m.m))
	for _, k := range slices.Sorted(maps.Keys(m.m)) {
		out = append(out, clone(m.m[k]))
	}
	return out, nil
}

func (m *memoryStore) Reset(_ context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.m)
	return nil
}

func (m *memoryStore) Close() error { return nil }
