package recmock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/settingstest"
)

// These tests run over every field of Settings, so a field added to it is covered the day it
// is added: the packages that carry settings (mock, proxy, contract) have their own.

// TestSettingsInputRoundTrip: the body Settings.Input writes stores the same settings again,
// which is what the contract suite relies on to restore an account.
func TestSettingsInputRoundTrip(t *testing.T) {
	want := settingstest.Full(t)
	body := mustJSON(t, want.Input())
	v, ok := decode(body)
	if !ok {
		t.Fatalf("Input encodes as %s, not JSON", body)
	}
	got, err := recmock.ParseSettings(v, want.Username)
	if err != nil {
		t.Fatalf("the Input of valid settings, %s, is refused: %v", body, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Input %s stores other settings (-want +got):\n%s", body, diff)
	}
}

// secretLooking are field names that hold secrets, whatever the tag says.
var secretLooking = regexp.MustCompile(`(?i)secret|password|passwd|token|credential|private`)

// TestSecretPolicy: every field whose name says it is a secret is tagged as one, and every
// tagged field is masked by Redacted, by LogValue and in any JSON text, and nothing else is.
func TestSecretPolicy(t *testing.T) {
	full := settingstest.Full(t)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("saved", "settings", full)
	redacted := mustJSON(t, full.Redacted())
	body := mustJSON(t, full)
	escaped := escapeNames(body)
	for _, f := range settingstest.Fields() {
		name := f.Path[strings.LastIndexByte(f.Path, '.')+1:]
		if secretLooking.MatchString(name) && !f.Secret {
			t.Errorf("field %s looks like a secret but is not tagged `recmock:\"secret\"`", f.Path)
		}
		if recmock.IsSecret(name) != f.Secret || recmock.IsSecret(strings.ToUpper(name)) != f.Secret {
			t.Errorf("IsSecret(%q) = %v, want %v", name, !f.Secret, f.Secret)
		}
		sample := fmt.Sprint(f.Sample)
		if s, ok := f.Sample.([]string); ok {
			sample = s[0]
		}
		for what, text := range map[string][]byte{
			"Redacted":                  redacted,
			"LogValue":                  logs.Bytes(),
			"RedactBody":                recmock.RedactBody(body),
			"RedactBody, escaped names": recmock.RedactBody(escaped),
			"RedactQuery":               []byte(recmock.RedactQuery(name + "=" + sample + "&x=1")),
			"RedactValue":               mustJSON(t, recmock.RedactValue(mustDecode(t, body))),
		} {
			if shown := bytes.Contains(text, []byte(sample)); shown == f.Secret {
				t.Errorf("%s of %s: sample shown %v, want %v:\n%s", what, f.Path, shown, !f.Secret, text)
			}
		}
	}
}

// escapeNames writes the first letter of every member name of a JSON text as a \u escape.
func escapeNames(b []byte) []byte {
	return regexp.MustCompile(`"([a-zA-Z])([a-zA-Z0-9]*)":`).ReplaceAllFunc(b, func(m []byte) []byte {
		return fmt.Appendf(nil, `"\u%04x%s`, m[1], m[2:])
	})
}

// mustJSON encodes v as the API does, without escaping &, < and >.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustDecode(t *testing.T, b []byte) any {
	t.Helper()
	v, ok := decode(b)
	if !ok {
		t.Fatalf("not JSON: %s", b)
	}
	return v
}
