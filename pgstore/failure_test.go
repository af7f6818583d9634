package pgstore_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/pgstore"
	"github.com/recmock/recmock/simulator"
)

// TestDatabaseGone: when the shared database goes away, the API still answers (from what it
// can), the journal's loss is an entry, not an answer, and a webhook without a delivery log
// is not sent, saying why.
func TestDatabaseGone(t *testing.T) {
	db := open(t, pgstore.Config{})
	m, err := mock.New(mock.Config{Store: mock.NewMemoryStore(), Journal: db.Journal()})
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(receiver.Close)
	sim, err := simulator.New(simulator.Config{Deliveries: db.Deliveries()})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL+"/rest/recording/notifications", nil)
	req.SetBasicAuth("demo-key", "demo-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 || res.Header.Get("X-Recmock-Request-Id") != "" {
		t.Errorf("GET without a journal: %d, request ID %q; want the API's 404 and no ID", res.StatusCode, res.Header.Get("X-Recmock-Request-Id"))
	}
	res, err = http.Get(srv.URL + "/_admin/requests")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.Contains(string(body), "journal") {
		t.Errorf("GET /_admin/requests without a journal: %d %s; want 500 naming the journal", res.StatusCode, body)
	}

	d := sim.Deliver(t.Context(), simulator.Webhook{URL: receiver.URL, Body: []byte(`{}`)})
	if d.Status != recmock.DeliveryFailed || len(d.Attempts) != 1 || !strings.Contains(d.Attempts[0].Error, "delivery log failed") {
		t.Errorf("delivery without a log: %+v; want failed, saying why", d)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver got %d webhooks without an ID to tell them apart", n)
	}
}
