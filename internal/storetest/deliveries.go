package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/simulator"
)

// DeliveryLog runs the suite against the logs open returns: a new, empty one of size
// deliveries per case, which open closes with t.Cleanup.
func DeliveryLog(t *testing.T, open func(t *testing.T, size int) simulator.DeliveryLog) {
	type opener = func(t *testing.T, size int) simulator.DeliveryLog
	suite[opener]{
		{"pending, then updated", deliveriesLifecycle},
		{"bounded, newest first, drops counted", deliveriesBounded},
		{"dropped and reset deliveries stay gone", deliveriesStayGone},
		{"IDs are new, also across reset", deliveriesIDs},
		{"every field survives", deliveriesEveryField},
		{"concurrent deliveries stay bounded and apart", deliveriesConcurrent},
	}.run(t, func(*testing.T) opener { return open })
}

func pending(url string) recmock.Delivery {
	return recmock.Delivery{URL: url, Event: recmock.RecordingEvent{MeetingID: "m-" + url}, Status: recmock.DeliveryPending, Attempts: []recmock.Attempt{}}
}

// start keeps d in l and returns it with its ID.
func start(t *testing.T, l simulator.DeliveryLog, d recmock.Delivery) recmock.Delivery {
	t.Helper()
	id, err := l.Start(t.Context(), d)
	must(t, "Start", err)
	if !strings.HasPrefix(id, "d-") {
		t.Errorf("ID %q, want d-<n>", id)
	}
	d.ID = id
	return d
}

func list(t *testing.T, l simulator.DeliveryLog, limit int) simulator.DeliveryList {
	t.Helper()
	got, err := l.List(t.Context(), limit)
	must(t, "List", err)
	return got
}

func deliveriesLifecycle(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	l := open(t, 10)
	if diff := cmp.Diff(simulator.DeliveryList{Items: []recmock.Delivery{}}, list(t, l, -1)); diff != "" {
		t.Errorf("empty log mismatch (-want +got):\n%s", diff)
	}
	d := start(t, l, pending("https://a.example"))
	if diff := cmp.Diff(simulator.DeliveryList{Total: 1, Items: []recmock.Delivery{d}}, list(t, l, -1)); diff != "" {
		t.Errorf("pending mismatch (-want +got):\n%s", diff)
	}
	d.Attempts = append(d.Attempts, recmock.Attempt{N: 1, Status: 503, Error: "busy"})
	must(t, "Update", l.Update(t.Context(), d))
	if diff := cmp.Diff([]recmock.Delivery{d}, list(t, l, -1).Items); diff != "" {
		t.Errorf("after one attempt mismatch (-want +got):\n%s", diff)
	}
	d.Attempts = append(d.Attempts, recmock.Attempt{N: 2, Status: 200})
	d.Status = recmock.DeliveryOK
	must(t, "Update", l.Update(t.Context(), d))
	// The caller goes on owning its slice: changing it later changes nothing kept.
	want := d
	want.Attempts = append([]recmock.Attempt{}, d.Attempts...)
	d.Attempts[0].Error = "changed after Update"
	if diff := cmp.Diff([]recmock.Delivery{want}, list(t, l, -1).Items); diff != "" {
		t.Errorf("finished mismatch (-want +got):\n%s", diff)
	}
}

func deliveriesBounded(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	l := open(t, 3)
	var started []recmock.Delivery
	for i := range 5 {
		started = append(started, start(t, l, pending(fmt.Sprint("https://", i, ".example"))))
	}
	want := simulator.DeliveryList{Total: 3, Dropped: 2, Items: []recmock.Delivery{started[4], started[3], started[2]}}
	if diff := cmp.Diff(want, list(t, l, -1)); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
	want.Items = want.Items[:2]
	if diff := cmp.Diff(want, list(t, l, 2)); diff != "" {
		t.Errorf("List(2) mismatch (-want +got):\n%s", diff)
	}
	must(t, "Reset", l.Reset(t.Context()))
	if diff := cmp.Diff(simulator.DeliveryList{Items: []recmock.Delivery{}}, list(t, l, -1)); diff != "" {
		t.Errorf("after Reset mismatch (-want +got):\n%s", diff)
	}
}

func deliveriesStayGone(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	l := open(t, 1)
	old := start(t, l, pending("https://old.example"))
	cur := start(t, l, pending("https://new.example"))
	old.Status = recmock.DeliveryOK
	must(t, "Update of a dropped delivery", l.Update(t.Context(), old))
	if diff := cmp.Diff([]recmock.Delivery{cur}, list(t, l, -1).Items); diff != "" {
		t.Errorf("after updating a dropped delivery (-want +got):\n%s", diff)
	}
	must(t, "Reset", l.Reset(t.Context()))
	cur.Status = recmock.DeliveryFailed
	must(t, "Update of a reset delivery", l.Update(t.Context(), cur))
	if got := list(t, l, -1); len(got.Items) != 0 {
		t.Errorf("after updating a reset delivery: %+v", got)
	}
}

func deliveriesIDs(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	l := open(t, 2)
	seen := map[string]bool{}
	for i := range 6 {
		if i == 3 {
			must(t, "Reset", l.Reset(t.Context()))
		}
		d := start(t, l, pending("https://x.example"))
		if seen[d.ID] {
			t.Errorf("ID %s given twice", d.ID)
		}
		seen[d.ID] = true
	}
}

func deliveriesEveryField(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	l := open(t, 5)
	var full recmock.Delivery
	fill(t, &full)
	full.Status = recmock.DeliveryPending
	d := start(t, l, full)
	if diff := cmp.Diff([]recmock.Delivery{d}, list(t, l, 1).Items); diff != "" {
		t.Errorf("after Start mismatch (-want +got):\n%s", diff)
	}
	d.Status = recmock.DeliveryFailed
	must(t, "Update", l.Update(t.Context(), d))
	if diff := cmp.Diff([]recmock.Delivery{d}, list(t, l, 1).Items); diff != "" {
		t.Errorf("after Update mismatch (-want +got):\n%s", diff)
	}
}

func deliveriesConcurrent(t *testing.T, open func(*testing.T, int) simulator.DeliveryLog) {
	const size = 10
	l := open(t, size)
	var mu sync.Mutex
	ids := map[string]bool{}
	errs := parallel(func(i int) error {
		d := pending(fmt.Sprint("https://", i, ".example"))
		id, err := l.Start(t.Context(), d)
		if err != nil {
			return err
		}
		mu.Lock()
		ids[id] = true
		mu.Unlock()
		d.ID, d.Status = id, recmock.DeliveryOK
		d.Attempts = []recmock.Attempt{{N: 1, Status: 200}}
		return l.Update(t.Context(), d)
	})
	for i, err := range errs {
		must(t, fmt.Sprint("delivery ", i), err)
	}
	if len(ids) != Concurrency {
		t.Errorf("%d distinct IDs for %d deliveries", len(ids), Concurrency)
	}
	got := list(t, l, -1)
	if got.Total != size || len(got.Items) != size || got.Dropped != Concurrency-size {
		t.Errorf("total %d, %d items, dropped %d; want %d, %d, %d", got.Total, len(got.Items), got.Dropped, size, size, Concurrency-size)
	}
	for _, d := range got.Items {
		if !ids[d.ID] || d.URL == "" || d.Status != recmock.DeliveryOK {
			t.Errorf("listed %+v; want only deliveries started and finished", d)
		}
	}
}
