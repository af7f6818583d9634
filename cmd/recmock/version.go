package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/recmock/recmock"
)

func version() string { return recmock.Version() }

func versionCommand() *Command {
	return &Command{
		Name:      "version",
		UsageLine: "version",
		Short:     "print the version",
		Long: `Prints recmock's version (also 'recmock --version'): the release, or the module version
go install recorded, then the commit, its date and the Go toolchain, e.g.
recmock v1.2.3 (commit abcdef012345, 2026-12-03, go1.26.8).`,
		Flags: func(*flag.FlagSet) runFunc {
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
				fmt.Fprintf(stdout, "recmock %s\n", recmock.ReadBuild())
				return 0
			}
		},
	}
}

func specCommand() *Command {
	return &Command{
		Name:      "spec",
		UsageLine: "spec",
		Short:     "print openapi.yaml",
		Long:      "Prints openapi.yaml, byte for byte, to standard output.",
		Flags: func(*flag.FlagSet) runFunc {
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
				if _, err := stdout.Write(recmock.SpecYAML()); err != nil {
					fmt.Fprintf(stderr, "recmock spec: %v\n", err)
					return 1
				}
				return 0
			}
		},
	}
}
