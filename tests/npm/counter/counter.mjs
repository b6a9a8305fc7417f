// Drives the counter page (assets/counter/) in Debian's headless chromium
// through playwright-core, against a real buergerkioskd started by
// tests/integration/test_counter_page.sh. Never downloads a browser.
//
// Environment: BK_URL (the daemon's base URL), BK_TOKEN1 (counter
// "Schalter 1": personalausweis, reisepass), BK_TOKEN2 ("Schalter 2":
// personalausweis), BK_STOP / BK_START (shell commands that stop and start
// the daemon on the same port), BK_REVOKE (revokes "Schalter 2"), BK_SHOTS (a folder for screenshots).
// Prints "ok: …" per step; exits 1 with "FAIL: …" at the first failure.
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const URL = process.env.BK_URL;
const T1 = process.env.BK_TOKEN1;
const T2 = process.env.BK_TOKEN2;
const SHOTS = process.env.BK_SHOTS || '';
const TIMEOUT = 10000;

function fail(msg) {
  console.log(`FAIL: ${msg}`);
  process.exit(1);
}

function assert(cond, msg) {
  if (!cond) fail(msg);
}

async function text(page, sel) {
  return (await page.textContent(sel)) || '';
}

// Waits until the element's text satisfies pred (or equals a string).
async function waitText(page, sel, want, what) {
  const pred = typeof want === 'function' ? want : (t) => t === want;
  const until = Date.now() + TIMEOUT;
  let last = '';
  while (Date.now() < until) {
    last = (await page.textContent(sel).catch(() => '')) || '';
    if (pred(last)) return last;
    await page.waitForTimeout(50);
  }
  fail(`${what}: ${sel} is "${last}"`);
  return last;
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function login(page, token) {
  await page.goto(URL + '/');
  await page.waitForSelector('#token', { state: 'visible', timeout: TIMEOUT });
  await page.fill('#token', token);
  await page.click('#login-button');
}

async function waiting(page, service) {
  const t = await text(page, `#queues li[data-service="${service}"] .count`);
  return parseInt(t, 10);
}

const noTicket = 'Keine Nummer aufgerufen';
const isNumber = (t) => /^[A-Z][0-9]{3}$/.test(t);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-quic'],
});
try {
  // a small touch panel: 800 × 480, touch events
  const ctx1 = await browser.newContext({ viewport: { width: 800, height: 480 }, hasTouch: true });
  const ctx2 = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const p1 = await ctx1.newPage();
  const p2 = await ctx2.newPage();
  for (const p of [p1, p2]) {
    p.on('pageerror', (e) => fail(`page error: ${e.message}`));
  }

  // a wrong token is refused, and says so
  await login(p1, 'x'.repeat(43));
  await waitText(p1, '#login-error', (t) => t.includes('falsch'), 'wrong token');
  assert(await p1.isHidden('#desk'), 'desk hidden after a wrong token');
  await shot(p1, '01-wrong-token');
  console.log('ok: a wrong token is refused');

  // the right one: the counter's name and its queues
  await login(p1, T1);
  await waitText(p1, '#counter-name', 'Schalter 1', 'login');
  await waitText(p1, '#conn', 'verbunden', 'connected');
  const before = await waiting(p1, 'personalausweis');
  assert(before >= 6, `6 tickets waiting, got ${before}`);
  assert((await text(p1, '#ticket-number')) === noTicket, 'no ticket at first');
  await shot(p1, '02-logged-in');
  console.log(`ok: logged in as Schalter 1, ${before} waiting`);

  // the second page logs in as Schalter 2 and sees the push from page 1
  await login(p2, T2);
  await waitText(p2, '#counter-name', 'Schalter 2', 'login 2');
  const before2 = await waiting(p2, 'personalausweis');

  // Next: the first ticket; Recall; No-show (offered after 2 calls)
  await p1.tap('#btn-next');
  await waitText(p1, '#ticket-number', 'A001', 'next');
  await waitText(p1, '#ticket-status', (t) => t.startsWith('Aufgerufen'), 'called');
  assert(await p1.isHidden('#btn-noshow'), 'no-show hidden after one call');
  await waitText(p2, `#queues li[data-service="personalausweis"] .count`,
    (t) => parseInt(t, 10) === before2 - 1, 'page 2 sees the queue shrink (SSE)');
  console.log('ok: next calls A001; the other page sees the queue shrink');
  await p1.tap('#btn-recall');
  await waitText(p1, '#ticket-status', (t) => t.includes('2×'), 'recall');
  await p1.waitForSelector('#btn-noshow', { state: 'visible', timeout: TIMEOUT });
  await shot(p1, '03-recalled');
  await p1.tap('#btn-noshow');
  await waitText(p1, '#ticket-number', noTicket, 'no-show');
  console.log('ok: recall, then no-show');

  // Start and Finish
  await p1.tap('#btn-next');
  await waitText(p1, '#ticket-number', 'A002', 'next 2');
  await p1.tap('#btn-start');
  await waitText(p1, '#ticket-status', (t) => t.startsWith('In Bedienung'), 'start');
  await p1.tap('#btn-finish');
  await waitText(p1, '#ticket-number', noTicket, 'finish');
  console.log('ok: start, finish');

  // Transfer to another service
  const pass = await waiting(p1, 'reisepass');
  await p1.tap('#btn-next');
  await waitText(p1, '#ticket-number', 'A003', 'next 3');
  await p1.tap('#btn-transfer');
  await p1.waitForSelector('#transfer-services button[data-service="reisepass"]', { timeout: TIMEOUT });
  await shot(p1, '04-transfer');
  await p1.tap('#transfer-services button[data-service="reisepass"]');
  await waitText(p1, '#ticket-number', noTicket, 'transfer');
  await waitText(p1, `#queues li[data-service="reisepass"] .count`,
    (t) => parseInt(t, 10) === pass + 1, 'reisepass queue grows by the transfer');
  console.log('ok: transfer A003 to reisepass');

  // Transfer to another counter by name: that counter calls it first
  await p1.tap('#btn-next');
  const moved = await waitText(p1, '#ticket-number', isNumber, 'next for transfer');
  await p1.tap('#btn-transfer');
  await p1.waitForSelector('#transfer-counter', { state: 'visible', timeout: TIMEOUT });
  await p1.fill('#transfer-counter', 'Schalter 2');
  await p1.tap('#transfer-counter-go');
  await waitText(p1, '#ticket-number', noTicket, 'transfer to counter');
  await p2.click('#btn-next');
  await waitText(p2, '#ticket-number', moved, 'Schalter 2 calls the ticket sent to it');
  await p2.click('#btn-finish');
  await waitText(p2, '#ticket-number', noTicket, 'finish on page 2');
  console.log(`ok: transfer ${moved} to Schalter 2, which calls it next`);

  // Park and unpark
  await p1.tap('#btn-next');
  const parkedNum = await waitText(p1, '#ticket-number', isNumber, 'next 4');
  await p1.tap('#btn-park');
  await waitText(p1, '#ticket-number', noTicket, 'park');
  await p1.waitForSelector(`#parked button[data-number="${parkedNum}"]`, { timeout: TIMEOUT });
  await p1.tap(`#parked button[data-number="${parkedNum}"]`);
  await waitText(p1, '#ticket-number', parkedNum, 'unpark');
  await p1.tap('#btn-finish');
  await waitText(p1, '#ticket-number', noTicket, 'finish unparked');
  console.log(`ok: park and unpark ${parkedNum}`);

  // Pause: Next is disabled until Resume
  await p1.tap('#btn-pause');
  await p1.waitForSelector('#paused-note', { state: 'visible', timeout: TIMEOUT });
  assert(await p1.isDisabled('#btn-next'), 'next disabled while paused');
  await p1.tap('#btn-resume');
  await p1.waitForSelector('#paused-note', { state: 'hidden', timeout: TIMEOUT });
  assert(await p1.isEnabled('#btn-next'), 'next enabled after resume');
  console.log('ok: pause and resume');

  // Two pages pressing Next at once never get the same ticket
  for (let round = 0; round < 2; round++) {
    await Promise.all([p1.click('#btn-next'), p2.click('#btn-next')]);
    const [a, b] = await Promise.all([
      waitText(p1, '#ticket-number', isNumber, 'race page 1'),
      waitText(p2, '#ticket-number', isNumber, 'race page 2'),
    ]);
    assert(a !== b, `both pages got ${a}`);
    console.log(`ok: Next at once: ${a} and ${b}`);
    await Promise.all([p1.click('#btn-finish'), p2.click('#btn-finish')]);
    await waitText(p1, '#ticket-number', noTicket, 'race finish 1');
    await waitText(p2, '#ticket-number', noTicket, 'race finish 2');
  }

  // The daemon restarts: a quiet "reconnecting", then the state again
  await p1.tap('#btn-next');
  const held = await waitText(p1, '#ticket-number', isNumber, 'next before restart');
  execSync(process.env.BK_STOP, { stdio: 'inherit' });
  await waitText(p1, '#conn', (t) => t.includes('wiederhergestellt'), 'reconnecting shown');
  assert((await text(p1, '#ticket-number')) === held, 'the ticket stays on screen');
  await shot(p1, '05-reconnecting');
  execSync(process.env.BK_START, { stdio: 'inherit' });
  await waitText(p1, '#conn', 'verbunden', 'connected again');
  await waitText(p1, '#ticket-number', held, 'state after restart');
  await p1.tap('#btn-finish');
  await waitText(p1, '#ticket-number', noTicket, 'finish after restart');
  await p1.tap('#btn-next');
  await waitText(p1, '#ticket-number', (t) => isNumber(t) && t !== held, 'next after restart');
  await shot(p1, '06-after-restart');
  console.log(`ok: survives a daemon restart (held ${held})`);

  // a revoked token: the next action sends the clerk back to the login
  execSync(process.env.BK_REVOKE, { stdio: 'inherit' });
  await p2.click('#btn-next');
  await waitText(p2, '#login-error', (t) => t.includes('gilt nicht mehr'), 'revoked token');
  assert(await p2.isHidden('#desk'), 'desk hidden after revocation');
  await shot(p2, '07-revoked');
  console.log('ok: a revoked token returns to the login');

  // a reload keeps the login (sessionStorage)
  await p1.reload();
  await waitText(p1, '#counter-name', 'Schalter 1', 'login kept after reload');
  console.log('ok: a reload keeps the login');
} finally {
  await browser.close();
}
console.log('counter page: all steps passed');
