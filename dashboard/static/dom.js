// DOM helpers. Text always goes in as text nodes, never as HTML: nothing the API answers can
// become markup in the dashboard.

// h builds an element: h('a', {href: '/x', class: 'more', onclick: fn}, 'text', child...).
// Attributes that are null, undefined or false are left out; true sets an empty attribute.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k in PROPS) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// Properties set as such rather than as attributes.
const PROPS = {value: 1, checked: 1, open: 1, srcdoc: 1};

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// reconcile makes container's children the elements of items, in order, reusing the element
// of every item whose key and content are unchanged, so that what the user opened, focused or
// scrolled stays as it is while new items arrive. build(item) makes an item's element;
// a rebuilt element keeps the open state of its <details>.
export function reconcile(container, items, keyOf, build, {fresh = false} = {}) {
  const old = new Map();
  for (const el of container.children) {
    if (el.dataset.key !== undefined) old.set(el.dataset.key, el);
  }
  const els = items.map((item) => {
    const key = String(keyOf(item));
    const sig = JSON.stringify(item);
    let el = old.get(key);
    if (el && el.dataset.sig === sig) return el;
    const made = build(item);
    made.dataset.key = key;
    made.dataset.sig = sig;
    if (el) keepOpen(el, made);
    else if (fresh) made.classList.add('fresh');
    return made;
  });
  let ref = container.firstChild;
  for (const el of els) {
    if (el === ref) ref = ref.nextSibling;
    else container.insertBefore(el, ref);
  }
  while (ref) {
    const next = ref.nextSibling;
    ref.remove();
    ref = next;
  }
}

function keepOpen(from, to) {
  const a = [from, ...from.querySelectorAll('details')].filter((e) => e.tagName === 'DETAILS');
  const b = [to, ...to.querySelectorAll('details')].filter((e) => e.tagName === 'DETAILS');
  a.forEach((d, i) => { if (b[i]) b[i].open = d.open; });
}

// badge is a status word in a coloured pill: ok, failed, skipped, pending, or an HTTP status.
export function badge(word, kind) {
  return h('span', {class: `badge ${kind || badgeKind(word)}`}, String(word));
}

function badgeKind(word) {
  if (typeof word === 'number') {
    if (word >= 500) return 'bad';
    if (word >= 400) return 'warn';
    return 'good';
  }
  return {ok: 'good', failed: 'bad', skipped: 'muted', pending: 'info', on: 'good', off: 'muted'}[word] || 'muted';
}

// time writes an RFC 3339 timestamp as the reader's local time, keeping the full value in
// the element's datetime and title.
export function time(iso) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, iso);
  return h('time', {datetime: iso, title: d.toString()}, d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'}));
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function ms(v) {
  if (v === undefined || v === null) return '—';
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

// pretty indents JSON text; anything else is returned as it is.
export function pretty(text) {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function pre(text, cls) {
  return h('pre', {class: cls || 'code', tabindex: 0}, text);
}

// dl builds a definition list from [term, value] pairs, skipping pairs whose value is null.
export function dl(pairs, cls) {
  return h('dl', {class: cls || 'kv'}, pairs.filter((p) => p && p[1] !== null && p[1] !== undefined)
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function empty(text) {
  return h('p', {class: 'empty'}, text);
}

export function downloadURL(bucket, key) {
  return `/_admin/objects/download?${new URLSearchParams({bucket, key})}`;
}

export function basename(key) {
  return key.slice(key.lastIndexOf('/') + 1);
}

// arm makes button destructive in two steps: the first click asks (showing armedLabel for a
// few seconds), the second runs action. A failure shows on the button for a moment.
export function arm(button, armedLabel, action) {
  const label = button.textContent;
  let timer = 0;
  const restore = (after) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
      button.classList.remove('armed');
    }, after);
  };
  button.addEventListener('click', async () => {
    if (!button.classList.contains('armed')) {
      button.classList.add('armed');
      button.textContent = armedLabel;
      restore(4000);
      return;
    }
    clearTimeout(timer);
    button.disabled = true;
    try {
      await action();
      button.textContent = label;
      button.classList.remove('armed');
    } catch (e) {
      button.textContent = `Failed: ${e.message}`;
      restore(4000);
    } finally {
      button.disabled = false;
    }
  });
}

// sum is the two-line view of a list item: badges, the main text (cut to one line) and the
// time, then the details in a muted line.
export function sum({lead, main, at, sub}) {
  return h('span', {class: 'sum'},
    h('span', {class: 'sum-top'}, lead, h('span', {class: 'sum-main'}, main), time(at)),
    sub && sub.length ? h('span', {class: 'sum-sub'}, sub) : null);
}
