package simulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/storetest"
	"github.com/recmock/recmock/simulator"
)

// adminServer mounts the handler as the lead's mock does.
func adminServer(t *testing.T, sim *simulator.Simulator) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	h := http.StripPrefix("/_admin/deliveries", sim.Handler())
	mux.Handle("/_admin/deliveries", h)
	mux.Handle("/_admin/deliveries/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHandler(t *testing.T) {
	recv, _ := receiver(t, http.StatusOK)
	sim, _ := newSimulator(t, simulator.Config{MaxDeliveries: 3, Now: fixedClock})
	for range 5 {
		ev, err := sim.NewEvent(recmock.DefaultAccount(), recmock.Settings{}, recmock.RecordingOverrides{})
		if err != nil {
			t.Fatal(err)
		}
		sim.Deliver(t.Context(), simulator.Webhook{URL: recv.URL, Event: ev})
	}
	srv := adminServer(t, sim)
	v := validator(t)

	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		schema     string
		wantIDs    []string // for lists
		wantBody   string   // substring, for the rest
		wantAllow  string
	}{
		{name: "list, newest first", method: "GET", path: "/_admin/deliveries", wantStatus: 200, schema: "DeliveryList", wantIDs: []string{"d-5", "d-4", "d-3"}},
		{name: "trailing slash", method: "GET", path: "/_admin/deliveries/", wantStatus: 200, schema: "DeliveryList", wantIDs: []string{"d-5", "d-4", "d-3"}},
		{name: "limit", method: "GET", path: "/_admin/deliveries?limit=2", wantStatus: 200, schema: "DeliveryList", wantIDs: []string{"d-5", "d-4"}},
		{name: "limit 0", method: "GET", path: "/_admin/deliveries?limit=0", wantStatus: 400, schema: "ErrorEnvelope", wantBody: `"field":"limit"`},
		{name: "limit too big", method: "GET", path: "/_admin/deliveries?limit=10001", wantStatus: 400, schema: "ErrorEnvelope", wantBody: `"field":"limit"`},
		{name: "limit not a number", method: "GET", path: "/_admin/deliveries?limit=ten", wantStatus: 400, schema: "ErrorEnvelope", wantBody: `must be one integer between 1 and 10000`},
		{name: "limit twice", method: "GET", path: "/_admin/deliveries?limit=1&limit=2", wantStatus: 400, schema: "ErrorEnvelope", wantBody: `"field":"limit"`},
		{name: "wrong method", method: "POST", path: "/_admin/deliveries", wantStatus: 405, schema: "ErrorEnvelope", wantBody: "method not allowed", wantAllow: "GET, DELETE"},
		{name: "no such resource", method: "GET", path: "/_admin/deliveries/d-1", wantStatus: 404, schema: "ErrorEnvelope", wantBody: "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := map[string]string{"status": resp.Status, "type": resp.Header.Get("Content-Type"), "allow": resp.Header.Get("Allow")}
			want := map[string]string{"status": http.StatusText(tt.wantStatus), "type": "application/json", "allow": tt.wantAllow}
			got["status"] = http.StatusText(resp.StatusCode)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s\n%s", diff, body)
			}
			if err := v.ValidateSchema(tt.schema, body); err != nil {
				t.Errorf("body does not match %s: %v\n%s", tt.schema, err, body)
			}
			if tt.wantIDs != nil {
				var list simulator.DeliveryList
				if err := json.Unmarshal(body, &list); err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, d := range list.Items {
					ids = append(ids, d.ID)
				}
				if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
					t.Errorf("ids mismatch (-want +got):\n%s", diff)
				}
				if list.Total != 3 || list.Dropped != 2 {
					t.Errorf("total %d, dropped %d; want 3 and 2", list.Total, list.Dropped)
				}
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body %s does not contain %s", body, tt.wantBody)
			}
		})
	}

	t.Run("delete", func(t *testing.T) {
		req, _ := http.NewRequest("DELETE", srv.URL+"/_admin/deliveries", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
			t.Errorf("DELETE: %d %s, want 200 {\"status\":\"ok\"}", resp.StatusCode, body)
		}
		if diff := cmp.Diff(simulator.DeliveryList{Items: []recmock.Delivery{}}, deliveries(t, sim)); diff != "" {
			t.Errorf("after DELETE (-want +got):\n%s", diff)
		}
		// IDs go on growing, so an old ID never names a new delivery.
		d := sim.Deliver(t.Context(), simulator.Webhook{URL: recv.URL, Body: []byte(`{}`)})
		if d.ID != "d-6" {
			t.Errorf("next delivery ID = %s, want d-6", d.ID)
		}
	})
}

// TestDeliveries_Pending checks that a delivery is listed, pending, while it runs.
func TestDeliveries_Pending(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
	}))
	t.Cleanup(srv.Close)
	sim, _ := newSimulator(t, simulator.Config{})
	done := make(chan recmock.Delivery)
	go func() { done <- sim.Deliver(t.Context(), simulator.Webhook{URL: srv.URL, Body: []byte(`{}`)}) }()
	<-arrived
	list := deliveries(t, sim)
	if len(list.Items) != 1 || list.Items[0].Status != recmock.DeliveryPending || len(list.Items[0].Attempts) != 0 {
		t.Errorf("while running: %+v, want one pending delivery without attempts", list)
	}
	close(release)
	d := <-done
	if got := deliveries(t, sim).Items[0]; got.Status != recmock.DeliveryOK || d.Status != recmock.DeliveryOK {
		t.Errorf("after: log %q, returned %q; want ok", got.Status, d.Status)
	}
}

// TestMemoryLog runs the conformance suite every DeliveryLog passes; pgstore runs it against
// PostgreSQL.
func TestMemoryLog(t *testing.T) {
	storetest.DeliveryLog(t, func(_ *testing.T, size int) simulator.DeliveryLog { return simulator.NewMemoryLog(size) })
}
