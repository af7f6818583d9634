// Simulate: fires a recording-completed event through POST /_admin/recordings and shows what
// happened on each channel.
import {h, badge, dl, bytes, ms, downloadURL} from './dom.js';
import {call, showErrors, clearErrors} from './api.js';

let app;
let form;
let alertEl;
let wanted = ''; // the account to select once the accounts are known

const topics = ['weekly-standup', 'design-review', 'sprint-planning', 'customer-call', 'all-hands',
  'retro', 'onboarding', 'product-demo', 'support-escalation', 'interview', 'board-meeting', 'pairing'];

// randomRoom makes a room name such as "design-review-42", the simulator's own style.
export function randomRoom() {
  const pick = (n) => crypto.getRandomValues(new Uint32Array(1))[0] % n;
  return `${topics[pick(topics.length)]}-${1 + pick(99)}`;
}

const fields = ['username', 'roomId', 'participants', 'meetingId', 'startTime', 'endTime'];

export function init(a) {
  app = a;
  form = document.getElementById('simulate-form');
  alertEl = document.getElementById('sim-error');
  const f = form.elements;
  f.roomId.value = randomRoom();
  f.participants.value = String(2 + (crypto.getRandomValues(new Uint8Array(1))[0] % 7));
  document.getElementById('sim-new-room').addEventListener('click', () => {
    f.roomId.value = randomRoom();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
}

// preselect makes the form simulate for username next.
export function preselect(username) {
  wanted = username;
  if (form.elements.username.querySelector(`option[value="${CSS.escape(username)}"]`)) {
    form.elements.username.value = username;
  }
}

export function render(state, changed) {
  if (!changed.has('settings') || !state.settings.data) return;
  const sel = form.elements.username;
  const keep = wanted || sel.value;
  wanted = '';
  sel.replaceChildren(...state.settings.data.accounts.map((a) => h('option', {value: a.username},
    a.settings ? `${a.username}${a.settings.notify ? '' : ' (notify is off)'}` : `${a.username} (no settings yet)`)));
  if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

// rfc3339 turns a datetime-local value (the reader's time zone) into RFC 3339 UTC.
function rfc3339(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function submit() {
  const f = form.elements;
  const body = {username: f.username.value};
  const room = f.roomId.value.trim();
  if (room) body.roomId = room;
  const n = f.participants.value.trim();
  if (n) body.participants = /^\d+$/.test(n) ? Number(n) : n;
  const mid = f.meetingId.value.trim();
  if (mid) body.meetingId = mid;
  if (f.startTime.value) body.startTime = rfc3339(f.startTime.value);
  if (f.endTime.value) body.endTime = rfc3339(f.endTime.value);

  const button = document.getElementById('sim-submit');
  const out = document.getElementById('sim-result');
  button.disabled = true;
  button.textContent = 'Simulating…';
  out.replaceChildren(h('p', {class: 'muted'}, `Uploading, posting the webhook and sending the e-mail for ${body.username}…`));
  try {
    const {data} = await call('POST', '/_admin/recordings', body);
    clearErrors(form, alertEl);
    out.replaceChildren(result(data));
    app.refresh();
  } catch (e) {
    out.replaceChildren();
    const err = e.status !== 501 ? e : {fields: [],
      message: `${e.message}. This recmock runs without the event simulator, so recordings cannot be simulated here.`};
    const first = showErrors(form, err, (name) => (fields.includes(name) ? f[name] : null), alertEl,
      'Not simulated: the admin API refused the marked fields.');
    if (first) first.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Simulate';
  }
}

function result(r) {
  const ev = r.event;
  return h('section', {class: 'card', 'aria-labelledby': 'sim-result-title'},
    h('h3', {id: 'sim-result-title'}, `Recording of ${ev.roomId}`, ' ', h('span', {class: 'muted'}, ev.meetingId)),
    h('div', {class: 'outcomes'},
      outcome('S3 upload', r.s3, r.s3.key && dl([
        ['Bucket', h('code', {}, r.s3.bucket)],
        ['Key', h('code', {class: 'wrap'}, r.s3.key)],
        r.s3.size !== undefined && ['Size', bytes(r.s3.size)],
        r.s3.status === 'ok' && ['File', h('a', {href: downloadURL(r.s3.bucket, r.s3.key), download: ''}, 'Download')],
      ])),
      outcome('Webhook', r.webhook, dl([
        r.webhook.url && ['URL', h('code', {class: 'wrap'}, r.webhook.url)],
        r.webhook.attempts && ['Attempts', h('ol', {class: 'plain'}, r.webhook.attempts.map(attempt))],
        r.webhook.deliveryId && ['Delivery', h('a', {href: '#deliveries'}, r.webhook.deliveryId)],
      ])),
      outcome('E-mail', r.email, dl([
        r.email.recipients && ['To', r.email.recipients.join(', ')],
        r.email.messageId && ['Message-ID', h('code', {class: 'wrap'}, r.email.messageId)],
        r.email.status === 'ok' && ['Inbox', h('a', {href: '#inbox'}, 'Read it')],
      ]))),
    h('details', {class: 'event'}, h('summary', {}, 'The event'),
      dl([['retrievalUrl', h('a', {href: ev.retrievalUrl, class: 'url', title: ev.retrievalUrl, rel: 'noreferrer', target: '_blank'}, ev.retrievalUrl)]]),
      h('pre', {class: 'code', tabindex: 0}, JSON.stringify(ev, null, 2))));
}

export function attempt(a) {
  const what = a.status ? badge(a.status) : badge('no answer', 'bad');
  return h('li', {}, `#${a.n} `, what, ` in ${ms(a.latencyMs)}`, a.error ? h('span', {class: 'error-text'}, ` ${a.error}`) : '');
}

function outcome(title, o, details) {
  return h('section', {class: `outcome ${o.status}`, 'data-channel': title},
    h('h4', {}, title, ' ', badge(o.status)),
    o.message && h('p', {class: 'message'}, o.message),
    details);
}
