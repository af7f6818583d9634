package mock

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

// The guard decides who may use the server at all, before any routing: the Host check keeps
// DNS rebinding out (a page of evil.example whose name was made to point at 127.0.0.1), the
// cross-site checks keep pages of other origins from changing state through the admin API
// (a form or a no-cors fetch needs no permission to POST), and the admin token keeps other
// people out when recmock listens where they can reach it. The vendor API is subject to the
// Host check only: its clients authenticate with Basic credentials and call it from anywhere.

// MinTokenBytes is the shortest admin token New accepts.
const MinTokenBytes = 16

// tokenCookiePrefix names the dashboard's cookie; the port follows, as Jupyter does, since
// cookies are shared by every port of a host and two recmocks must not overwrite each other's.
const tokenCookiePrefix = "recmock_admin_"

type guard struct {
	anyHost bool
	hosts   []string // AllowedHosts, lower case: "name", "name:port" or ".suffix"
	token   [32]byte // sha256 of the admin token, compared in constant time
	cookie  string   // the dashboard cookie's value, derived from the token
	needed  bool     // a token is configured
}

func newGuard(cfg Config) (*guard, error) {
	g := &guard{anyHost: cfg.AnyHost}
	for _, h := range cfg.AllowedHosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || h == "." || strings.ContainsAny(h, "/@?#* ") {
			return nil, fmt.Errorf("mock: allowed host %q: give a name such as recmock.test, recmock.test:8080 or .team.example (that name and every name below it), without a scheme or path", h)
		}
		g.hosts = append(g.hosts, strings.TrimSuffix(h, "."))
	}
	if t := cfg.AdminToken; t != "" {
		if len(t) < MinTokenBytes {
			return nil, fmt.Errorf("mock: the admin token has %d characters; give at least %d (openssl rand -hex 16 makes one), or none to let serve generate it", len(t), MinTokenBytes)
		}
		for _, c := range []byte(t) {
			if c <= ' ' || c > '~' {
				return nil, fmt.Errorf("mock: the admin token must be printable ASCII without blanks, as it travels in a header and a URL")
			}
		}
		g.needed = true
		g.token = sha256.Sum256([]byte(t))
		c := sha256.Sum256([]byte("recmock dashboard cookie\x00" + t))
		g.cookie = fmt.Sprintf("%x", c[:])
	}
	return g, nil
}

func forbidden(format string, args ...any) error {
	return recmock.Errorf(recmock.CodeForbidden, format, args...)
}

// checkHost refuses a Host header that a rebound DNS name would send. IP literals, localhost
// and *.localhost cannot be rebound, whatever their port (an SSH tunnel or a port forward
// changes the port and proves nothing); any other name must be allowed by name.
func (g *guard) checkHost(r *http.Request) error {
	if g.anyHost || r.Host == "" || hostAllowed(r.Host, true, g.hosts) {
		return nil
	}
	host := r.Host
	if len(host) > 100 {
		host = host[:100] + "..."
	}
	return forbidden("Host %s is not this server; serve --allowed-host adds names", host)
}

// hostAllowed reports whether hostport is an allowed name, or, with literals, an IP literal
// or a localhost name.
func hostAllowed(hostport string, literals bool, allowed []string) bool {
	hostport = strings.ToLower(hostport)
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if literals {
		if _, err := netip.ParseAddr(host); err == nil {
			return true
		}
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return true
		}
	}
	for _, a := range allowed {
		switch {
		case a[0] == '.':
			if host == a[1:] || strings.HasSuffix(host, a) {
				return true
			}
		case a == host || a == hostport:
			return true
		}
	}
	return false
}

// checkCrossSite refuses what a page of another origin can make a browser send, and what a
// browser sends without asking first. Clients that are not browsers send neither Origin nor
// Sec-Fetch-* headers, and keep working as before (curl -d included).
func (g *guard) checkCrossSite(r *http.Request) error {
	if origin := r.Header.Get("Origin"); origin != "" && !g.sameOrigin(r, origin) {
		if len(origin) > 100 {
			origin = origin[:100] + "..."
		}
		return forbidden("cross-site request refused: Origin %s is not this server", origin)
	}
	// same-site is refused too: another port of localhost is another program (a dev server,
	// a notebook), not this one.
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		if !isNavigation(r) {
			return forbidden("cross-site request refused: Sec-Fetch-Site is %s; the admin API answers its own dashboard, and clients that are not browsers", quote(site))
		}
	}
	if changesState(r.Method) && fromBrowser(r) {
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			if ct == "" {
				ct = "no Content-Type"
			}
			return forbidden("cross-site request refused: a browser sent %s %s with %s; from a browser, the admin API takes only application/json, which another site's page cannot send without asking", r.Method, r.URL.Path, quote(ct))
		}
	}
	return nil
}

// sameOrigin reports whether origin is this server's own, as the request reached it: the
// scheme's host and port are the Host header, or an allowed name (a reverse proxy that
// rewrites Host).
func (g *guard) sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		return false // "null" among them: a sandboxed frame, a file or data URL
	}
	def := map[string]string{"http": ":80", "https": ":443"}[u.Scheme]
	norm := func(h string) string { return strings.TrimSuffix(strings.ToLower(h), def) }
	return norm(u.Host) == norm(r.Host) || hostAllowed(u.Host, false, g.hosts)
}

// isNavigation reports whether a request is the top-level load of a link the user followed:
// reading an admin answer in a tab is harmless, and the page that linked cannot read it.
func isNavigation(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.Header.Get("Sec-Fetch-Mode") == "navigate" && r.Header.Get("Sec-Fetch-Dest") == "document"
}

func changesState(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// fromBrowser reports whether a browser sent the request: browsers send Origin on every
// request that may change state, and the Sec-Fetch-* headers on every request at all.
func fromBrowser(r *http.Request) bool {
	if r.Header.Get("Origin") != "" {
		return true
	}
	for k := range r.Header {
		if strings.HasPrefix(k, "Sec-Fetch-") {
			return true
		}
	}
	return false
}

// checkToken accepts the admin token as "Authorization: Bearer TOKEN" or as the dashboard's
// cookie; without a configured token everything passes.
func (g *guard) checkToken(r *http.Request) error {
	if !g.needed {
		return nil
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return unauthorized("the Authorization header is not a Bearer token; send Authorization: Bearer TOKEN (the admin token)")
		}
		if g.tokenIs(strings.TrimSpace(tok)) {
			return nil
		}
		return unauthorized("the admin token is wrong")
	}
	if c, err := r.Cookie(cookieName(r)); err == nil {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(g.cookie)) == 1 {
			return nil
		}
		return unauthorized("the dashboard's cookie is not for this server's admin token (was recmock restarted with another?); open the dashboard URL with ?token= again")
	}
	return unauthorized("the admin API needs the admin token: send Authorization: Bearer TOKEN, or open the dashboard URL that serve printed (/?token=...) once")
}

func (g *guard) tokenIs(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], g.token[:]) == 1
}

func unauthorized(msg string) error {
	return &recmock.Error{Code: recmock.CodeUnauthorized, Message: msg}
}

// cookieName is the dashboard cookie's name for the port the request was sent to.
func cookieName(r *http.Request) string {
	port := "80"
	if _, p, err := net.SplitHostPort(r.Host); err == nil && p != "" {
		port = p
	}
	return tokenCookiePrefix + port
}

// checkAdmin runs the cross-site checks and, for all but GET /_admin/health (which container
// health checks call without credentials, and which answers nothing but "ok"), the token.
func (g *guard) checkAdmin(r *http.Request) error {
	if err := g.checkCrossSite(r); err != nil {
		return err
	}
	if r.URL.Path == "/_admin/health" && r.Method == http.MethodGet {
		return nil
	}
	return g.checkToken(r)
}

// refuse answers a guard's error; a 401 challenges for the Bearer token rather than Basic,
// which would make a browser pop up a password dialog.
func refuse(w http.ResponseWriter, err error) {
	if recmock.ErrorCode(err) == recmock.CodeUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="recmock admin"`)
	}
	wire.WriteError(w, err)
}

// login serves GET /?token=TOKEN, the one-time URL serve prints: a right token sets the
// dashboard's cookie (HttpOnly, so no script reads it; SameSite=Strict, so no other site's
// page sends it) and redirects to the same URL without the token, which so leaves the address
// bar and the history. Without a configured token the parameter is only dropped.
func (g *guard) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("token")
	q.Del("token")
	if g.needed {
		if !g.tokenIs(tok) {
			refuse(w, unauthorized("the token in this URL is not this server's admin token; open the URL serve printed at startup"))
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name:     cookieName(r),
			Value:    g.cookie,
			Path:     "/",
			HttpOnly: true,
			SameSite: http.SameSiteStrictMode,
			// Behind a TLS proxy the cookie must not go out in clear; a forged header can only
			// keep the cookie from the one who forged it.
			Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
		})
	}
	to := "/"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// mayReveal decides ?reveal=1, which answers secrets unmasked: the token, when one is
// configured, has been checked already; what is left is that a browser asks from this
// server's own pages only (the dashboard's Reveal button), never from a link on another site.
func mayReveal(r *http.Request) (bool, error) {
	if on, err := strconv.ParseBool(r.URL.Query().Get("reveal")); err != nil || !on {
		return false, nil // openapi.yaml has refused anything but a boolean
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
		return true, nil
	default:
		return false, forbidden("reveal refused: Sec-Fetch-Site is %s; ?reveal=1 answers secrets only to this server's own pages and to clients that are not browsers", quote(site))
	}
}
