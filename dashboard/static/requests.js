// Requests: the journal of calls to the notifications API, with each request's validation
// errors shown without opening it.
import {h, badge, ms, pre, pretty, reconcile, empty, sum} from './dom.js';
import {call} from './api.js';

let app;

export function init(a) {
  app = a;
  document.getElementById('clear-requests').addEventListener('click', async () => {
    await call('DELETE', '/_admin/requests');
    await app.refresh();
  });
}

export function render(state, changed, loaded) {
  if (!changed.has('requests')) return;
  const st = state.requests;
  const list = document.getElementById('requests');
  const items = (st.data && st.data.items) || [];
  if (!items.length) {
    list.replaceChildren(empty(st.error ? st.error.message : `No API request yet. Try: curl -u demo-key:demo-secret ${location.origin}/rest/recording/notifications`));
    return;
  }
  reconcile(list, items, (e) => e.id, item, {fresh: loaded});
}

// summary is the short view of a journal entry, for this list and the overview.
export function summary(e) {
  const n = e.errors ? e.errors.length : 0;
  return sum({
    lead: [badge(e.status), h('span', {class: 'method'}, e.method)],
    main: h('span', {class: 'mono'}, e.query ? `${e.path}?${e.query}` : e.path),
    at: e.time,
    sub: [
      `${e.username || 'not authenticated'} · ${ms(e.durationMs)}`,
      e.fault && [' ', h('span', {class: 'badge warn'}, `fault: ${e.fault}`)],
      n ? [' ', h('span', {class: 'badge bad'}, `${n} error${n === 1 ? '' : 's'}`)] : null,
    ],
  });
}

function item(e) {
  const bad = e.errors && e.errors.length;
  return h('li', {class: `item request${bad ? ' has-errors' : ''}${e.status >= 400 ? ' failed' : ''}`},
    summary(e),
    bad ? h('ul', {class: 'errors', 'aria-label': 'Validation errors'},
      e.errors.map((f) => h('li', {}, h('code', {}, f.field), ` ${f.message}`))) : null,
    (e.requestBody || e.responseBody) && h('details', {},
      h('summary', {}, 'Bodies'),
      e.requestBody && [h('p', {class: 'sub'}, 'Request'), pre(pretty(e.requestBody))],
      e.responseBody && [h('p', {class: 'sub'}, `Response ${e.status}`), pre(pretty(e.responseBody))]));
}
