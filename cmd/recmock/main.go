// Command recmock is a mock server and contract-testing toolkit for the Temasys Recording
// Notification API. It only parses flags and wires the library packages together.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// root is the recmock command and, below it, every subcommand in the order help lists
// them. It is built per run: commands hold no state between runs.
func root() *Command {
	r := &Command{
		Name:      "recmock",
		UsageLine: "<command> [flags]",
		Long:      "recmock " + version() + ": mock server and contract tests for the Temasys Recording Notification API",
		Commands: []*Command{
			serveCommand(),
			simulateCommand(),
			receiveCommand(),
			healthCommand(),
			contractCommand(),
			proxyCommand(),
			specCommand(),
			versionCommand(),
		},
	}
	r.Commands = append(r.Commands, helpCommand(r))
	return r.link()
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run runs recmock with args (without the program name) and returns the exit status: 0, 1
// when the command failed, 2 for a usage error. getenv is the environment (nil: empty), so
// tests never depend on the process's.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if len(args) > 0 && (args[0] == "-version" || args[0] == "--version") {
		args = append([]string{"version"}, args[1:]...)
	}
	return root().execute(ctx, invocation{stdout: stdout, stderr: stderr, getenv: getenv}, args)
}

// helpCommand is "recmock help [command...]": the help of root or of the command named.
func helpCommand(root *Command) *Command {
	return &Command{
		Name:      "help",
		UsageLine: "help [command [subcommand]]",
		Short:     "show this help, or a command's",
		Long: `Prints the help of recmock, or of the command named, as --help does:
'recmock help contract webhook' is 'recmock contract webhook --help'.`,
		Args: true,
		Flags: func(*flag.FlagSet) runFunc {
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
				c := root
				for _, name := range args {
					if strings.HasPrefix(name, "-") { // recmock help serve --help
						break
					}
					sub := c.lookup(name)
					if sub == nil {
						c.usageError(stderr, fmt.Sprintf("unknown command %q", name), quote(nearest(name, c.names())))
						return 2
					}
					c = sub
				}
				fs, _, _ := c.flagSet()
				c.help(stdout, fs)
				return 0
			}
		},
	}
}
