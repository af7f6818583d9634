package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recmock/recmock"
)

// The flag package formats a refused value as "invalid value %q for flag -%s: %v", which
// loses the error's type, echoes the value even when it holds a secret, and says "parse error"
// for a duration written without its unit. checkValues wraps every flag's Value so the
// refusal is kept with its flag and worded for the user; the same wording serves the
// environment, which goes through the same Set.

// refusal is the last value a flag's Set refused while parsing one command line.
type refusal struct {
	flag string
	err  error
}

// checked is a flag's own Value, with its refusals reworded and recorded.
type checked struct {
	flag.Value
	name     string
	duration bool // a time.Duration: a bare number gets "has no unit"
	typed    bool // one of the flag package's Values, whose errors do not show the value
	last     *refusal
}

// checkValues wraps every flag of fs; the returned refusal names the flag whose value the
// next Parse refuses.
func checkValues(fs *flag.FlagSet) *refusal {
	last := &refusal{}
	fs.VisitAll(func(f *flag.Flag) {
		c := &checked{Value: f.Value, name: f.Name, last: last}
		// The flag package's typed Values are Getters, and what they refuse (a number, a
		// bool, a duration, a level) is no secret; Func values and ours are not Getters, and
		// their errors show as much of the value as is safe (ParseAccount masks the
		// secret), so the value is not repeated for them.
		if g, ok := f.Value.(flag.Getter); ok {
			c.typed = true
			_, c.duration = g.Get().(time.Duration)
		}
		f.Value = c
	})
	return last
}

func (c *checked) Set(s string) error {
	err := c.Value.Set(s)
	if err == nil {
		return nil
	}
	switch {
	case c.duration:
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			seconds := s + "s"
			if _, e := time.ParseDuration(seconds); e != nil {
				seconds = "30s"
			}
			err = fmt.Errorf("%q has no unit; write %s, 500ms or 2m", s, seconds)
		} else {
			err = fmt.Errorf("invalid value %q: not a duration; write 30s, 500ms or 2m", s)
		}
	case c.typed:
		err = fmt.Errorf("invalid value %q: %w", s, err)
	default:
		err = fmt.Errorf("invalid value: %w", err)
	}
	c.last.flag, c.last.err = c.name, err
	return err
}

// IsBoolFlag lets a wrapped bool flag stand alone (--s3-strict), as the flag package allows.
func (c *checked) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// unwrapValue is the Value a flag was defined with.
func unwrapValue(v flag.Value) flag.Value {
	if c, ok := v.(*checked); ok {
		return c.Value
	}
	return v
}

// flagError words a failed Parse as "flag --NAME: what is wrong", with the flag the user
// probably meant when the name is unknown.
func flagError(fs *flag.FlagSet, err error, last *refusal) (msg, suggestion string) {
	if last.err != nil {
		return fmt.Sprintf("flag --%s: %v", last.flag, last.err), ""
	}
	// The flag package's own errors are untyped: these texts have not changed since Go 1,
	// and a text not matched here is shown as the package wrote it, so a change in a future
	// Go degrades to its wording, never to a wrong flag name. TestFlagErrors pins them.
	text := err.Error()
	if name, ok := strings.CutPrefix(text, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := nearest(name, names); near != "" {
			suggestion = "--" + near
		}
		return fmt.Sprintf("flag provided but not defined: --%s", name), suggestion
	}
	if name, ok := strings.CutPrefix(text, "flag needs an argument: -"); ok {
		return fmt.Sprintf("flag --%s: missing value", name), ""
	}
	return text, ""
}

// list is a repeatable flag (--account): every use adds a value. In the environment one
// variable, named by its plural, holds them all (see splitList).
type list struct {
	plural string // "accounts": RECMOCK_ACCOUNTS
	add    func(string) error
}

// repeatable defines a repeatable flag that reads its plural from the environment.
func repeatable(fs *flag.FlagSet, name, plural, usage string, add func(string) error) {
	fs.Var(&list{plural: plural, add: add}, name, usage)
}

func (l *list) Set(s string) error { return l.add(s) }
func (l *list) String() string     { return "" }

// accountsFlag defines the repeatable --account flag (ACCOUNTS, under the command's prefix, in the environment),
// each value user:apiKey:secret appended to accounts.
func accountsFlag(fs *flag.FlagSet, accounts *[]recmock.Account, usage string) {
	repeatable(fs, "account", "accounts", usage, func(s string) error {
		a, err := recmock.ParseAccount(s)
		if err != nil {
			return err
		}
		*accounts = append(*accounts, a)
		return nil
	})
}
