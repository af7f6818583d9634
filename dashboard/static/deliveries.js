// Deliveries: every webhook delivery with its attempts, the event it carried and what the
// receiver answered.
import {h, badge, dl, time, ms, pre, pretty, reconcile, empty, sum} from './dom.js';

export function render(state, changed, loaded) {
  if (!changed.has('deliveries')) return;
  const st = state.deliveries;
  const notice = document.getElementById('deliveries-notice');
  const list = document.getElementById('deliveries');
  notice.hidden = !st.error;
  notice.textContent = st.error ? `Webhook deliveries are not available: ${st.error.message}` : '';
  const items = (st.data && st.data.items) || [];
  if (!items.length) {
    list.replaceChildren(empty(st.error ? 'No deliveries to show.' : 'No webhook delivery yet. Simulate a recording for an account with a webhook url.'));
    return;
  }
  reconcile(list, items, (d) => d.id, item, {fresh: loaded});
}

function last(d) {
  return d.attempts.length ? d.attempts[d.attempts.length - 1] : null;
}

// summary is the short view of a delivery, for this list and the overview.
export function summary(d) {
  const a = last(d);
  const n = d.attempts.length;
  return sum({
    lead: [badge(d.status), a && (a.status ? badge(a.status) : badge('no answer', 'bad'))],
    main: h('span', {class: 'mono'}, d.url),
    at: a ? a.time : null,
    sub: [`room ${d.event.roomId} · ${n} attempt${n === 1 ? '' : 's'}`, a ? ` · ${ms(a.latencyMs)}` : ''],
  });
}

function item(d) {
  const ev = d.event;
  return h('li', {class: `item delivery ${d.status}`, 'data-delivery': d.id},
    h('details', {},
      h('summary', {}, summary(d)),
      h('div', {class: 'item-body'},
        dl([
          ['Delivery', h('code', {}, d.id)],
          d.username && ['Account', d.username],
          ['URL', h('code', {class: 'wrap'}, d.url)],
          ['Meeting ID', h('code', {}, ev.meetingId)],
          ['retrievalUrl', ev.retrievalUrl && h('a', {href: ev.retrievalUrl, class: 'url', title: ev.retrievalUrl, target: '_blank', rel: 'noreferrer'}, ev.retrievalUrl)],
        ]),
        h('h4', {}, 'Attempts'),
        h('ol', {class: 'attempts'}, d.attempts.map(attempt)),
        h('h4', {}, 'Request body (the event)'),
        pre(JSON.stringify(ev, null, 2)))));
}

function attempt(a) {
  return h('li', {class: 'attempt'},
    h('p', {class: 'line'},
      h('strong', {}, `#${a.n}`),
      time(a.time),
      a.status ? badge(a.status) : badge('no answer', 'bad'),
      h('span', {class: 'latency'}, ms(a.latencyMs)),
      a.error && h('span', {class: 'error-text'}, a.error)),
    a.responseExcerpt ? [h('p', {class: 'sub'}, 'Response excerpt'), pre(pretty(a.responseExcerpt))] : null);
}
