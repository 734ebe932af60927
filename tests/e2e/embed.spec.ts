import { type Page, type Request } from '@playwright/test';
import { expect, test, DEMO_PASSWORD, USERS } from './fixtures';
import { acmeId, consoleToken, hostEvents, openHost, signInViaApi } from './host';

// The app embedded in a page of the console's (tests/e2e/host/embed.html, served on the app's origin by host.ts):
// the bundle mounts nothing by itself; `mount(element, options)` and `<support-center>` mount it under the
// console's base path, and the app tells the host what happens through support:* events.

const BASE = '/console/org/acme/support';

type Handle = { unmount(): void; navigate(path: string): void; setToken(token: string | null): void };
type HostWindow = Window & {
  supportMount(element: HTMLElement, options: Record<string, unknown>): Handle;
  handle?: Handle;
};

/** Mounts the app into the host's #slot with `options`; the handle is window.handle. */
async function mountApp(page: Page, options: Record<string, unknown>): Promise<void> {
  await page.evaluate((o) => {
    const w = window as unknown as HostWindow;
    w.handle = w.supportMount(document.getElementById('slot')!, o);
  }, options);
}

async function callHandle(page: Page, method: 'unmount' | 'navigate' | 'setToken', arg?: string | null): Promise<void> {
  await page.evaluate(
    ([m, a]) => {
      const h = (window as unknown as HostWindow).handle!;
      if (m === 'unmount') h.unmount();
      else if (m === 'navigate') h.navigate(a as string);
      else h.setToken(a as string | null);
    },
    [method, arg] as const,
  );
}

const slotOf = (page: Page) => page.locator('#slot');

/** What is left in the slot, light DOM and shadow root both (the embedded app lives in the slot's shadow root). */
const slotContent = (page: Page) =>
  page.evaluate(() => {
    const slot = document.getElementById('slot')!;
    return { light: slot.childNodes.length, shadow: slot.shadowRoot?.childNodes.length ?? 0 };
  });

/** Fills the create-ticket form's required fields. */
async function fillTicket(page: Page, subject: string): Promise<void> {
  const slot = slotOf(page);
  await slot.getByLabel('Subject', { exact: true }).fill(subject);
  await slot.getByRole('radio', { name: 'Low', exact: true }).check();
  await slot.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
  await slot.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
  await slot.getByLabel('Description', { exact: true }).fill('Our November invoice lists a service twice.');
}

/** How many of the user's tickets have `subject`, asked from the API (by the page's cookie, or with `token`). */
async function ticketsWithSubject(page: Page, subject: string, token?: string): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const me = await (await page.request.get('/api/v1/me', { headers })).json();
  const q = encodeURIComponent(subject);
  const list = await (await page.request.get(`/api/v1/organizations/${me.organization.id}/tickets?q=${q}&limit=100`, { headers })).json();
  return list.tickets.filter((t: { subject: string }) => t.subject === subject).length;
}

test('mount() renders the Support page inside the host under its base path; navigate() moves it and tells the host', async ({ page }) => {
  await signInViaApi(page, USERS.acmeAdmin, DEMO_PASSWORD);
  await openHost(page, BASE);
  // Loading the bundle mounted nothing.
  await expect(page.locator('.support-app')).toHaveCount(0);

  await mountApp(page, { base: BASE, brand: 'Acme support' });
  const slot = slotOf(page);
  await expect(slot.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  // Embedded: no header of our own, the region labelled with the brand, and the tab title is the console's.
  await expect(slot.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Acme support' })).toBeVisible();
  await expect(page).toHaveTitle('Console');
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:navigate').at(-1)?.detail).toEqual({ path: BASE });

  await callHandle(page, 'navigate', `${BASE}/tickets`);
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets$`));
  await expect(slot.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:navigate').at(-1)?.detail).toEqual({
    path: `${BASE}/tickets`,
  });
  // The app's own paths work too, and its links stay under the base.
  await callHandle(page, 'navigate', '/support');
  await expect(page).toHaveURL(new RegExp(`${BASE}$`));
  await expect(slot.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets$`));
  await expect(slot.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await expect(page).toHaveTitle('Console');
  // A path with a query reaches the host whole, `?` included, so the console can put it in its own address.
  await callHandle(page, 'navigate', `${BASE}/tickets?status=open`);
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets\\?status=open$`));
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:navigate').at(-1)?.detail).toEqual({
    path: `${BASE}/tickets?status=open`,
  });

  await callHandle(page, 'unmount');
  await expect(page.locator('.support-app')).toHaveCount(0);
  await expect(slot).toBeEmpty();
  expect(await slotContent(page)).toEqual({ light: 0, shadow: 0 });
});

test('<support-center> mounts on connect and unmounts on removal; creating a ticket and commenting fire their events', async ({ page }) => {
  await signInViaApi(page, USERS.acmeMember, DEMO_PASSWORD);
  await openHost(page, `${BASE}/tickets/new`);
  await page.evaluate((base) => {
    const element = document.createElement('support-center');
    element.setAttribute('base', base);
    document.getElementById('slot')!.append(element);
  }, BASE);
  const app = page.locator('support-center');
  await expect(app.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();

  const subject = `Embedded ticket ${Date.now()}`;
  await fillTicket(page, subject);
  await app.getByRole('button', { name: 'Create ticket', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets/\\d+`));
  const id = Number(new URL(page.url()).pathname.split('/').at(-1));
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:ticket-created')).toEqual([
    { type: 'support:ticket-created', detail: { id } },
  ]);

  await app.getByRole('button', { name: 'Add to conversation' }).click();
  await app.getByLabel('Comment', { exact: true }).fill('Sent from inside the console.');
  await app.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(app.getByText('Sent from inside the console.')).toBeVisible();
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:comment-added')).toEqual([
    { type: 'support:comment-added', detail: { ticketId: id } },
  ]);

  await page.evaluate(() => document.querySelector('support-center')!.remove());
  await expect(page.locator('.support-app')).toHaveCount(0);
});

test('<support-center> given its token before the bundle has loaded mounts in token mode from the start', async ({ page, request }) => {
  const token = consoleToken(USERS.acmeMember, await acmeId(request), 'member');
  const api: Request[] = [];
  await page.route('**/api/v1/**', (route) => {
    api.push(route.request());
    return route.fallback();
  });
  // The console's page has the element and its token before our module is even loaded (no cookie here).
  await openHost(
    page,
    BASE,
    `const early = document.createElement('support-center');
      early.setAttribute('base', ${JSON.stringify(BASE)});
      early.token = ${JSON.stringify(token)};
      document.getElementById('slot').append(early);`,
  );
  const app = page.locator('support-center');
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  expect(api.length).toBeGreaterThan(0);
  for (const sent of api) expect(sent.headers()['authorization'], sent.url()).toBe(`Bearer ${token}`);
});

test('embedded without a session: a short "Signed out" notice, never a sign-in form; token mode asks the host', async ({ page }) => {
  await openHost(page, BASE);
  await mountApp(page, { base: BASE });
  const slot = slotOf(page);
  await expect(slot.getByRole('heading', { level: 1, name: 'Signed out' })).toBeVisible();
  await expect(slot.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  expect((await hostEvents(page)).filter((e) => e.type === 'support:token-expired')).toEqual([]);
  await callHandle(page, 'unmount');

  await mountApp(page, { base: BASE, token: null });
  await expect(slot.getByRole('heading', { level: 1, name: 'Signed out' })).toBeVisible();
  await expect(slot).toContainText('Waiting for the console to sign you in again.');
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:token-expired')).toEqual([
    { type: 'support:token-expired', detail: {} },
  ]);
});

test('token mode: every request carries the bearer token; an expired token mid-ticket asks the host, keeps the form and creates the ticket once', async ({ page, request }) => {
  // No cookie: the server knows the user only by the console's signed tokens (start-server.sh runs it in token
  // mode). Every API request is recorded on its way through.
  const acme = await acmeId(request);
  const first = consoleToken(USERS.acmeMember, acme, 'member');
  const expired = consoleToken(USERS.acmeMember, acme, 'member', -120);
  const fresh = consoleToken(USERS.acmeMember, acme, 'member');
  const api: Request[] = [];
  await page.route('**/api/v1/**', (route) => {
    api.push(route.request());
    return route.fallback();
  });
  await openHost(page, `${BASE}/tickets/new`);
  await mountApp(page, { base: BASE, token: first });
  const slot = slotOf(page);
  await expect(slot.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  expect(api.length).toBeGreaterThan(0);
  for (const request of api) expect(request.headers()['authorization'], request.url()).toBe(`Bearer ${first}`);

  const subject = `Token expiry ${Date.now()}`;
  await fillTicket(page, subject);
  // The token runs out while the user types.
  await callHandle(page, 'setToken', expired);
  await slot.getByRole('button', { name: 'Create ticket', exact: true }).click();
  await expect.poll(async () => (await hostEvents(page)).filter((e) => e.type === 'support:token-expired').length).toBe(1);
  // Nothing typed is lost, and no sign-in form or notice replaces the form.
  await expect(slot.getByLabel('Subject', { exact: true })).toHaveValue(subject);
  await expect(slot.getByLabel('Description', { exact: true })).toHaveValue('Our November invoice lists a service twice.');
  await expect(slot.getByRole('heading', { level: 1, name: 'Signed out' })).toHaveCount(0);
  expect(await ticketsWithSubject(page, subject, fresh)).toBe(0);

  await callHandle(page, 'setToken', fresh);
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets/\\d+`));
  const creates = api.filter((r) => r.method() === 'POST' && /\/tickets$/.test(new URL(r.url()).pathname));
  expect(creates.map((r) => r.headers()['authorization'])).toEqual([`Bearer ${expired}`, `Bearer ${fresh}`]);
  expect(creates[1].headers()['idempotency-key']).toBe(creates[0].headers()['idempotency-key']);
  expect(await ticketsWithSubject(page, subject, fresh)).toBe(1);
  expect((await hostEvents(page)).filter((e) => e.type === 'support:ticket-created')).toHaveLength(1);
});

test('mounting and unmounting 20 times leaves no growing DOM nodes, event listeners or JS heap', async ({ page }) => {
  test.setTimeout(240_000);
  await signInViaApi(page, USERS.acmeMember, DEMO_PASSWORD);
  await openHost(page, BASE);
  const cdp = await page.context().newCDPSession(page);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const dom = await cdp.send('Memory.getDOMCounters');
    const heap = await cdp.send('Runtime.getHeapUsage');
    return { nodes: dom.nodes, listeners: dom.jsEventListeners, heap: heap.usedSize };
  };
  const slot = slotOf(page);
  // Each cycle visits a page with a poll (My tickets) and one with an autosaving draft and a pagehide listener
  // (Create ticket), then unmounts in the middle of it all.
  const cycle = async (n: number) => {
    await mountApp(page, { base: BASE });
    await expect(slot.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
    await callHandle(page, 'navigate', '/support/tickets');
    await expect(slot.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
    await callHandle(page, 'navigate', '/support/tickets/new');
    await slot.getByLabel('Subject', { exact: true }).fill(`Draft ${n}`);
    await callHandle(page, 'unmount');
    await expect(slot).toBeEmpty();
    expect(await slotContent(page)).toEqual({ light: 0, shadow: 0 });
    await page.evaluate((base) => history.replaceState(null, '', base), BASE);
  };
  // Warm up: first-use allocations (compiled code, caches) are not leaks.
  for (let n = 0; n < 3; n++) await cycle(n);
  // The baseline is read once two readings 250 ms apart agree (at most 5 s): whatever the warm-up's last page
  // still had pending when it went (a frame, a timer) has run by then.
  let before = await measure();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(250);
    const next = await measure();
    const still = next.nodes === before.nodes;
    before = next;
    if (still) break;
  }
  await mountApp(page, { base: BASE });
  await expect(slot.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  // The page's data has arrived (the heading alone shows over the loading placeholders).
  await expect(slot.getByRole('heading', { name: 'Current support tier' })).toBeVisible();
  await expect(slot.getByRole('link', { name: /Support Center/ })).toBeVisible();
  const mounted = await measure();
  await callHandle(page, 'unmount');
  for (let n = 0; n < 20; n++) await cycle(n);
  // A request of the last cycle still in flight (the list's poll, the draft's save) keeps its closures, and so
  // the unmounted nodes, until it answers or is aborted: on a busy machine that can be after the first reading.
  // A leak is what stays, so the counters are read again (up to 5 s) until they are back, and the assertions
  // below check the last reading: a real leak still fails them, and so does anything that holds the removed page
  // for seconds (the focus watch after a navigation held it for 600 frames, about 10 s, until it learned to stop
  // when the app is unmounted; the baseline above then sometimes still counted the warm-up's last page).
  let after = await measure();
  // The page's node count moves by about two dozen with nothing of the app mounted (a CI run read 131 before the
  // cycles and 155 after them, the usual figure, both readings stable), so the margin is 100 nodes: a fifth of
  // what one leaked mount of the Support page holds (430-570), so a single leaked mount still fails.
  const NODES = 100;
  const settled = (m: typeof after) =>
    m.nodes - before.nodes <= NODES && m.listeners - before.listeners <= 2 && m.heap - before.heap < 1024 * 1024;
  await expect
    .poll(async () => settled((after = await measure())), { timeout: 5_000, intervals: [250, 500, 1_000] })
    .toBe(true)
    .catch(() => {});
  const report = JSON.stringify({ before, mounted, after });
  console.log(`mount/unmount x20: ${report}`);
  // One mounted Support page holds hundreds of nodes; 20 leaked mounts would add thousands.
  expect(mounted.nodes - before.nodes, report).toBeGreaterThan(100);
  expect(after.nodes - before.nodes, report).toBeLessThanOrEqual(NODES);
  expect(after.listeners - before.listeners, report).toBeLessThanOrEqual(2);
  expect(after.heap - before.heap, report).toBeLessThan(1024 * 1024);
});
