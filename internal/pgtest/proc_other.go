//go:build !linux

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

// runAs returns how to start PostgreSQL's programs. Outside Linux only a non-root user can.
func runAs(string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("pgtest: PostgreSQL refuses to run as root; run the tests as another user")
	}
	return nil, nil
}

// tempBase is where the cluster's directory goes: the usual temporary directory.
func tempBase() string { return "" }
