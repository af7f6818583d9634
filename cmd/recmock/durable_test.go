package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestServeConcurrentAcknowledgedWritesSurviveKill9: many clients PUT at once, so that their
// writes share commits; whatever each had acknowledged when the process is killed is on disk.
// Each client writes its own account, numbering its PUTs; after the kill, an account holds
// its client's last acknowledged PUT, or the one after it, which may have been committed
// without its answer arriving.
func TestServeConcurrentAcknowledgedWritesSurviveKill9(t *testing.T) {
	const clients, each = 16, 20
	dir := t.TempDir()
	args := serveArgs("--data-dir", dir)
	for i := range clients {
		args = append(args, "--account", fmt.Sprintf("c%d:key-%d:secret-%d", i, i, i))
	}
	p := startRecmock(t, args...)
	url := p.url() + "/rest/recording/notifications"

	acked := make([]atomic.Int64, clients)
	var ready sync.WaitGroup // every client has acknowledged writes
	ready.Add(clients)
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for i := range clients {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			defer client.CloseIdleConnections()
			if status, body, err := clientCall(client, "POST", url, i, `{"notify":false}`); status != 200 {
				errs[i] = fmt.Errorf("POST: %d %s %v", status, body, err)
				ready.Done()
				return
			}
			for n := int64(1); ; n++ {
				status, body, err := clientCall(client, "PUT", url, i, fmt.Sprintf(`{"notify":true,"url":"https://hooks.example/%d"}`, n))
				if status != 200 {
					if n <= each { // before the kill: a failure
						errs[i] = fmt.Errorf("PUT %d: %d %s %v", n, status, body, err)
						ready.Done()
					}
					return
				}
				acked[i].Store(n)
				if n == each {
					ready.Done()
				}
			}
		})
	}
	ready.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	// Kill while every client is writing: no chance to flush anything.
	p.stop(t, os.Kill)
	wg.Wait()

	p2 := startRecmock(t, args...)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range clients {
		status, body, err := clientCall(client, "GET", p2.url()+"/rest/recording/notifications", i, "")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Content struct {
				Data struct{ URL string }
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("client %d: GET after kill -9: %d %s", i, status, body)
		}
		var n int64
		fmt.Sscanf(strings.TrimPrefix(got.Content.Data.URL, "https://hooks.example/"), "%d", &n)
		if want := acked[i].Load(); status != 200 || n < want || n > want+1 {
			t.Errorf("client %d: after kill -9 its account holds PUT %d (%d %s); want its last acknowledged, %d, or the next", i, n, status, body, want)
		}
	}
}

// clientCall sends a request as client i's account and returns the answer; status 0 when
// none came whole.
func clientCall(c *http.Client, method, url string, i int, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.SetBasicAuth(fmt.Sprintf("key-%d", i), fmt.Sprintf("secret-%d", i))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", err
	}
	return res.StatusCode, string(b), nil
}
