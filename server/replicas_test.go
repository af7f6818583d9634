package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock/internal/pgtest"
	"github.com/recmock/recmock/server"
)

// pg is the test binary's PostgreSQL; each test gets a schema of its own.
var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

// replicas starts n servers on one database, closed when t ends.
func replicas(t *testing.T, n int) []*server.Server {
	t.Helper()
	url := pg.URL(t)
	var out []*server.Server
	for range n {
		s, err := server.Start(server.Config{Store: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// send makes an authenticated request and returns the status, the request ID and the body.
func send(t *testing.T, method, url, body string) (status int, id, answer string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, "", ""
	}
	req.SetBasicAuth("demo-key", "demo-secret")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("X-Recmock-Request-Id"), string(b)
}

const api = "/rest/recording/notifications"

// TestTwoReplicasAnswerAsOne: two servers on one database, as behind a load balancer.
func TestTwoReplicasAnswerAsOne(t *testing.T) {
	rs := replicas(t, 2)
	const posts = 50

	// Exactly one of 50 concurrent POSTs, spread over both, creates the settings.
	statuses := map[int]int{}
	ids := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			status, id, _ := send(t, "POST", rs[i%2].URL()+api, fmt.Sprintf(`{"notify":true,"url":"https://hooks.example/%d"}`, i))
			mu.Lock()
			statuses[status]++
			ids[id] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if diff := cmp.Diff(map[int]int{200: 1, 409: posts - 1}, statuses); diff != "" {
		t.Errorf("POST statuses mismatch (-want +got):\n%s", diff)
	}
	if len(ids) != posts || ids[""] {
		t.Errorf("%d distinct request IDs over %d requests, want one each: %v", len(ids), posts, ids)
	}

	// Both journals list every request, whichever replica served it.
	for i, r := range rs {
		var page struct {
			Total int `json:"total"`
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		_, _, body := send(t, "GET", r.URL()+"/_admin/requests?limit=1000", "")
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("replica %d journal: %v\n%s", i, err, body)
		}
		listed := map[string]bool{}
		for _, e := range page.Items {
			listed[fmt.Sprint(e.ID)] = true
		}
		if diff := cmp.Diff(ids, listed); diff != "" || page.Total != posts {
			t.Errorf("replica %d journal: total %d; request IDs mismatch (-sent +listed):\n%s", i, page.Total, diff)
		}
	}

	// A PUT on one is what a GET on the other answers.
	status, _, put := send(t, "PUT", rs[0].URL()+api, `{"notify":false,"email":"ops@example.com"}`)
	if status != 200 {
		t.Fatalf("PUT: %d %s", status, put)
	}
	if _, _, got := send(t, "GET", rs[1].URL()+api, ""); got != put {
		t.Errorf("GET on the other replica: %s\nwant what the PUT answered: %s", got, put)
	}

	// A webhook one replica delivers is in the other's delivery log.
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(receiver.Close)
	send(t, "PUT", rs[0].URL()+api, `{"notify":true,"url":"`+receiver.URL+`"}`)
	if status, _, body := send(t, "POST", rs[0].URL()+"/_admin/recordings", `{"username":"temasys"}`); status != 200 || !strings.Contains(body, `"deliveryId":"d-`) {
		t.Fatalf("recording: %d %s", status, body)
	}
	if _, _, body := send(t, "GET", rs[1].URL()+"/_admin/deliveries", ""); !strings.Contains(body, `"total":1`) || !strings.Contains(body, receiver.URL) {
		t.Errorf("the other replica's delivery log: %s", body)
	}

	// A reset on one clears both.
	if status, _, body := send(t, "POST", rs[1].URL()+"/_admin/reset", ""); status != 200 {
		t.Fatalf("reset: %d %s", status, body)
	}
	if status, _, body := send(t, "GET", rs[0].URL()+api, ""); status != 404 {
		t.Errorf("GET after a reset on the other replica: %d %s, want 404", status, body)
	}
	if _, _, body := send(t, "GET", rs[0].URL()+"/_admin/deliveries", ""); !strings.Contains(body, `"total":0`) {
		t.Errorf("deliveries after a reset on the other replica: %s", body)
	}
	if _, _, body := send(t, "GET", rs[0].URL()+"/_admin/requests", ""); !strings.Contains(body, `"total":1`) {
		t.Errorf("journal after a reset on the other replica, and one GET since: %s", body)
	}
}

// TestStoreValueErrors: a --store that is not a usable database stops the start, and the
// error never shows the password.
func TestStoreValueErrors(t *testing.T) {
	for _, store := range []string{
		"mysql://recmock:hunter2@127.0.0.1/recmock",
		"postgres://recmock:hunter2@127.0.0.1:1/recmock?sslmode=disable",
		"hunter2",
	} {
		_, err := server.Start(server.Config{Store: store})
		if err == nil {
			t.Errorf("Start with store %q succeeded", store)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
