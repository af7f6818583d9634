package contract_test

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/recmock/recmock/contract"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in, name, value string
		ok              bool
	}{
		{"Cookie: session=abc; theme=dark", "Cookie", "session=abc; theme=dark", true},
		{"x-api-token:t0k:with:colons", "X-Api-Token", "t0k:with:colons", true},
		{"  Authorization :\tBearer abc  ", "Authorization", "Bearer abc", true},
		{"Cookie", "", "", false},
		{": value", "", "", false},
		{"Bad Name: v", "", "", false},
		{"X-Empty:   ", "", "", false},
		{"X-Smuggle: a\r\nHost: evil", "", "", false},
	}
	for _, tt := range tests {
		name, value, err := contract.ParseHeader(tt.in)
		if (err == nil) != tt.ok || name != tt.name || value != tt.value {
			t.Errorf("ParseHeader(%q) = %q, %q, %v", tt.in, name, value, err)
		}
		if err != nil && !errors.Is(err, contract.ErrHeader) {
			t.Errorf("ParseHeader(%q): %v does not wrap ErrHeader", tt.in, err)
		}
		if err != nil && strings.Contains(err.Error(), "evil") {
			t.Errorf("ParseHeader(%q): the error quotes the value: %v", tt.in, err)
		}
	}
}

// FuzzParseHeader: whatever --header is given, an accepted header goes over the wire as one
// header with exactly that value, and a refused one's error never quotes the value.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"Cookie: a=b", "X-Token:abc", "Bad Name: v", "K: a\r\nX: y", "K:\x00", ":", "K: \xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := contract.ParseHeader(s)
		if err != nil {
			if _, v, ok := strings.Cut(s, ":"); ok && len(strings.TrimSpace(v)) > 8 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
				t.Fatalf("error %q quotes the value", err)
			}
			return
		}
		req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
		req.Header.Set(name, value)
		var b strings.Builder
		if err := req.Write(&b); err != nil {
			t.Fatalf("header %q: %q cannot be sent: %v", name, value, err)
		}
		back, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
		if err != nil {
			t.Fatalf("header %q: %q does not read back: %v", name, value, err)
		}
		if got := back.Header.Values(name); len(got) != 1 || got[0] != value {
			t.Fatalf("header %q: sent %q, read back %q", name, value, got)
		}
	})
}
