// Package dashboard is recmock serve's web dashboard: HTML, CSS and JavaScript, embedded in
// the binary, that show and drive the admin API from a browser.
//
// [Handler] serves the page at "/" and its assets below "/ui/"; mock.Config.UI mounts it. The
// page talks only to /_admin/ on the same origin: it lists each account's settings and edits
// them through PUT /_admin/settings/{username} (the API's input rules, with each field's error
// shown next to the field), simulates recordings through POST /_admin/recordings, and shows
// webhook deliveries, the SMTP sink's inbox, the fake S3's objects and the request journal.
// It polls those lists about once a second and redraws only what changed, so a webhook or an
// e-mail appears while one watches.
//
// The admin API masks secrets; the Reveal button asks it for them with ?reveal=1, and the
// settings form sends the masked "***" back to keep a secret it never saw. Every request
// but a GET is declared application/json, which is all the admin API takes from a browser.
// When the admin API wants its token (serve on a non-loopback address), the page asks for it
// in a form; the one-time URL serve prints, /?token=TOKEN, signs in as well, through a cookie
// the mock sets.
//
// Everything works offline: there is no CDN, no framework and no build step; the scripts are
// plain ES modules. The page is served with a Content-Security-Policy that allows scripts,
// styles, frames and fetches from the same origin only, so neither inline scripts nor inline
// styles run. A captured e-mail's HTML part is shown in an iframe with sandbox="" and srcdoc
// (no scripts, an opaque origin); its own styles are kept by moving them into style elements
// that carry the page's per-response CSP nonce.
package dashboard
