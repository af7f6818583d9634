package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/recmock/recmock"
)

func version() string { return recmock.Version() }

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("recmock version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	fmt.Fprintf(stdout, "recmock %s\n", version())
	return 0
}

func runSpec(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("recmock spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: recmock spec\n\nPrints openapi.yaml, byte for byte, to standard output.\n")
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if _, err := stdout.Write(recmock.SpecYAML()); err != nil {
		fmt.Fprintf(stderr, "recmock spec: %v\n", err)
		return 1
	}
	return 0
}

// flagExit is the exit status for a flag parsing error: 0 for -h, 2 otherwise, as the flag
// package does.
func flagExit(err error) int {
	if err == flag.ErrHelp {
		return 0
	}
	return 2
}
