// Inbox: the mail the SMTP sink caught, newest first, one message read at a time. The list
// holds summaries only; the message shown is fetched whole, once. Its HTML is shown in an
// iframe with sandbox="" (no scripts, an opaque origin) and srcdoc.
import {h, dl, time, bytes, pre, reconcile, empty, arm, sum} from './dom.js';
import {call} from './api.js';

let app;
let selected = null; // the message shown
let picked = false; // whether the reader chose it; if not, the newest is shown
let shownSig = null; // what show drew last
let whole = null; // {id, message, error}: the message shown, as GET /_admin/emails/{id} answered

export function init(a) {
  app = a;
}

export function render(state, changed, loaded) {
  if (!changed.has('emails')) return;
  const st = state.emails;
  const notice = document.getElementById('inbox-notice');
  notice.hidden = !st.error;
  notice.textContent = st.error ? `The inbox is not available: ${st.error.message}` : '';
  const items = (st.data && st.data.items) || [];
  const list = document.getElementById('mail-list');
  if (!items.length) {
    list.replaceChildren(empty(st.error ? 'No messages to show.' : 'No e-mail yet. Simulate a recording for an account with e-mail addresses.'));
    show(null);
    return;
  }
  if (!picked || !items.some((m) => m.id === selected)) {
    selected = items[0].id;
    picked = false;
  }
  reconcile(list, items, (m) => m.id, row, {fresh: loaded});
  mark();
  open(items.find((m) => m.id === selected));
}

// open shows a message of the list, fetching it whole the first time.
async function open(m) {
  if (!m) {
    show(null);
    return;
  }
  if (!whole || whole.id !== m.id) {
    try {
      const {data} = await call('GET', `/_admin/emails/${encodeURIComponent(m.id)}`);
      whole = {id: m.id, message: data};
    } catch (e) {
      whole = {id: m.id, error: e};
    }
  }
  if (m.id !== selected) return; // another message was picked meanwhile
  if (whole.error) {
    showError(whole.error);
    whole = null; // try again on the next poll
    return;
  }
  show(whole.message);
}

function showError(err) {
  const view = document.getElementById('mail-view');
  shownSig = null;
  view.hidden = false;
  view.replaceChildren(h('p', {class: 'notice', role: 'alert'}, `This message could not be read: ${err.message}`));
}

// summary is the short view of a message, for the overview.
export function summary(m) {
  return sum({main: h('strong', {}, m.subject || '(no subject)'), at: m.created, sub: [`to ${m.to.join(', ')}`]});
}

function row(m) {
  return h('li', {},
    h('button', {type: 'button', class: 'mail-row', 'data-id': m.id, onclick: () => {
      selected = m.id;
      picked = true;
      mark();
      open(app.state.emails.data.items.find((x) => x.id === m.id));
    }},
    h('span', {class: 'subject'}, m.subject || '(no subject)'),
    h('span', {class: 'meta'}, h('span', {class: 'to'}, m.to.join(', ')), time(m.created))));
}

function mark() {
  for (const b of document.querySelectorAll('#mail-list .mail-row')) {
    if (b.dataset.id === selected) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}

function show(m) {
  const view = document.getElementById('mail-view');
  const sig = m ? JSON.stringify(m) : '';
  if (sig === shownSig) return;
  shownSig = sig;
  if (!m) {
    view.replaceChildren();
    view.hidden = true;
    return;
  }
  view.hidden = false;
  const link = recordingLink(m);
  const del = h('button', {type: 'button', class: 'danger small'}, 'Delete');
  arm(del, 'Click again to delete', async () => {
    await call('DELETE', `/_admin/emails/${encodeURIComponent(m.id)}`);
    picked = false;
    await app.refresh();
  });
  view.replaceChildren(...[
    h('header', {class: 'mail-head'},
      h('h3', {}, m.subject || '(no subject)'),
      dl([
        ['From', m.from],
        ['To', m.to.join(', ')],
        ['Received', [time(m.created), ` · ${bytes(m.size)}`]],
        ['Recording', link ? h('a', {href: link, class: 'url recording-link', title: link, target: '_blank', rel: 'noreferrer'}, link) : h('span', {class: 'muted'}, 'no link found')],
      ]),
      h('p', {class: 'buttons'},
        h('a', {href: `/_admin/emails/${encodeURIComponent(m.id)}/raw`, download: `message-${m.id}.eml`, class: 'button small'}, 'Raw source (.eml)'),
        del)),
    m.parseError && h('p', {class: 'alert error'}, `The MIME structure could not be parsed: ${m.parseError}`),
    m.html && h('section', {class: 'part', 'aria-label': 'HTML part'},
      h('h4', {}, 'HTML'),
      h('iframe', {class: 'mail-html', sandbox: '', srcdoc: mailDoc(m.html), title: `HTML part of "${m.subject}"`, referrerpolicy: 'no-referrer'})),
    m.text && h('section', {class: 'part', 'aria-label': 'Text part'}, h('h4', {}, 'Text'), pre(m.text, 'mail-text')),
    m.attachments?.length ? h('section', {class: 'part'}, h('h4', {}, 'Attachments'),
      h('ul', {class: 'plain'}, m.attachments.map((a) => h('li', {}, `${a.filename || '(unnamed)'} · ${a.contentType} · ${bytes(a.size)}`)))) : null,
    h('details', {class: 'part'}, h('summary', {}, 'Headers'),
      dl(Object.keys(m.headers || {}).sort().map((k) => [k, m.headers[k].join('\n')]), 'kv headers')),
  ].filter(Boolean));
}

// recordingLink finds the retrievalUrl in a message: the first link to an .mp4 or a presigned
// URL in its text, else its first link.
export function recordingLink(m) {
  const urls = `${m.text || ''}\n${m.html || ''}`.match(/https?:\/\/[^\s<>"']+/g) || [];
  const clean = urls.map((u) => u.replace(/&amp;/g, '&').replace(/[.,;)]+$/, ''));
  return clean.find((u) => /X-Amz-Signature=|\.mp4(\?|$)/.test(u)) || clean[0] || '';
}

// mailDoc prepares a message's HTML for the sandboxed frame. The frame inherits the page's
// Content-Security-Policy, which refuses inline styles and handlers, and so does the parser
// used here. So before parsing, the message's style elements are taken out, its style
// attributes renamed and its on* handlers dropped; then its styles come back as rules in one
// style element that carries the page's nonce. Scripts, refreshes, frames and remote images,
// which the sandbox or the policy would refuse, are dropped; data: images stay.
export function mailDoc(html) {
  const nonce = document.querySelector('link[rel="stylesheet"]').nonce;
  const sheets = [];
  const source = html
    .replace(styleElement, (m, css) => {
      sheets.push(css);
      return '';
    })
    .replace(startTag, cleanTag);
  const doc = new DOMParser().parseFromString(source, 'text/html');
  for (const el of doc.querySelectorAll('script, noscript, style, link, meta[http-equiv], base, object, embed, iframe, frame')) el.remove();
  const rules = [];
  doc.querySelectorAll(`[${styleAttr}]`).forEach((el, i) => {
    const decls = declarations(el.getAttribute(styleAttr));
    el.removeAttribute(styleAttr);
    if (!decls) return;
    el.setAttribute(styleAttr, String(i));
    rules.push(`[${styleAttr}="${i}"] { ${decls} }`);
  });
  for (const img of doc.querySelectorAll('img')) {
    img.removeAttribute('srcset');
    if (!/^data:image\//i.test(img.getAttribute('src') || '')) {
      img.removeAttribute('src');
      img.setAttribute('alt', img.getAttribute('alt') || '[remote image not loaded]');
    }
  }
  for (const a of doc.querySelectorAll('a[href]')) {
    if (/^\s*javascript:/i.test(a.getAttribute('href'))) a.removeAttribute('href');
  }
  const style = doc.createElement('style');
  style.setAttribute('nonce', nonce);
  style.textContent = ['html { color-scheme: light; background: #fff; color: #111; font-family: system-ui, sans-serif; }', ...sheets, ...rules].join('\n');
  doc.head.prepend(style);
  return `<!DOCTYPE html>\n${doc.documentElement.outerHTML}`;
}

const styleAttr = 'data-recmock-style';
const styleElement = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
// A start tag with its attributes, quoted values included; then one attribute of it.
const startTag = /<[a-zA-Z][^\s/>]*(?:\s+[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*\s*\/?>/g;
const attribute = /(\s+)([^\s/>"'=]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?/g;

function cleanTag(tag) {
  const name = tag.match(/^<[^\s/>]+/)[0];
  return name + tag.slice(name.length).replace(attribute, (m, space, attr, value) => {
    const n = attr.toLowerCase();
    if (n.startsWith('on')) return '';
    if (n === 'style') return `${space}${styleAttr}${value || ''}`;
    return m;
  });
}

// declarations reads a style attribute's CSS through the CSS object model, which the page's
// policy allows, and marks each declaration !important, as an attribute outranks rules.
function declarations(css) {
  if (!css) return '';
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(`x { ${css} }`);
  } catch {
    return '';
  }
  const rule = sheet.cssRules[0];
  if (!rule || !rule.style) return '';
  const out = [];
  for (let j = 0; j < rule.style.length; j++) {
    const p = rule.style[j];
    out.push(`${p}: ${rule.style.getPropertyValue(p)} !important`);
  }
  return out.join('; ');
}
