package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/recmock/recmock/internal/certs"
)

// healthOpts are health's flags. Those it shares with serve read serve's variables, so in a
// container `recmock health` checks what `recmock serve` serves, configured once.
type healthOpts struct {
	url, addr         string
	tlsCert           string
	tlsSelfSigned     bool
	timeout           time.Duration
	verbose, verboseV bool
}

func healthCommand() *Command {
	return &Command{
		Name:      "health",
		UsageLine: "health [--url URL] [flags]",
		Short:     "check that a running serve answers, for container health checks",
		Long: `GETs URL/_admin/health and exits 0 when it answers {"status":"ok"}, 1 otherwise, with
one line on standard error saying why. Nothing is printed on success unless --verbose.

Without --url, the URL is serve's own, from --addr (an unspecified host such as 0.0.0.0 is
reached on 127.0.0.1), with https:// when --tls-cert or --tls-self-signed is set. These
flags read serve's variables (RECMOCK_ADDR, ...), so in a container whose serve is set up
by the environment, HEALTHCHECK CMD ["/recmock","health"] checks it with no arguments.

With --tls-cert, the certificate is trusted besides the system's roots. With
--tls-self-signed the certificate is not verified: health only asks a server on this
machine whether it is up, and sends nothing secret.`,
		Env:      envPrefix,
		EnvFlags: []string{"addr", "tls-cert", "tls-self-signed"},
		Flags: func(fs *flag.FlagSet) runFunc {
			var o healthOpts
			fs.StringVar(&o.url, "url", "", "base `URL` of the recmock to check (default: from --addr)")
			fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "serve's listen `address`, used without --url")
			fs.StringVar(&o.tlsCert, "tls-cert", "", "serve's PEM certificate `file`: use https:// and trust it")
			fs.BoolVar(&o.tlsSelfSigned, "tls-self-signed", false, "serve uses a self-signed certificate: use https:// without verifying it")
			fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "bound on the whole check")
			fs.BoolVar(&o.verbose, "verbose", false, "print the answer on success too")
			fs.BoolVar(&o.verboseV, "v", false, "short for --verbose")
			return o.run
		},
	}
}

func (o *healthOpts) run(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "recmock health: "+format+"\n", a...)
		return 1
	}
	target, err := o.target()
	if err != nil {
		fmt.Fprintf(stderr, "recmock health: %v; see 'recmock health --help'\n", err)
		return 2
	}
	tr := &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	switch {
	case o.tlsCert != "":
		tr.TLSClientConfig.RootCAs = certs.SystemPool()
		if err := certs.AppendPEMFile(tr.TLSClientConfig.RootCAs, o.tlsCert); err != nil {
			return fail("--tls-cert: %v", err)
		}
	case o.tlsSelfSigned:
		tr.TLSClientConfig.InsecureSkipVerify = true
	}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fail("%v", err)
	}
	req.Header.Set("User-Agent", "recmock-health/"+version())
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fail("%v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if err != nil {
		return fail("GET %s: reading the answer: %v", target, err)
	}
	var answer struct{ Status string }
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &answer) != nil || answer.Status != "ok" {
		return fail("GET %s: %s %s", target, res.Status, strings.TrimSpace(string(body)))
	}
	if o.verbose || o.verboseV {
		fmt.Fprintf(stdout, "%s: %s\n", target, strings.TrimSpace(string(body)))
	}
	return 0
}

// target is the health endpoint's URL.
func (o *healthOpts) target() (string, error) {
	base := strings.TrimRight(o.url, "/")
	if base == "" {
		host, port, err := net.SplitHostPort(o.addr)
		if err != nil {
			return "", fmt.Errorf("--addr %q: want host:port", o.addr)
		}
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		scheme := "http"
		if o.tlsCert != "" || o.tlsSelfSigned {
			scheme = "https"
		}
		base = scheme + "://" + net.JoinHostPort(host, port)
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return "", fmt.Errorf("--url %q: want an http:// or https:// URL", o.url)
	}
	return base + "/_admin/health", nil
}
