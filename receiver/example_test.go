package receiver_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/recmock/recmock/receiver"
)

// A receiver that fails the first event, as a flaky endpoint would: the first POST is
// answered 503, the retry 200, and both are kept, the retry marked a duplicate.
func ExampleNewServer() {
	r, err := receiver.NewServer(receiver.Config{FailFirst: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	event := `{"meetingId":"m-1","apiKey":"demo-key","unixTime":1764496941,"roomId":"standup","participants":4,` +
		`"startTime":"2026-11-30T09:00:07Z","endTime":"2026-11-30T09:38:52Z","retrievalUrl":"http://127.0.0.1:9000/b/m-1.mp4"}`
	for range 2 {
		res, err := http.Post(r.URL()+"/hooks/recording", "application/json", strings.NewReader(event))
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Print(res.StatusCode, " ", string(body))
	}
	events, _ := r.Events()
	for _, ev := range events {
		fmt.Println(ev.N, ev.Path, ev.MeetingID, ev.Valid, ev.Duplicate, ev.Status)
	}
	// Output:
	// 503 {"n":1,"valid":true}
	// 200 {"n":2,"valid":true}
	// 2 /hooks/recording m-1 true true 200
	// 1 /hooks/recording m-1 true false 503
}
