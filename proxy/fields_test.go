package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/recmock/recmock/internal/settingstest"
	"github.com/recmock/recmock/mock"
	"github.com/recmock/recmock/proxy"
)

// TestEveryFieldIsCompared runs over every field of recmock.Settings: an upstream that stores
// a setting and answers one field changed is caught, naming that field, and a secret field's
// value never reaches the journal. A field added to Settings is covered without a change here.
func TestEveryFieldIsCompared(t *testing.T) {
	full := settingstest.Full(t)
	body, err := json.Marshal(full.Input())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range settingstest.Fields() {
		if f.Path == "username" {
			continue // not sent: the proxy learns it from the answer
		}
		t.Run(f.Path, func(t *testing.T) {
			m, err := mock.New(mock.Config{})
			if err != nil {
				t.Fatal(err)
			}
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				m.ServeHTTP(rec, r)
				var doc map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || !settingstest.Alter(doc, "content.data."+f.Path) {
					t.Errorf("could not alter %s in %s", f.Path, rec.Body)
				}
				answer(w, rec.Code, mustMarshal(t, doc))
			}))
			t.Cleanup(up.Close)
			_, base := start(t, proxy.Config{Upstream: up.URL})
			send(t, "POST", base+path, string(body), nil)
			var found bool
			for _, v := range journal(t, base)[0].Violations {
				found = found || v.Side == proxy.SideServer && v.Field == "content.data."+f.Path
			}
			if !found {
				t.Errorf("an answer with %s changed was not flagged: %+v", f.Path, journal(t, base)[0].Violations)
			}
			raw := send(t, "GET", base+proxy.JournalPath, "", nil).Body
			if secret := fmt.Sprint(f.Sample); f.Secret && strings.Contains(raw, secret) {
				t.Errorf("the journal shows the secret %s: %s", f.Path, raw)
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
