// The dashboard: routes between the views, polls the admin API about once a second and
// redraws the views whose data changed.
import {call} from './api.js';
import {arm} from './dom.js';
import * as overview from './overview.js';
import * as accounts from './accounts.js';
import * as simulate from './simulate.js';
import * as deliveries from './deliveries.js';
import * as inbox from './inbox.js';
import * as recordings from './recordings.js';
import * as requests from './requests.js';

// The lists the views show. A list whose endpoint answers 501 (this recmock runs without that
// part) or 404 is asked again only every unavailableMs.
const sources = {
  settings: '/_admin/settings',
  deliveries: '/_admin/deliveries?limit=200',
  emails: '/_admin/emails?limit=100',
  objects: '/_admin/objects',
  requests: '/_admin/requests?limit=200',
};
const intervalMs = 1000;
const unavailableMs = 15000;

const views = {overview, accounts, simulate, deliveries, inbox, recordings, requests};

// state[name] is {data, text, error} for each source; data is the last good answer.
const state = Object.fromEntries(Object.keys(sources).map((k) => [k, {data: null, text: null, error: null, retryAt: 0}]));

const app = {state, refresh};
let loaded = false;

async function pollSources() {
  const changed = new Set();
  let down = null;
  await Promise.all(Object.entries(sources).map(async ([name, path]) => {
    const st = state[name];
    if (Date.now() < st.retryAt) return;
    try {
      const {data, text} = await call('GET', path);
      st.retryAt = 0;
      if (text !== st.text || st.error) {
        Object.assign(st, {data, text, error: null});
        changed.add(name);
      }
    } catch (e) {
      if (e.status === 501 || e.status === 404) {
        if (!st.error || st.error.message !== e.message) changed.add(name);
        Object.assign(st, {data: null, text: null, error: e, retryAt: Date.now() + unavailableMs});
      } else {
        down = e;
      }
    }
  }));
  return {changed, down};
}

let running = null;
let again = false;

// refresh polls now (or right after the poll in flight) and redraws what changed.
function refresh() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        const {changed, down} = await pollSources();
        if (!down || down.status !== 401) setLive(down ? 'down' : 'live', down);
        if (changed.size) {
          for (const v of Object.values(views)) v.render(state, changed, loaded);
          counts();
          document.getElementById('live').title = `last change at ${new Date().toLocaleTimeString()}`;
        }
        loaded = true;
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

let timer = 0;

async function tick() {
  clearTimeout(timer);
  if (document.hidden) {
    setLive('paused');
    return;
  }
  try {
    await refresh();
  } finally {
    // One chain of polls, however many ticks ran (a visibility change starts one).
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(tick, intervalMs);
  }
}

function setLive(mode, err) {
  const el = document.getElementById('live');
  const text = {
    live: 'Live: updates every second',
    paused: 'Paused while the tab is hidden',
    token: 'Waiting for the admin token',
    down: `recmock is not answering; retrying (${err && err.message})`,
  }[mode];
  if (el.textContent !== text) el.textContent = text;
  el.dataset.mode = mode;
}

function counts() {
  for (const el of document.querySelectorAll('[data-count]')) {
    const st = state[el.dataset.count];
    const n = st.data ? st.data.total : null;
    el.textContent = n === null || n === undefined ? '' : String(n);
    el.hidden = el.textContent === '';
  }
}

// route shows the view the URL's fragment names, so the back button and bookmarks work.
function route() {
  let name = location.hash.slice(1);
  if (!views[name]) name = 'overview';
  for (const sec of document.querySelectorAll('main > .view')) sec.hidden = sec.id !== `view-${name}`;
  for (const a of document.querySelectorAll('.tabs a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${document.getElementById(`h-${name}`).textContent} · recmock`;
}

// askForToken shows the token form once the admin API has answered 401. The form works
// without scripts too (a GET of /?token=, which sets the cookie and redirects); with them, the
// token stays out of the address bar and a wrong one is said so in place.
function askForToken(ev) {
  const box = document.getElementById('token-needed');
  setLive('token', ev.detail);
  if (!box.hidden) return;
  box.hidden = false;
  document.getElementById('token-input').focus();
}

async function signIn(ev) {
  ev.preventDefault();
  const input = document.getElementById('token-input');
  const err = document.getElementById('token-error');
  err.hidden = true;
  let res;
  try {
    res = await fetch(`/?token=${encodeURIComponent(input.value.trim())}`, {cache: 'no-store'});
  } catch (e) {
    res = {ok: false, status: 0, statusText: e.message};
  }
  if (!res.ok) {
    err.textContent = res.status === 401 ? "That is not this recmock's admin token." : `Not signed in: ${res.status} ${res.statusText}`;
    err.hidden = false;
    input.focus();
    return;
  }
  input.value = '';
  document.getElementById('token-needed').hidden = true;
  for (const st of Object.values(state)) st.retryAt = 0;
  await refresh();
}

function start() {
  for (const v of Object.values(views)) v.init?.(app);
  document.addEventListener('recmock:token-needed', askForToken);
  document.getElementById('token-form').addEventListener('submit', signIn);
  arm(document.getElementById('reset'), 'Click again to forget everything', async () => {
    await call('POST', '/_admin/reset');
    await refresh();
  });
  window.addEventListener('hashchange', route);
  document.addEventListener('visibilitychange', tick);
  route();
  tick();
}

start();
