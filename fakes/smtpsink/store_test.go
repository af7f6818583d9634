package smtpsink_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/fakes/smtpsink"
)

// TestStoreFullOfLargeMail fills the store past its bound with large messages, among
// them hostile ones (a huge subject, many recipients, many parts), and checks the
// store's own accounting and the size of a page of the list, which the dashboard polls
// every second.
func TestStoreFullOfLargeMail(t *testing.T) {
	const bound = 4 << 20
	s := startSink(t, smtpsink.Config{MaxStoreBytes: bound, MaxMessageBytes: 512 << 10})
	api := startAPI(t, s)

	text := strings.Repeat("Your recording is ready. ", 10<<10) // 250 KiB of text
	html := "<p>" + text + "</p>"
	rich := "Subject: rich\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--b--\r\n"
	var manyParts strings.Builder
	manyParts.WriteString("Subject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; manyParts.Len() < 400<<10; i++ {
		fmt.Fprintf(&manyParts, "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=f%d.txt\r\n\r\nx\r\n", i)
	}
	manyParts.WriteString("--b--\r\n")
	hugeSubject := "Subject: " + strings.Repeat("s", 100<<10) + "\r\n\r\nbody\r\n"
	recipients := make([]string, 500)
	for i := range recipients {
		recipients[i] = fmt.Sprintf("rcpt-%d-%s@example.com", i, strings.Repeat("r", 200))
	}

	for i := range 30 {
		switch i % 4 {
		case 0:
			sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, rich)
		case 1:
			sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, manyParts.String())
		case 2:
			sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, hugeSubject)
		case 3:
			sendMail(t, s, nil, "a@example.com", recipients, rich)
		}
		if st := s.Stats(); st.Bytes > bound {
			t.Fatalf("after message %d the store holds %d bytes, over its bound of %d", i+1, st.Bytes, bound)
		}
	}
	st := s.Stats()
	if st.Dropped == 0 || st.Messages < 4 {
		t.Fatalf("Stats = %+v; want the store full, with messages dropped", st)
	}

	r := do(t, "GET", api.URL+"/_admin/emails?limit=100")
	list := decode[listBody](t, r)
	if list.Count != st.Messages {
		t.Fatalf("the list has %d items, want all %d", list.Count, st.Messages)
	}
	// A summary is a few hundred bytes, and a few KiB at most: its strings and lists
	// are bounded.
	if max := list.Count * 8 << 10; len(r.body) > max {
		t.Errorf("a page of %d summaries is %d bytes, want at most %d", list.Count, len(r.body), max)
	}
	for _, it := range list.Items {
		for _, field := range []string{"text", "html", "headers", "raw", "parts"} {
			if _, ok := it[field]; ok {
				t.Errorf("list item %v has %q; a summary has no bodies or header fields", it["id"], field)
			}
		}
		if it["subject"] != "rich" && it["truncated"] != true && it["subject"] != "parts" {
			t.Errorf("item %v with a %d-byte subject is not marked truncated", it["id"], len(it["subject"].(string)))
		}
	}
	one := do(t, "GET", fmt.Sprintf("%s/_admin/emails/%s", api.URL, list.Items[0]["id"]))
	if got := decode[map[string]any](t, one); one.status != http.StatusOK || got["raw"] == nil {
		t.Errorf("GET of one message: %d, want 200 with the whole message", one.status)
	}
}

// TestListETag: the list carries an ETag; a poller that sends it back gets 304 Not
// Modified, without a body, until mail comes or goes.
func TestListETag(t *testing.T) {
	s, base := apiWithMail(t)
	get := func(path, inm string) response {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: res.StatusCode, header: res.Header, body: body}
	}

	first := get("?limit=10", "")
	etag := first.header.Get("ETag")
	if first.status != http.StatusOK || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("GET: %d, ETag %q; want 200 and a strong ETag", first.status, etag)
	}
	tests := []struct {
		name, path, ifNoneMatch string
		want                    int
	}{
		{"same ETag", "?limit=10", etag, http.StatusNotModified},
		{"weak form", "?limit=10", "W/" + etag, http.StatusNotModified},
		{"in a list", "?limit=10", `"other", ` + etag, http.StatusNotModified},
		{"any", "?limit=10", "*", http.StatusNotModified},
		{"other ETag", "?limit=10", `"other"`, http.StatusOK},
		{"other page", "?limit=2", etag, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(tt.path, tt.ifNoneMatch)
			if r.status != tt.want {
				t.Errorf("status %d, want %d", r.status, tt.want)
			}
			if r.status == http.StatusNotModified && (len(r.body) != 0 || r.header.Get("ETag") != etag) {
				t.Errorf("304 with body %q and ETag %q; want no body and the ETag", r.body, r.header.Get("ETag"))
			}
		})
	}

	for _, change := range []struct {
		name string
		do   func()
	}{
		{"new mail", func() { sendMail(t, s, nil, "a@example.com", []string{"b@example.com"}, simpleMail("four", "x")) }},
		{"delete", func() { s.Delete("4") }},
		{"reset", func() { s.Reset() }},
	} {
		change.do()
		r := get("?limit=10", etag)
		if r.status != http.StatusOK || r.header.Get("ETag") == etag {
			t.Errorf("after %s: status %d, ETag %q; want 200 and a new ETag", change.name, r.status, r.header.Get("ETag"))
		}
		etag = r.header.Get("ETag")
	}

	// Another sink, even with the same history, has other ETags.
	_, otherBase := apiWithMail(t)
	if got := do(t, "GET", otherBase+"?limit=10").header.Get("ETag"); got == first.header.Get("ETag") {
		t.Errorf("two sinks gave the same ETag %q to different lists", got)
	}
}
