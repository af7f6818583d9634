//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package proxy

import (
	"net"
	"syscall"
)

// canCheckIdle says whether this platform can tell an idle connection the upstream closed
// from one it keeps, which upstreamTransport needs before it reuses one.
const canCheckIdle = true

func rawConn(c net.Conn) any {
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			return rc
		}
	}
	return nil
}

// idleConnOpen peeks at an idle connection without waiting: open if there is nothing to
// read yet; closed (or unusable) if the upstream hung up, reset it, or sent bytes nobody
// asked for. It is what http.Transport's reader goroutine learns while a connection idles.
func idleConnOpen(raw any) bool {
	rc, ok := raw.(syscall.RawConn)
	if !ok {
		return false
	}
	open := false
	var b [1]byte
	err := rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = n < 0 && (err == syscall.EAGAIN || err == syscall.EWOULDBLOCK)
		return true // never wait for readiness
	})
	return err == nil && open
}
