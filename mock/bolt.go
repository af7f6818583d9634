package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/recmock/recmock"
)

var settingsBucket = []byte("settings")

// boltStore keeps settings in a bbolt file. bbolt fsyncs every committed transaction, so a
// write the API acknowledged survives kill -9; concurrent writes share a transaction
// (groupCommit), so they share its fsync too.
type boltStore struct {
	db     *bolt.DB
	writes groupCommit
}

var _ Store = (*boltStore)(nil)

// ErrLocked is returned by OpenBoltStore when another process holds the file.
var ErrLocked = errors.New("mock: data file is in use by another process")

// OpenBoltStore opens (creating if needed) the settings database at path.
func OpenBoltStore(path string) (Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("mock: open %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("mock: open %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(settingsBucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("mock: open %s: %w", path, err)
	}
	return &boltStore{db: db, writes: groupCommit{db: db}}, nil
}

func (b *boltStore) Get(_ context.Context, username string) (recmock.Settings, error) {
	var s recmock.Settings
	err := b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(settingsBucket).Get([]byte(username))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return recmock.Settings{}, err
	}
	// Unmarshal made everything in s afresh: no clone needed, only clone's non-nil Email.
	if s.Email == nil {
		s.Email = []string{}
	}
	return s, nil
}

// write stores s in one transaction after check, so check and write are atomic.
func (b *boltStore) write(s recmock.Settings, check func(exists bool) error) error {
	v, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("mock: encode settings: %w", err)
	}
	return b.writes.do(func(tx *bolt.Tx) error {
		bk := tx.Bucket(settingsBucket)
		if err := check(bk.Get([]byte(s.Username)) != nil); err != nil {
			return err
		}
		return bk.Put([]byte(s.Username), v)
	})
}

func (b *boltStore) Create(_ context.Context, s recmock.Settings) error {
	return b.write(s, func(exists bool) error {
		if exists {
			return ErrExists
		}
		return nil
	})
}

func (b *boltStore) Replace(_ context.Context, s recmock.Settings) error {
	return b.write(s, func(exists bool) error {
		if !exists {
			return ErrNotFound
		}
		return nil
	})
}

func (b *boltStore) Put(_ context.Context, s recmock.Settings) error {
	return b.write(s, func(bool) error { return nil })
}

func (b *boltStore) Delete(_ context.Context, username string) error {
	return b.writes.do(func(tx *bolt.Tx) error {
		bk := tx.Bucket(settingsBucket)
		if bk.Get([]byte(username)) == nil {
			return ErrNotFound
		}
		return bk.Delete([]byte(username))
	})
}

func (b *boltStore) List(_ context.Context) ([]recmock.Settings, error) {
	out := []recmock.Settings{}
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(settingsBucket).ForEach(func(_, v []byte) error {
			var s recmock.Settings
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out = append(out, clone(s))
			return nil
		})
	})
	return out, err
}

func (b *boltStore) Reset(_ context.Context) error {
	return b.writes.do(func(tx *bolt.Tx) error {
		// Key by key rather than DeleteBucket and CreateBucket, so that a failure leaves the
		// shared transaction as it found it.
		bk := tx.Bucket(settingsBucket)
		var keys [][]byte
		if err := bk.ForEach(func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := bk.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltStore) Close() error { return b.db.Close() }
