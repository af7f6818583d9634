//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package proxy

import "net"

// canCheckIdle is false here: every exchange goes through http.Transport.
const canCheckIdle = false

func rawConn(net.Conn) any  { return nil }
func idleConnOpen(any) bool { return false }
