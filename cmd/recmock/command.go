package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Command is one recmock command, in the shape of cmd/go's base.Command: what help shows
// (UsageLine, Short, Long), the flags, and what runs once they are parsed. Every command goes
// through Command.execute, so parsing, help, flag errors, stray arguments and the environment
// behave the same everywhere.
type Command struct {
	// Name is the word typed after its parent: "serve", or "webhook" under "contract".
	Name string
	// UsageLine follows "Usage: " and the parent's name: "serve [flags]".
	UsageLine string
	// Short is the line in the parent's command list.
	Short string
	// Long is the help text between the usage line and the flags.
	Long string
	// Env, when not empty, is the prefix of the environment variables that set each flag the
	// command line leaves unset (RECMOCK_ makes --data-dir read RECMOCK_DATA_DIR).
	Env string
	// EnvFlags, when not empty, are the only flags that read the environment: health reads
	// serve's variables for the flags it shares with serve, and no others.
	EnvFlags []string
	// Flags defines the command's flags on fs, bound to a configuration of its own, and
	// returns what runs with that configuration once the flags and the environment are
	// applied. Nil for a command without flags or run (the root).
	Flags func(fs *flag.FlagSet) runFunc
	// Args, when true, lets positional arguments through to run; otherwise they are refused.
	Args bool
	// Commands are the subcommands, chosen by the first argument.
	Commands []*Command

	parent *Command
}

// runFunc runs a command with its parsed configuration and returns the exit status.
type runFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// invocation is what one run of recmock reads and writes; tests give their own.
type invocation struct {
	stdout, stderr io.Writer
	getenv         func(string) string // never nil
}

// LongName is the command as typed: "recmock contract webhook".
func (c *Command) LongName() string {
	if c.parent == nil {
		return c.Name
	}
	return c.parent.LongName() + " " + c.Name
}

// link sets the parents of c's subcommands, recursively, and returns c.
func (c *Command) link() *Command {
	for _, sub := range c.Commands {
		sub.parent = c
		sub.link()
	}
	return c
}

// lookup returns the subcommand called name, or nil.
func (c *Command) lookup(name string) *Command {
	for _, sub := range c.Commands {
		if sub.Name == name {
			return sub
		}
	}
	return nil
}

// walk calls fn for c and every command below it, parents first.
func (c *Command) walk(fn func(*Command)) {
	fn(c)
	for _, sub := range c.Commands {
		sub.walk(fn)
	}
}

// execute parses args for c (or the subcommand they name), applies the environment, and runs.
func (c *Command) execute(ctx context.Context, inv invocation, args []string) int {
	if len(args) > 0 {
		if sub := c.lookup(args[0]); sub != nil {
			return sub.execute(ctx, inv, args[1:])
		}
	}
	fs, run, refused := c.flagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.help(inv.stdout, fs)
			return 0
		}
		msg, near := flagError(fs, err, refused)
		c.usageError(inv.stderr, msg, near)
		return 2
	}
	switch {
	case run == nil && fs.NArg() == 0: // a command that only groups others, given none
		c.help(inv.stderr, fs)
		return 2
	case run == nil:
		c.usageError(inv.stderr, fmt.Sprintf("unknown command %q", fs.Arg(0)), quote(nearest(fs.Arg(0), c.names())))
		return 2
	case fs.NArg() > 0 && !c.Args:
		near := nearest(fs.Arg(0), c.names())
		if near != "" {
			near = quote(c.LongName() + " " + near)
		}
		c.usageError(inv.stderr, fmt.Sprintf("unexpected arguments %q", fs.Args()), near)
		return 2
	}
	if c.Env != "" {
		if err := applyEnv(fs, c.varName, inv.getenv); err != nil {
			for _, e := range unjoin(err) {
				c.usageError(inv.stderr, e.Error(), "")
			}
			return 2
		}
	}
	return run(ctx, fs.Args(), inv.stdout, inv.stderr)
}

// flagSet is c's flags, quiet (errors and help are printed by execute), each value checked.
func (c *Command) flagSet() (*flag.FlagSet, runFunc, *refusal) {
	fs := flag.NewFlagSet(c.LongName(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var run runFunc
	if c.Flags != nil {
		run = c.Flags(fs)
	}
	return fs, run, checkValues(fs)
}

// usageError prints one line: what was wrong, and what the user probably meant or else where
// help is.
func (c *Command) usageError(w io.Writer, msg, suggestion string) {
	if suggestion != "" {
		fmt.Fprintf(w, "%s: %s; did you mean %s?\n", c.LongName(), msg, suggestion)
		return
	}
	fmt.Fprintf(w, "%s: %s; see '%s --help'\n", c.LongName(), msg, c.LongName())
}

// quote is s in double quotes, or "" for "".
func quote(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func (c *Command) names() []string {
	var names []string
	for _, sub := range c.Commands {
		names = append(names, sub.Name)
	}
	return names
}

// help prints the usage line, the long help, the subcommands and the flags.
func (c *Command) help(w io.Writer, fs *flag.FlagSet) {
	prefix := "recmock"
	if c.parent != nil {
		prefix = c.parent.LongName()
	}
	fmt.Fprintf(w, "Usage: %s %s\n", prefix, c.UsageLine)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.Trim(c.Long, "\n"))
	}
	if len(c.Commands) > 0 {
		fmt.Fprintf(w, "\nCommands:\n")
		for _, sub := range c.Commands {
			fmt.Fprintf(w, "  %-9s %s\n", sub.Name, sub.Short)
		}
		fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", c.LongName())
	}
	var n int
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\nFlags:\n")
	printFlags(w, fs, c.varName)
	if c.Env != "" {
		fmt.Fprint(w, envHelp)
	}
}

// varName is the environment variable that sets f, or "" when f reads none.
func (c *Command) varName(f *flag.Flag) string {
	if c.Env == "" || len(c.EnvFlags) > 0 && !slices.Contains(c.EnvFlags, f.Name) {
		return ""
	}
	return envName(c.Env, f)
}

// printFlags lists a command's flags with the double dash users type and the variable that
// also sets each, if any.
func printFlags(w io.Writer, fs *flag.FlagSet, varName func(*flag.Flag) string) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage, def := describeFlag(f)
		line := "  --" + f.Name + arg
		if v := varName(f); v != "" {
			line += "   [$" + v + "]"
		}
		fmt.Fprintf(w, "%s\n        %s", line, strings.ReplaceAll(usage, "\n", "\n        "))
		if def != "" {
			fmt.Fprintf(w, " (default %q)", def)
		}
		fmt.Fprintln(w)
	})
}

// describeFlag is what help says of f: its argument's name (" address", or "" for a bool),
// its usage, and its default when one is worth showing.
func describeFlag(f *flag.Flag) (arg, usage, def string) {
	plain := *f
	plain.Value = unwrapValue(f.Value) // UnquoteUsage names an argument by its Value's type
	arg, usage = flag.UnquoteUsage(&plain)
	if arg != "" {
		arg = " " + arg
	}
	switch f.DefValue {
	case "", "false", "0", "[]":
	default:
		def = f.DefValue
	}
	return arg, usage, def
}

// nearest is the candidate the user most likely meant by typed, or "" when none is close:
// one that typed begins, or within two edits.
func nearest(typed string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := editDistance(typed, c)
		if len(typed) > 0 && strings.HasPrefix(c, typed) {
			d = 0
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// unjoin splits an errors.Join result back into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
