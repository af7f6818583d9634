package main

import (
	"context"
	"fmt"
	"io"
)

// runSimulate is being built; see the issue tracker.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "recmock simulate: not built yet")
	return 1
}
