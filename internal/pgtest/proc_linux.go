package pgtest

import (
	"os"
	"path/filepath"
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

// tempBase is where the cluster's directory goes: the usual temporary directory, unless the
// server, running as another user than root, could not reach it (TMPDIR under /root, say).
func tempBase() string {
	base := os.TempDir()
	if os.Geteuid() != 0 {
		return base
	}
	for dir := base; ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if dir == filepath.Dir(dir) {
			return base
		}
	}
}
