// Overview: every account's settings and the latest of each kind of activity, live.
import {h, empty, reconcile} from './dom.js';
import {settingsList} from './accounts.js';
import {preselect} from './simulate.js';
import * as deliveries from './deliveries.js';
import * as inbox from './inbox.js';
import * as recordings from './recordings.js';
import * as requests from './requests.js';

const latest = 5;

// Each panel: its source, list element, link target, line builder and empty text.
const panels = [
  {source: 'deliveries', list: 'ov-deliveries', key: (d) => d.id, line: deliveries.summary, none: 'No webhook delivery yet.'},
  {source: 'emails', list: 'ov-emails', key: (m) => m.id, line: inbox.summary, none: 'No e-mail yet.'},
  {source: 'objects', list: 'ov-objects', key: (o) => `${o.bucket}/${o.key}`, line: recordings.summary, none: 'No recording yet.', order: recordings.newestFirst},
  {source: 'requests', list: 'ov-requests', key: (e) => e.id, line: requests.summary, none: 'No API request yet.'},
];

export function render(state, changed, loaded) {
  if (changed.has('settings')) accounts(state.settings);
  for (const p of panels) {
    if (!changed.has(p.source)) continue;
    const st = state[p.source];
    const list = document.getElementById(p.list);
    const all = (st.data && st.data.items) || [];
    const items = (p.order ? p.order(all) : all).slice(0, latest);
    if (!items.length) {
      list.replaceChildren(empty(st.error ? st.error.message : p.none));
      continue;
    }
    reconcile(list, items, p.key, (it) => h('li', {class: 'row'}, p.line(it)), {fresh: loaded});
  }
}

function accounts(st) {
  const box = document.getElementById('ov-accounts');
  if (!st.data) {
    box.replaceChildren(empty(st.error ? st.error.message : 'Loading…'));
    return;
  }
  box.replaceChildren(...st.data.accounts.map((a) => h('article', {class: 'card account-summary', 'data-username': a.username},
    h('header', {class: 'card-head'}, h('h4', {}, a.username), h('span', {class: 'muted'}, 'apiKey ', h('code', {}, a.apiKey))),
    settingsList(a),
    h('p', {class: 'buttons'},
      h('a', {href: '#simulate', class: 'button small primary', onclick: () => preselect(a.username)}, 'Simulate a recording'),
      h('a', {href: '#accounts', class: 'button small'}, 'Edit settings')))));
}
