package pgtest

import (
	"os"
	"syscall"
)

// runAs returns how to start PostgreSQL's programs so they may own dir: as this user, or, as
// root, as serverUser, with dir handed to it. The server gets SIGQUIT (immediate shutdown)
// when the test binary dies, so no server outlives its tests.
func runAs(dir string) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if os.Geteuid() != 0 {
		return attr, nil
	}
	uid, gid, err := serverUser()
	if err != nil {
		return nil, err
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return attr, nil
}
