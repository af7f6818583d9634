package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var apiAnyRE = regexp.MustCompile(`(?m)^\s+API\s+(https?://\S+)/rest/recording/notifications$`)

// serveURL is the API base URL in serve's startup lines.
func serveURL(t *testing.T, startup string) string {
	t.Helper()
	m := apiAnyRE.FindStringSubmatch(startup)
	if m == nil {
		t.Fatalf("no API line in:\n%s", startup)
	}
	return m[1]
}

// TestHealth: health exits 0 silently against a running serve, reached by --url or by the
// RECMOCK_ADDR serve itself reads (over TLS too), and 1 with one line saying why otherwise.
func TestHealth(t *testing.T) {
	plain := serveURL(t, startInProcess(t, freePorts(nil), "serve"))
	tlsEnv := freePorts(map[string]string{"RECMOCK_TLS_SELF_SIGNED": "true"})
	secure := serveURL(t, startInProcess(t, tlsEnv, "serve"))
	certFile, keyFile := certFiles(t)
	withCert := serveURL(t, startInProcess(t, freePorts(nil), "serve", "--tls-cert", certFile, "--tls-key", keyFile))
	notRecmock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	defer notRecmock.Close()
	hostPort := func(u string) string { p, _ := url.Parse(u); return p.Host }

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string
		stderr string // a regexp
	}{
		{"--url", nil, []string{"--url", plain}, 0, "", ""},
		{"-v", nil, []string{"--url", plain + "/", "-v"}, 0, plain + `/_admin/health: {"status":"ok"}` + "\n", ""},
		{"serve's RECMOCK_ADDR", map[string]string{"RECMOCK_ADDR": hostPort(plain)}, nil, 0, "", ""},
		{"an unspecified host is reached on loopback", map[string]string{"RECMOCK_ADDR": "0.0.0.0:" + strings.Split(hostPort(plain), ":")[1]}, nil, 0, "", ""},
		{"self-signed, configured as serve is", map[string]string{"RECMOCK_ADDR": hostPort(secure), "RECMOCK_TLS_SELF_SIGNED": "true"}, nil, 0, "", ""},
		{"certificate file, configured as serve is", map[string]string{"RECMOCK_ADDR": hostPort(withCert), "RECMOCK_TLS_CERT": certFile}, nil, 0, "", ""},
		{"certificate file unknown", nil, []string{"--url", withCert}, 1, "", `^recmock health: Get "https://127\.0\.0\.1:\d+/_admin/health": tls: failed to verify certificate: x509: certificate signed by unknown authority\n$`},
		{"HTTP to a TLS port", nil, []string{"--url", strings.Replace(secure, "https", "http", 1)}, 1, "", `^recmock health: GET http://\S+: 400 Bad Request Client sent an HTTP request to an HTTPS server\.\n$`},
		{"nothing listening", nil, []string{"--addr", "127.0.0.1:1"}, 1, "", `^recmock health: Get "http://127\.0\.0\.1:1/_admin/health": dial tcp 127\.0\.0\.1:1: connect: connection refused\n$`},
		{"not recmock", nil, []string{"--url", notRecmock.URL}, 1, "", `^recmock health: GET http://\S+/_admin/health: 200 OK hello\n$`},
		{"variables health does not share with serve are ignored", map[string]string{"RECMOCK_URL": "http://127.0.0.1:1", "RECMOCK_ADDR": hostPort(plain)}, nil, 0, "", ""},
		{"not a URL", nil, []string{"--url", "127.0.0.1:8080"}, 2, "", `^recmock health: --url "127\.0\.0\.1:8080": want an http:// or https:// URL; see 'recmock health --help'\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runRecmock(t, tt.env, append([]string{"health"}, tt.args...)...)
			if code != tt.code || stdout != tt.stdout || !regexp.MustCompile(tt.stderr).MatchString(stderr) || (tt.stderr == "") != (stderr == "") {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %s", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
