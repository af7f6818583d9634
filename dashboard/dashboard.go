package dashboard

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

//go:embed static
var static embed.FS

// contentTypes maps the extensions of the embedded assets to their Content-Type. It is ours
// rather than mime.TypeByExtension's, which reads the system's tables and so differs between
// machines.
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".json": "application/json",
}

// policy is the Content-Security-Policy of the page, with %s standing for the per-response
// nonce. Scripts, styles, fetches, media and frames come from the page's own origin only; the
// nonce lets the dashboard keep a captured e-mail's styles inside its sandboxed frame, and
// nothing else carries it.
const policy = "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-%s'; " +
	"img-src 'self' data:; media-src 'self'; connect-src 'self'; frame-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// asset is one embedded file, ready to serve.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

type handler struct {
	index  *template.Template
	assets map[string]asset // by URL path, "/ui/app.js"
}

var (
	_ http.Handler = (*handler)(nil)

	load = sync.OnceValue(newHandler)
)

// Handler serves the dashboard: the page at "/" and the embedded assets below "/ui/", for GET
// and HEAD. The page is never cached (it carries a fresh CSP nonce); assets are revalidated
// with their ETag. Anything else answers recmock's failure envelope: 404 for an unknown path,
// 405 for another method.
func Handler() http.Handler { return load() }

func newHandler() *handler {
	h := &handler{assets: map[string]asset{}}
	err := fs.WalkDir(static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(name)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(name, "static/")
		if rel == "index.html" {
			h.index, err = template.New(rel).Parse(string(body))
			return err
		}
		ctype, ok := contentTypes[path.Ext(rel)]
		if !ok {
			return fmt.Errorf("dashboard: no content type for %s", rel)
		}
		sum := sha256.Sum256(body)
		h.assets["/ui/"+rel] = asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err == nil && h.index == nil {
		err = fmt.Errorf("dashboard: static/index.html is missing")
	}
	if err != nil {
		// The files are compiled in; a broken set is a bug that every test catches.
		panic(err)
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, isAsset := h.assets[r.URL.Path]
	if r.URL.Path != "/" && !isAsset {
		wire.WriteError(w, recmock.Errorf(recmock.CodeNotFound, "no dashboard page or asset at %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		wire.WriteError(w, recmock.Errorf(recmock.CodeMethodNotAllowed, "%s %s; allowed: GET, HEAD", r.Method, r.URL.Path))
		return
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	if isAsset {
		hd.Set("Content-Type", a.ctype)
		hd.Set("Cache-Control", "no-cache")
		hd.Set("ETag", a.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
		return
	}
	h.serveIndex(w, r)
}

// page is what index.html is executed with.
type page struct {
	Nonce   string
	Version string
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	var b [18]byte
	rand.Read(b[:])
	p := page{Nonce: base64.RawURLEncoding.EncodeToString(b[:]), Version: recmock.Version()}
	var buf bytes.Buffer
	if err := h.index.Execute(&buf, p); err != nil {
		wire.WriteError(w, recmock.Errorf(recmock.CodeInternal, "dashboard page: %w", err))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", fmt.Sprintf(policy, p.Nonce))
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
