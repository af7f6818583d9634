package main

import (
	"context"
	"fmt"
	"io"
)

// runContract is being built; see the issue tracker.
func runContract(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "recmock contract: not built yet")
	return 1
}
