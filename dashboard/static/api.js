// The admin API, as the dashboard calls it.

// APIError is a failure envelope ({"status":0,"content":{"message","errors"}}) or a network
// failure (status 0).
export class APIError extends Error {
  constructor(status, message, fields) {
    super(message);
    this.name = 'APIError';
    this.status = status;
    this.fields = fields || [];
  }
}

// call sends a request to the admin API and returns {data, text}; any answer but 2xx throws an
// APIError with the envelope's message and field errors. Every request but a GET is declared
// application/json, body or not: recmock refuses any other type from a browser, since a page
// of another site can send those without asking. A 401 (this recmock wants its admin token)
// is also announced as a "recmock:token-needed" event on document.
// GETs revalidate their cached answer (no-cache): the e-mail list answers 304 with its ETag
// when nothing arrived, so the second-by-second poll costs a header, not the list.
export async function call(method, path, body) {
  const init = {method, cache: 'no-cache', headers: {Accept: 'application/json'}};
  if (method !== 'GET') init.headers['Content-Type'] = 'application/json';
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new APIError(0, `recmock is not reachable (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the message below says what came back
  }
  if (!res.ok) {
    const c = (data && data.content) || {};
    if (res.status === 401) document.dispatchEvent(new CustomEvent('recmock:token-needed', {detail: c.message}));
    throw new APIError(res.status, c.message || `HTTP ${res.status} ${res.statusText}`, c.errors);
  }
  return {data, text};
}

// showErrors puts each field error next to its field, and in the form's alert the errors of
// no field (or the message, or summary when every error found its field). fieldFor(name)
// returns the input for an API field name, or null. It returns the first input that got an
// error, to focus.
export function showErrors(form, err, fieldFor, alertEl, summary) {
  clearErrors(form, alertEl);
  const rest = [];
  let first = null;
  for (const f of err.fields) {
    const name = String(f.field).split(/[.[]/)[0];
    const input = fieldFor(name);
    const out = input && document.getElementById(`${input.id}-err`);
    if (!out) {
      rest.push(f.field ? `${f.field}: ${f.message}` : f.message);
      continue;
    }
    input.setAttribute('aria-invalid', 'true');
    out.textContent = out.hidden ? f.message : `${out.textContent}; ${f.message}`;
    out.hidden = false;
    first = first || input;
  }
  if (!err.fields.length) alertEl.textContent = err.message;
  else if (rest.length) alertEl.textContent = rest.join('; ');
  else alertEl.textContent = summary;
  alertEl.hidden = false;
  return first;
}

export function clearErrors(form, alertEl) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  alertEl.hidden = true;
  alertEl.textContent = '';
}
