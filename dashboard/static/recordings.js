// Recordings: the objects in the fake S3, with a download link and an inline player.
import {h, time, bytes, reconcile, empty, downloadURL, basename, sum} from './dom.js';

export function render(state, changed, loaded) {
  if (!changed.has('objects')) return;
  const st = state.objects;
  const notice = document.getElementById('objects-notice');
  notice.hidden = !st.error;
  notice.textContent = st.error ? `The fake S3 is not available: ${st.error.message}` : '';
  const list = document.getElementById('objects');
  const items = newestFirst((st.data && st.data.items) || []);
  if (!items.length) {
    list.replaceChildren(empty(st.error ? 'No objects to show.' : 'No recording yet. Simulate one: its MP4 lands here.'));
    return;
  }
  reconcile(list, items, (o) => `${o.bucket}/${o.key}`, item, {fresh: loaded});
}

// newestFirst orders objects by upload time, newest first (the API lists them by bucket and
// key), so a new recording shows at the top.
export function newestFirst(items) {
  const t = (o) => Date.parse(o.lastModified) || 0;
  return [...items].sort((a, b) => t(b) - t(a) || a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key));
}

// summary is the short view of an object, for the overview.
export function summary(o) {
  return sum({
    main: h('a', {href: downloadURL(o.bucket, o.key), download: basename(o.key), class: 'mono'}, o.key),
    at: o.lastModified,
    sub: [`${o.bucket} · ${bytes(o.size)}`],
  });
}

function item(o) {
  const url = downloadURL(o.bucket, o.key);
  const player = h('div', {class: 'player', hidden: true});
  const isVideo = /\.(mp4|m4v|webm|mov)$/i.test(o.key);
  const play = isVideo && h('button', {type: 'button', class: 'small', 'aria-expanded': 'false', onclick: () => {
    const open = player.hidden;
    player.hidden = !open;
    play.setAttribute('aria-expanded', String(open));
    play.textContent = open ? 'Hide player' : 'Play';
    if (open && !player.firstChild) {
      player.append(h('video', {src: url, controls: true, preload: 'metadata', 'aria-label': `Recording ${o.key}`}));
    }
  }}, 'Play');
  return h('li', {class: 'item object'},
    h('p', {class: 'line'},
      h('code', {class: 'wrap key'}, o.key),
      h('span', {class: 'muted'}, `in ${o.bucket}`),
      h('span', {}, bytes(o.size)),
      time(o.lastModified)),
    h('p', {class: 'buttons'},
      h('a', {href: url, download: basename(o.key), class: 'button small'}, 'Download'),
      play,
      h('span', {class: 'muted small-text'}, `ETag ${o.etag}`)),
    player);
}
