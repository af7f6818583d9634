package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// Environment configuration stays on the standard flag package, applied with each flag's own
// Set, rather than ff or cobra+viper: those are not among the dependencies recmock allows,
// and what they would add is the loop below. Going through Set means a variable is checked
// and reworded exactly as its flag is (secrets masked, durations without a unit named), and
// a flag needs nothing beyond its definition to gain its variable.

// envPrefix is the prefix of serve's variables (RECMOCK_ADDR); proxy's add PROXY_.
const envPrefix = "RECMOCK_"

// envHelp ends the help of a command that reads the environment.
const envHelp = `
A flag shown with an environment variable can also be set with it; a flag given on the
command line wins over its variable, and an empty variable counts as unset. The variable of a
repeatable flag holds all its values, separated by commas or newlines; blanks around a value
are dropped, and a backslash makes the next character literal, so a secret holding a comma or
a backslash writes it \, or \\.
`

// envName is the variable that sets f: the prefix, then the flag's name (its plural for a
// repeatable flag) in upper case with dashes as underscores.
func envName(prefix string, f *flag.Flag) string {
	name := f.Name
	if l, ok := unwrapValue(f.Value).(*list); ok {
		name = l.plural
	}
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applyEnv sets every flag of fs that the command line left unset from its variable (named
// by varName; "" for none), with the flag's own Set; it returns an error per refused
// variable, each naming it.
func applyEnv(fs *flag.FlagSet, varName func(*flag.Flag) string, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := varName(f)
		if name == "" {
			return
		}
		v := getenv(name)
		if given[f.Name] || v == "" {
			return
		}
		values := []string{v}
		if _, ok := unwrapValue(f.Value).(*list); ok {
			var err error
			if values, err = splitList(v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
				return
			}
		}
		for _, s := range values {
			if err := f.Value.Set(s); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
				return
			}
		}
	})
	return errors.Join(errs...)
}

// errLoneBackslash is a list variable ending in an escape with nothing to escape.
var errLoneBackslash = errors.New(`ends in a lone backslash (write \\ for a backslash)`)

// splitList splits the variable of a repeatable flag into its values. Commas and newlines
// separate values (a username or apiKey holds neither: they are tokens); a backslash makes the
// next character literal (\, \\ and \ for a kept blank); unescaped blanks around a value
// are dropped, and so are empty values, so a trailing newline or comma is harmless.
func splitList(s string) ([]string, error) {
	var (
		values []string
		cur    strings.Builder
		keep   int // cur's length up to its last escaped character, which trimming keeps
	)
	end := func() {
		v := cur.String()
		v = v[:keep] + strings.TrimRight(v[keep:], " \t\r")
		if v != "" {
			values = append(values, v)
		}
		cur.Reset()
		keep = 0
	}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\\':
			if i+1 == len(s) {
				return nil, errLoneBackslash
			}
			i++
			cur.WriteByte(s[i])
			keep = cur.Len()
		case ch == ',' || ch == '\n':
			end()
		case (ch == ' ' || ch == '\t' || ch == '\r') && cur.Len() == 0:
			// a blank before the value
		default:
			cur.WriteByte(ch)
		}
	}
	end()
	return values, nil
}
