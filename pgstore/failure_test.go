package pgstore_test

import (
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

	req := httptest.NewRequest("GET", "/rest/recording/notifications", nil)
	req.SetBasicAuth("demo-key", "demo-secret")
	w := httptest.NewRecorder()
	m.ServeHTTP(w, req)
	if w.Code != 404 || w.Header().Get("X-Recmock-Request-Id") != "" {
		t.Errorf("GET without a journal: %d, request ID %q; want the API's 404 and no ID", w.Code, w.Header().Get("X-Recmock-Request-Id"))
	}
	w = httptest.NewRecorder()
	m.ServeHTTP(w, httptest.NewRequest("GET", "/_admin/requests", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "journal") {
		t.Errorf("GET /_admin/requests without a journal: %d %s; want 500 naming the journal", w.Code, w.Body)
	}

	d := sim.Deliver(t.Context(), simulator.Webhook{URL: receiver.URL, Body: []byte(`{}`)})
	if d.Status != recmock.DeliveryFailed || len(d.Attempts) != 1 || !strings.Contains(d.Attempts[0].Error, "delivery log failed") {
		t.Errorf("delivery without a log: %+v; want failed, saying why", d)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver got %d webhooks without an ID to tell them apart", n)
	}
}
