package recmocktest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/fakes/smtpsink"
	"github.com/recmock/recmock/recmocktest"
)

// A webhook receiver's test: point the account at the receiver, simulate a recording, then
// check what the receiver did and what the e-mail said. In a test, recmocktest.New(t) does
// Start and Close.
func Example() {
	env, err := recmocktest.Start(recmocktest.WithSeed(1))
	if err != nil {
		panic(err)
	}
	defer env.Close()

	// The receiver under test downloads the recording its event points to.
	got := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev recmock.RecordingEvent
		json.NewDecoder(r.Body).Decode(&ev)
		res, err := http.Get(ev.RetrievalURL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		mp4, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- fmt.Sprintf("%s: %d-byte %s", ev.RoomID, len(mp4), http.DetectContentType(mp4))
	}))
	defer receiver.Close()

	body := `{"notify":true,"url":"` + receiver.URL + `","email":"ops@acme.example"}`
	req, _ := http.NewRequest("POST", env.URL+"/rest/recording/notifications", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, _ := env.Client().Do(req)
	res.Body.Close()

	room := "quarterly-review"
	result, err := env.Recording(context.Background(), recmock.RecordingOverrides{RoomID: &room})
	if err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	fmt.Println(result.S3.Status, result.Webhook.Status, result.Email.Status)
	msg, _ := env.Inbox.Wait(context.Background(), func(m smtpsink.Message) bool { return true })
	fmt.Println(msg.To, msg.Subject)
	// Output:
	// quarterly-review: 19826-byte video/mp4
	// ok ok ok
	// [ops@acme.example] Recording ready: quarterly-review
}
