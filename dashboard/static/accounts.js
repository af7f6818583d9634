// Accounts: each account's settings, and a form that replaces them through
// PUT /_admin/settings/{username}, with the API's field errors next to each field.
import {h, badge, dl, arm, empty} from './dom.js';
import {call, showErrors, clearErrors} from './api.js';

let app;
// The admin API answers secrets as "***"; Reveal asks it for them with ?reveal=1. revealed
// maps a username to {sig, value}: the secret, for the settings (as answered, masked) it was
// revealed for, so that settings changed since are masked again.
const revealed = new Map();
const cards = new Map(); // username -> {el, head, current, form, ...}
let cardCount = 0; // numbers the cards' element ids

// The form's inputs, by the API's field names.
const fieldNames = ['notify', 'url', 'email', 's3Arn', 's3AccessKeyId', 's3SecretAccessKey'];

export function init(a) {
  app = a;
}

export function render(state, changed) {
  if (!changed.has('settings')) return;
  const box = document.getElementById('accounts');
  const st = state.settings;
  if (!st.data) {
    box.replaceChildren(empty(st.error ? st.error.message : 'Loading…'));
    cards.clear();
    return;
  }
  const seen = new Set();
  for (const acct of st.data.accounts) {
    seen.add(acct.username);
    let c = cards.get(acct.username);
    if (!c) {
      c = card(acct, cardCount++);
      cards.set(acct.username, c);
    }
    update(c, acct);
  }
  for (const [name, c] of cards) {
    if (!seen.has(name)) {
      c.el.remove();
      cards.delete(name);
    }
  }
  box.replaceChildren(...st.data.accounts.map((a) => cards.get(a.username).el));
}

// settingsList shows an account's settings as the API answers them; the S3 secret is masked
// until its Reveal button is pressed.
export function settingsList(acct) {
  const s = acct.settings;
  if (!s) {
    return h('p', {class: 'muted'}, 'No settings yet: the API answers 404 to GET until they are saved.');
  }
  const none = h('span', {class: 'muted'}, 'none');
  const s3 = s.s3Settings;
  return dl([
    ['Notify', badge(s.notify ? 'on' : 'off')],
    ['Webhook URL', s.url ? h('code', {class: 'wrap'}, s.url) : none.cloneNode(true)],
    ['E-mail', s.email.length ? h('ul', {class: 'plain'}, s.email.map((e) => h('li', {}, e))) : none.cloneNode(true)],
    ['S3 ARN', s3 ? h('code', {class: 'wrap'}, s3.s3Arn) : h('span', {class: 'muted'}, 'none (the default bucket)')],
    s3 && ['S3 access key', h('code', {}, s3.s3AccessKeyId)],
    s3 && ['S3 secret', secret(acct.username, JSON.stringify(s))],
  ]);
}

const masked = '••••••••';

// secret shows the S3 secret of username's settings (sig: as answered, masked), masked until
// Reveal fetches it.
function secret(username, sig) {
  const value = () => {
    const r = revealed.get(username);
    return r && r.sig === sig ? r.value : null;
  };
  const text = h('code', {class: 'secret'}, value() ?? masked);
  const btn = h('button', {
    type: 'button',
    class: 'link',
    'aria-pressed': String(value() !== null),
    'aria-label': `Reveal the S3 secret of ${username}`,
    onclick: async () => {
      if (value() !== null) {
        revealed.delete(username);
      } else {
        try {
          const {data} = await call('GET', '/_admin/settings?reveal=1');
          const acct = data.accounts.find((a) => a.username === username);
          const s3 = acct && acct.settings && acct.settings.s3Settings;
          if (s3) revealed.set(username, {sig, value: s3.s3SecretAccessKey});
        } catch (e) {
          btn.textContent = `Failed: ${e.message}`;
          return;
        }
      }
      // Every copy on the page (overview and accounts) follows.
      const v = value();
      for (const el of document.querySelectorAll('[data-secret-of]')) {
        if (el.dataset.secretOf !== username) continue;
        el.querySelector('.secret').textContent = v ?? masked;
        el.querySelector('button').setAttribute('aria-pressed', String(v !== null));
        el.querySelector('button').textContent = v !== null ? 'Hide' : 'Reveal';
      }
    },
  }, value() !== null ? 'Hide' : 'Reveal');
  return h('span', {class: 'secret-box', 'data-secret-of': username}, text, ' ', btn);
}

function card(acct, i) {
  const id = (name) => `acct-${i}-${name}`;
  const input = (name, attrs) => h('input', {id: id(name), name, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id(name)}-hint ${id(name)}-err`, ...attrs});
  const field = (name, label, el, hint) => h('div', {class: 'field'},
    h('label', {for: id(name)}, label), el,
    h('p', {class: 'hint', id: `${id(name)}-hint`}, hint || ''),
    h('p', {class: 'field-error', id: `${id(name)}-err`, hidden: true}));

  const secretInput = input('s3SecretAccessKey', {type: 'password'});
  const showSecret = h('button', {type: 'button', class: 'small', 'aria-pressed': 'false', 'aria-label': 'Show the S3 secret while typing', onclick: () => {
    const show = secretInput.type === 'password';
    secretInput.type = show ? 'text' : 'password';
    showSecret.setAttribute('aria-pressed', String(show));
    showSecret.textContent = show ? 'Hide' : 'Show';
  }}, 'Show');

  const alertEl = h('p', {class: 'form-error alert error', role: 'alert', hidden: true});
  const saved = h('span', {class: 'saved', role: 'status'});
  const forget = h('button', {type: 'button', class: 'danger'}, 'Forget settings');
  const form = h('form', {class: 'form', novalidate: true, 'data-username': acct.username, 'aria-labelledby': id('form-title')},
    h('h4', {id: id('form-title')}, `Change the settings of ${acct.username}`),
    h('div', {class: 'field check'},
      h('input', {id: id('notify'), name: 'notify', type: 'checkbox', 'aria-describedby': `${id('notify')}-err`}),
      h('label', {for: id('notify')}, 'Notify on every recording (notify)'),
      h('p', {class: 'field-error', id: `${id('notify')}-err`, hidden: true})),
    field('url', 'Webhook URL (url)', input('url', {inputmode: 'url', placeholder: 'https://example.com/events'}), 'An absolute http:// or https:// URL; empty clears it.'),
    field('email', 'E-mail addresses (email)', input('email', {inputmode: 'email', placeholder: 'a@b.com, b@c.com'}), 'Separated by commas, semicolons or spaces; empty clears them.'),
    field('s3Arn', 'S3 ARN (s3Arn)', input('s3Arn', {placeholder: 'arn:aws:s3:region::bucket/prefix'}), 'With the access key and secret, or all three empty for the default bucket.'),
    field('s3AccessKeyId', 'S3 access key (s3AccessKeyId)', input('s3AccessKeyId')),
    field('s3SecretAccessKey', 'S3 secret (s3SecretAccessKey)', h('div', {class: 'with-button'}, secretInput, showSecret),
      '*** keeps the stored secret; type another to replace it.'),
    alertEl,
    h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Save settings'), forget, saved));

  const current = h('div', {class: 'current'});
  const head = h('header', {class: 'card-head'});
  const el = h('article', {class: 'card account', 'data-username': acct.username},
    head, h('div', {class: 'account-body'}, h('section', {'aria-label': `Current settings of ${acct.username}`}, current), form));
  const c = {el, head, current, form, alertEl, saved, forget, account: acct, dirty: false, sig: ''};

  form.addEventListener('input', () => { c.dirty = true; saved.textContent = ''; });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save(c);
  });
  arm(forget, 'Click again to forget them', async () => {
    await call('DELETE', `/_admin/settings/${encodeURIComponent(acct.username)}`);
    c.dirty = false;
    saved.textContent = 'Forgotten.';
    await app.refresh();
  });
  return c;
}

function update(c, acct) {
  const sig = JSON.stringify(acct);
  if (sig === c.sig) return;
  c.sig = sig;
  c.account = acct;
  c.head.replaceChildren(
    h('h3', {}, acct.username),
    h('span', {class: 'muted'}, 'apiKey ', h('code', {}, acct.apiKey)),
    badge(acct.settings ? (acct.settings.notify ? 'notify on' : 'notify off') : 'no settings', acct.settings && acct.settings.notify ? 'good' : 'muted'));
  c.current.replaceChildren(settingsList(acct));
  c.forget.hidden = !acct.settings;
  if (!c.dirty) fill(c, acct.settings);
}

// fill puts settings in the form; an account without settings gets notify on, the usual
// first step.
function fill(c, s) {
  const f = c.form.elements;
  f.notify.checked = s ? s.notify : true;
  f.url.value = (s && s.url) || '';
  f.email.value = s ? s.email.join(', ') : '';
  const s3 = (s && s.s3Settings) || {};
  f.s3Arn.value = s3.s3Arn || '';
  f.s3AccessKeyId.value = s3.s3AccessKeyId || '';
  f.s3SecretAccessKey.value = s3.s3SecretAccessKey || '';
}

async function save(c) {
  const f = c.form.elements;
  // PUT replaces the whole setting: a field left out is cleared, and the three S3 fields go
  // together, so only those filled in are sent and the API names any that are missing.
  const body = {notify: f.notify.checked};
  for (const name of fieldNames.slice(1)) {
    const v = f[name].value.trim();
    if (v) body[name] = v;
  }
  const submit = c.form.querySelector('button[type=submit]');
  submit.disabled = true;
  c.saved.textContent = 'Saving…';
  try {
    const {data} = await call('PUT', `/_admin/settings/${encodeURIComponent(c.account.username)}`, body);
    clearErrors(c.form, c.alertEl);
    c.dirty = false;
    revealed.delete(c.account.username); // the masked answer cannot tell a new secret apart
    fill(c, data.content.data);
    c.saved.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
    app.refresh();
  } catch (e) {
    c.saved.textContent = '';
    const first = showErrors(c.form, e, (name) => (fieldNames.includes(name) ? f[name] : null), c.alertEl,
      'Not saved: the API refused the marked fields.');
    (first || submit).focus();
  } finally {
    submit.disabled = false;
  }
}
