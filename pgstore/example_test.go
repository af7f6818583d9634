package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
	"github.com/recmock/recmock/simulator"
)

// Open names the database it could not reach, with the password masked.
func ExampleOpen() {
	_, err := pgstore.Open(context.Background(), pgstore.Config{URL: "postgres://recmock:s3cret@127.0.0.1:1/recmock?sslmode=disable"})
	fmt.Println(err)
	// Output:
	// pgstore: cannot reach postgres://recmock:***@127.0.0.1:1/recmock?sslmode=disable: failed to connect to `user=recmock database=recmock`: 127.0.0.1:1 (127.0.0.1): dial error: dial tcp 127.0.0.1:1: connect: connection refused
}

// A replica: the mock and the simulator keep their state in the database, so every replica
// started this way answers as one. recmock serve --store does this wiring.
func ExampleDB() {
	ctx := context.Background()
	db, err := pgstore.Open(ctx, pgstore.Config{URL: "postgres://recmock@db.internal/recmock"})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	sim, err := simulator.New(simulator.Config{Deliveries: db.Deliveries()})
	if err != nil {
		log.Fatal(err)
	}
	m, err := mock.New(mock.Config{Store: db.Settings(), Journal: db.Journal(), Notifier: sim})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", m))
}
