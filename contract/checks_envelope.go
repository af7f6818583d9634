package contract

import (
	"encoding/json"
	"net/http"
)

func envelopeChecks() []Check {
	return []Check{
		{
			ID:       "envelope.success-shape",
			Question: `Does GET answer {"status":1,"content":{"data":{...}}}, valid against openapi.yaml?`,
			Run: func(t *T) {
				t.needSettings()
				t.expectSuccess(t.get())
			},
		},
		{
			ID:       "envelope.status-is-number",
			Question: "Is status a JSON number (1, 0 or -1), never a string, on successes and failures alike?",
			Run: func(t *T) {
				for _, req := range []Request{{}, {Auth: AuthNone}} {
					res := t.Do(req)
					var v any
					if err := json.Unmarshal(rawStatus(res.Body), &v); err != nil {
						t.Errorf("HTTP %d: status is %s, want a JSON number", res.Status, orMissing(rawStatus(res.Body)))
						continue
					}
					if f, ok := v.(float64); !ok || (f != 1 && f != 0 && f != -1) {
						t.Errorf("HTTP %d: status is %s, want 1, 0 or -1 as a JSON number", res.Status, rawStatus(res.Body))
					}
				}
			},
		},
		{
			ID:       "envelope.json-content-type",
			Question: "Are successes and failures alike declared as Content-Type application/json?",
			Run: func(t *T) {
				t.expectJSON(t.get())
				t.expectJSON(t.Do(Request{Auth: AuthNone}))
			},
		},
		{
			ID:       "envelope.username",
			Question: "Does data.username name the account (the --username given, or any non-empty name)?",
			Run: func(t *T) {
				t.needSettings()
				s := t.expectSuccess(t.get())
				switch {
				case t.r.cfg.Username != "":
					t.Diff("data.username", t.r.cfg.Username, s.Username)
				case s.Username == "":
					t.Errorf("data.username is empty or missing")
				}
			},
		},
		{
			ID:       "envelope.error-shape",
			Question: `Does refused input answer {"status":0,"content":{"message":...}} with errors, if any, as [{"field","message"}]?`,
			Run: func(t *T) {
				t.needSettings()
				res := t.send(http.MethodPut, `{"notify":"yes"}`)
				t.expectRefused(res, http.StatusBadRequest, "notify")
				var env struct {
					Content struct {
						Errors []map[string]any `json:"errors"`
					} `json:"content"`
				}
				json.Unmarshal(res.Body, &env)
				for i, e := range env.Content.Errors {
					if f, _ := e["field"].(string); f == "" {
						t.Errorf("errors[%d] has no field", i)
					}
					if m, _ := e["message"].(string); m == "" {
						t.Errorf("errors[%d] has no message", i)
					}
				}
			},
		},
	}
}
