package recmock

import (
	"fmt"
	"log/slog"
	"strings"
)

// Account is one API user. Requests authenticate with HTTP Basic as APIKey:Secret; settings
// are stored per Username.
type Account struct {
	Username string `json:"username"`
	APIKey   string `json:"apiKey"`
	Secret   string `json:"-"`
}

// DefaultAccount is the account recmock serves when none is configured.
func DefaultAccount() Account {
	return Account{Username: "temasys", APIKey: "demo-key", Secret: "demo-secret"}
}

// ParseAccount parses "username:apiKey:secret", the form of serve's --account flag. The
// secret may itself contain colons.
func ParseAccount(s string) (Account, error) {
	user, rest, ok1 := strings.Cut(s, ":")
	key, secret, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || user == "" || key == "" || secret == "" {
		return Account{}, fmt.Errorf("recmock: account %q: want username:apiKey:secret, none of them empty", redactAccount(s))
	}
	return Account{Username: user, APIKey: key, Secret: secret}, nil
}

func redactAccount(s string) string {
	user, rest, _ := strings.Cut(s, ":")
	key, _, ok := strings.Cut(rest, ":")
	if !ok {
		return user + ":***"
	}
	return user + ":" + key + ":***"
}

// LogValue keeps the secret out of logs.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", a.Username), slog.String("apiKey", a.APIKey))
}

// String names the account without its secret.
func (a Account) String() string { return a.Username + " (apiKey " + a.APIKey + ")" }
