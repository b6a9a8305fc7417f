/*
 * counter.js — the counter page (docs/counter-page.md, API:
 * docs/site-api.md). Plain JavaScript, no build step, no libraries.
 *
 * States of the page:
 *   LOGIN ──token accepted (GET /api/v1/state 200)──▶ DESK
 *   LOGIN ──401──▶ LOGIN ("wrong key")
 *   DESK: EventSource /api/v1/events?access_token=… pushes "state";
 *         an action POSTs and renders the state in its answer
 *   DESK ──stream lost──▶ DESK + "reconnecting" (the browser retries;
 *         if it gives up, we retry every RETRY_MS) ──back──▶ state
 *         reloaded with GET /api/v1/state
 *   DESK ──401 anywhere (revoked)──▶ LOGIN ("key no longer valid")
 *   DESK ──"log out"──▶ LOGIN (the stored key is forgotten)
 *
 * Every text on screen is taken from TEXT (one place to translate).
 * Everything from the server is put on screen with textContent, never as
 * HTML. Only ticket numbers, services and counter names are shown.
 */
'use strict';

const TEXT = {
  appTitle: 'Schalter anmelden',
  tokenLabel: 'Zugangsschlüssel des Schalters',
  remember: 'Auf diesem Gerät merken',
  login: 'Anmelden',
  loginWrong: 'Dieser Schlüssel ist falsch oder wurde widerrufen.',
  loginRevoked: 'Der Schlüssel gilt nicht mehr. Bitte neu anmelden.',
  loginOffline: 'Der Server ist nicht erreichbar. Bitte später erneut versuchen.',
  logout: 'Abmelden',
  connected: 'verbunden',
  reconnecting: 'Verbindung wird wiederhergestellt …',
  current: 'Aktuelle Nummer',
  noTicket: 'Keine Nummer aufgerufen',
  called: (n) => (n > 1 ? `Aufgerufen (${n}×)` : 'Aufgerufen'),
  serving: 'In Bedienung',
  pausedNote: 'Der Schalter ist in Pause: es werden keine Nummern aufgerufen.',
  next: 'Nächste Nummer',
  recall: 'Erneut aufrufen',
  start: 'Bedienung beginnen',
  finish: 'Abschließen',
  noShow: 'Nicht erschienen',
  transfer: 'Weiterleiten …',
  park: 'Zurückstellen',
  pause: 'Pause',
  resume: 'Pause beenden',
  queues: 'Wartende',
  waiting: (n) => `${n} wartend`,
  parked: 'Zurückgestellt',
  parkedNone: 'Keine',
  unpark: (num) => `${num} aufrufen`,
  transferTitle: 'Nummer weiterleiten',
  toService: 'An eine Dienstleistung:',
  toCounter: 'Oder an einen Schalter (Name):',
  transferGo: 'Weiterleiten',
  cancel: 'Abbrechen',
  nobody: 'Niemand wartet.',
  done: {
    'ticket.called': (num) => `${num} aufgerufen.`,
    'ticket.recalled': (num) => `${num} erneut aufgerufen.`,
    'ticket.started': (num) => `Bedienung von ${num} begonnen.`,
    'ticket.finished': (num) => `${num} abgeschlossen.`,
    'ticket.no_show': (num) => `${num} als nicht erschienen vermerkt.`,
    'ticket.transferred': (num) => `${num} weitergeleitet.`,
    'ticket.parked': (num) => `${num} zurückgestellt.`,
    'ticket.unparked': (num) => `${num} aufgerufen.`,
    'counter.paused': () => 'Pause begonnen.',
    'counter.resumed': () => 'Pause beendet.',
  },
  errors: {
    conflict: 'Das geht gerade nicht',
    not_found: 'Nicht gefunden',
    bad_request: 'Ungültige Anfrage',
    unavailable: 'Der Server ist beschäftigt, bitte erneut versuchen',
    other: 'Fehler',
  },
  offline: 'Keine Verbindung zum Server. Bitte erneut versuchen.',
};

const RETRY_MS = 2000;
const KEY = 'bk-counter-token';

const $ = (id) => document.getElementById(id);
let token = null;
let stream = null;
let retryTimer = null;
let online = false;
let busy = false;
let state = null;

/* ---- storage of the token ---- */

function loadToken() {
  try {
    return sessionStorage.getItem(KEY) || localStorage.getItem(KEY);
  } catch (e) {
    return null;
  }
}

function saveToken(t, remember) {
  try {
    sessionStorage.setItem(KEY, t);
    if (remember) localStorage.setItem(KEY, t);
  } catch (e) { /* private mode: this tab only */ }
}

function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  } catch (e) { /* nothing stored */ }
}

/* ---- the API ---- */

async function api(method, path, body) {
  const opts = {
    method,
    cache: 'no-store',
    headers: { Authorization: `Bearer ${token}` },
  };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let json = null;
  try {
    json = await r.json();
  } catch (e) { /* not JSON: handled by status */ }
  return { status: r.status, json };
}

/* ---- screens ---- */

function fillTexts() {
  for (const el of document.querySelectorAll('[data-text]')) {
    const t = TEXT[el.dataset.text];
    if (typeof t === 'string') el.textContent = t;
  }
}

function showLogin(message) {
  closeStream();
  token = null;
  state = null;
  $('desk').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

function showDesk() {
  $('login').hidden = true;
  $('desk').hidden = false;
}

function setOnline(on) {
  online = on;
  const c = $('conn');
  c.textContent = on ? TEXT.connected : TEXT.reconnecting;
  c.classList.toggle('down', !on);
  c.dataset.state = on ? 'up' : 'down';
  updateButtons();
}

function say(text, ok) {
  const m = $('message');
  m.textContent = text || '';
  m.classList.toggle('ok', !!ok);
}

function serviceName(id) {
  const q = (state && state.queues || []).find((x) => x.service_id === id);
  return q ? q.name : id;
}

function render(s) {
  if (!s || typeof s !== 'object' || !s.counter) return;
  /* an answer and a pushed state may cross: keep the newer */
  if (state && typeof s.last_event_id === 'number' &&
      typeof state.last_event_id === 'number' &&
      s.last_event_id < state.last_event_id) return;
  state = s;
  $('counter-name').textContent = s.counter.name || '';
  document.title = `${s.counter.name || ''} – Bürgerkiosk`;

  const t = s.ticket;
  const num = $('ticket-number');
  num.textContent = t ? t.number : TEXT.noTicket;
  num.classList.toggle('none', !t);
  $('ticket-status').textContent = !t ? '' :
    (t.status === 'serving' ? TEXT.serving : TEXT.called(t.calls || 1)) +
    (t.service_id ? ` · ${serviceName(t.service_id)}` : '');
  $('paused-note').hidden = !s.counter.paused;

  const ul = $('queues');
  ul.replaceChildren();
  for (const q of s.queues || []) {
    const li = document.createElement('li');
    li.dataset.service = q.service_id;
    const name = document.createElement('span');
    name.textContent = q.letter ? `${q.name} (${q.letter})` : q.name;
    const n = document.createElement('span');
    n.className = 'count';
    n.textContent = TEXT.waiting(q.waiting);
    li.append(name, n);
    ul.append(li);
  }

  const parked = $('parked');
  parked.replaceChildren();
  for (const p of s.parked || []) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'unpark';
    b.dataset.number = p.number;
    b.textContent = TEXT.unpark(p.number);
    b.addEventListener('click', () => act('unpark', { ticket_id: p.ticket_id }));
    parked.append(b);
  }
  $('parked-none').hidden = (s.parked || []).length > 0;
  updateButtons();
}

function updateButtons() {
  const s = state;
  const t = s && s.ticket;
  const paused = !!(s && s.counter.paused);
  const called = !!(t && t.status === 'called');
  const dis = (id, off) => { $(id).disabled = busy || !s || off; };
  dis('btn-next', paused);
  dis('btn-recall', !called);
  dis('btn-start', !called);
  dis('btn-finish', !t);
  dis('btn-transfer', !t);
  dis('btn-park', !t);
  $('btn-noshow').hidden = !(called && t.no_show_allowed);
  dis('btn-noshow', !called);
  $('btn-pause').hidden = paused;
  $('btn-resume').hidden = !paused;
  dis('btn-pause', false);
  dis('btn-resume', false);
  for (const b of document.querySelectorAll('#parked button')) {
    b.disabled = busy || !!t || paused;
  }
}

/* ---- actions ---- */

async function act(action, body) {
  if (busy || !token) return;
  busy = true;
  updateButtons();
  say('');
  try {
    const r = await api('POST', `/api/v1/${action}`, body || {});
    if (r.status === 200 && r.json) {
      render(r.json);
      const t = r.json.ticket;
      if (action === 'next' && !t) say(TEXT.nobody, true);
      else {
        const f = TEXT.done[r.json.event];
        const num = (t && t.number) || (body && body.number) || '';
        say(f ? f(num) : '', true);
      }
    } else if (r.status === 401) {
      forgetToken();
      showLogin(TEXT.loginRevoked);
    } else {
      const e = r.json || {};
      const head = TEXT.errors[e.error] || TEXT.errors.other;
      say(e.message ? `${head}: ${e.message}` : head);
    }
  } catch (e) {
    say(TEXT.offline);
  } finally {
    busy = false;
    updateButtons();
  }
}

/* ---- the event stream ---- */

function closeStream() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (stream) {
    stream.close();
    stream = null;
  }
}

function openStream() {
  closeStream();
  const es = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(token)}`);
  stream = es;
  es.addEventListener('state', (ev) => {
    let s;
    try {
      s = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (!online) setOnline(true);
    render(s);
  });
  es.onopen = () => {
    const was = online;
    setOnline(true);
    /* after an outage, make sure nothing was missed */
    if (!was) reload();
  };
  es.onerror = () => {
    setOnline(false);
    /* a refused stream (401, a 503 page) is not retried by the
     * browser: we retry, asking for the state first */
    if (es.readyState === EventSource.CLOSED && stream === es) {
      stream = null;
      retryTimer = setTimeout(recover, RETRY_MS);
    }
  };
}

async function reload() {
  try {
    const r = await api('GET', '/api/v1/state');
    if (r.status === 200) render(r.json);
    else if (r.status === 401) {
      forgetToken();
      showLogin(TEXT.loginRevoked);
    }
  } catch (e) { /* the stream's own retry goes on */ }
}

async function recover() {
  retryTimer = null;
  if (!token) return;
  try {
    const r = await api('GET', '/api/v1/state');
    if (r.status === 401) {
      forgetToken();
      showLogin(TEXT.loginRevoked);
      return;
    }
    if (r.status === 200) render(r.json);
  } catch (e) { /* still down */ }
  if (token) openStream();
}

/* ---- login ---- */

async function login(candidate, remember, quiet) {
  token = candidate;
  $('login-button').disabled = true;
  try {
    const r = await api('GET', '/api/v1/state');
    if (r.status === 200 && r.json) {
      saveToken(candidate, remember);
      state = null;
      showDesk();
      render(r.json);
      setOnline(true);
      openStream();
      return;
    }
    if (r.status === 401) {
      forgetToken();
      showLogin(quiet ? TEXT.loginRevoked : TEXT.loginWrong);
      return;
    }
    showLogin(TEXT.loginOffline);
  } catch (e) {
    if (quiet) {
      /* a stored key and a daemon that is restarting: keep trying */
      showDesk();
      setOnline(false);
      retryTimer = setTimeout(() => login(candidate, remember, true), RETRY_MS);
      return;
    }
    showLogin(TEXT.loginOffline);
  } finally {
    $('login-button').disabled = false;
  }
}

function openTransfer() {
  if (!state || !state.ticket) return;
  const box = $('transfer-services');
  box.replaceChildren();
  /* every service the daemon names: the counter's queues, and a list of
   * all services when the state carries one */
  const seen = new Set();
  const all = [].concat(state.queues || [], state.services || []);
  for (const q of all) {
    const id = q.service_id || q.id;
    if (!id || seen.has(id) || id === state.ticket.service_id) continue;
    seen.add(id);
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.service = id;
    b.textContent = q.name || id;
    b.addEventListener('click', () => {
      closeTransfer();
      act('transfer', { service: id });
    });
    box.append(b);
  }
  const dl = $('transfer-counters');
  dl.replaceChildren();
  for (const c of state.counters || []) {
    const o = document.createElement('option');
    o.value = typeof c === 'string' ? c : c.name;
    dl.append(o);
  }
  $('transfer-counter').value = '';
  $('transfer').hidden = false;
}

function closeTransfer() {
  $('transfer').hidden = true;
}

function init() {
  fillTexts();
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (t) login(t, $('remember').checked, false);
  });
  for (const b of document.querySelectorAll('.actions [data-action]')) {
    b.addEventListener('click', () => act(b.dataset.action));
  }
  $('btn-transfer').addEventListener('click', openTransfer);
  $('transfer-cancel').addEventListener('click', closeTransfer);
  $('transfer-counter-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('transfer-counter').value.trim();
    if (!name) return;
    closeTransfer();
    act('transfer', { counter: name });
  });
  $('btn-logout').addEventListener('click', () => {
    forgetToken();
    showLogin('');
  });
  const stored = loadToken();
  let remembered = false;
  try {
    remembered = !!localStorage.getItem(KEY);
  } catch (e) { /* none */ }
  if (stored) login(stored, remembered, true);
  else showLogin('');
}

document.addEventListener('DOMContentLoaded', init);
