import { type Locator, type Page, type Request } from '@playwright/test';
import { expect, expectNoA11yViolations, test, USERS, DEMO_PASSWORD } from './fixtures';
import { acmeId, CONSOLE_SUPPORT, type ConsoleUser, consoleToken, hostEvents, openConsole, serveConsole, signInViaApi } from './host';

// The app inside a fake console (tests/e2e/host/console.html): the console's own top bar, side navigation and
// History API router, aggressive global CSS, and the Support section at /console/org/acme/support embedding
// <support-center> in token mode (the console signs a token for its signed-in user). No cookie is set here.

const BASE = CONSOLE_SUPPORT;

/** Opens the console at `path` signed in (to the console) as `email`. */
async function openAs(page: Page, email: string, role: 'admin' | 'member', path: string, keepCookie = false): Promise<ConsoleUser> {
  // (Asking for Acme's id signs the context in with a password session: dropped unless a test wants it.)
  const user: ConsoleUser = { email, org: await acmeId(page.context().request), role, tokens: 0 };
  if (!keepCookie) await page.context().clearCookies();
  await serveConsole(page, user);
  await openConsole(page, path);
  return user;
}

const appOf = (page: Page) => page.locator('support-center');

/** Marks the current document, so a test can tell a client-side navigation from a page load. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
}
async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { marker?: number }).marker === 1);
}
async function consoleNavigations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { consoleNavigations: string[] }).consoleNavigations);
}
const eventsOf = async (page: Page, type: string) => (await hostEvents(page)).filter((e) => e.type === type);

test("the Support page under the console's base; the app's links and back/forward stay in the app, the console's stay the console's", async ({ page }) => {
  await openAs(page, USERS.acmeAdmin, 'admin', BASE);
  const app = appOf(page);
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await expect(app.getByRole('region', { name: 'Current support tier' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Acme support' })).toBeVisible();
  await expect(page).toHaveTitle('Acme Console');
  await markDocument(page);

  // The app's own link: handled by the app's router, not the console's, without a page load.
  await app.getByRole('link', { name: /Support Center/ }).click();
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets$`));
  await expect(app.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  expect(await consoleNavigations(page)).toEqual([]);
  await expect.poll(async () => (await eventsOf(page, 'support:navigate')).at(-1)?.detail).toEqual({ path: `${BASE}/tickets` });
  await expect(page.locator('#crumbs')).toHaveText(`Acme / Support (${BASE}/tickets)`);

  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${BASE}$`));
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await page.goForward();
  await expect(app.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();

  // A console link: the console's router handles it (the app is unmounted), not ours.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Billing' }).click();
  await expect(page).toHaveURL(/\/console\/org\/acme\/billing$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();
  await expect(app).toHaveCount(0);
  expect(await consoleNavigations(page)).toEqual(['/console/org/acme/billing']);
  expect(await sameDocument(page)).toBe(true);

  // Back into the Support section: the console mounts the app again, and it shows where the user was.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets$`));
  await expect(app.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await page.goBack();
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  // The console's side link to the Support section, from inside it, moves the app (one history entry).
  await page.goForward();
  await expect(app.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Support', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${BASE}$`));
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  expect(await sameDocument(page)).toBe(true);

  // A console page whose path merely begins with the base's text: the console's router handles it first (it calls
  // preventDefault before the click reaches window, where the app's router listens), so the app does not take it.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Support plans' }).click();
  await expect(page).toHaveURL(/\/console\/org\/acme\/support-plans$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Support plans' })).toBeVisible();
  await expect(app).toHaveCount(0);
  expect((await consoleNavigations(page)).at(-1)).toBe('/console/org/acme/support-plans');
  await page.goBack();
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();

  // A console link its router leaves to the browser (a full page load) is not taken by ours either: the router
  // only takes links under the app's base (before, its base was /console/org/acme and it took this one).
  await page.getByRole('link', { name: 'Account (full reload)' }).click();
  await expect(page).toHaveURL(/\/console\/org\/acme\/billing\?reload=1$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();
  expect(await sameDocument(page)).toBe(false);
});

test('the upgrade wizard inside the console, through to the request, tells the console', async ({ page }) => {
  await openAs(page, USERS.acmeAdmin, 'admin', BASE);
  const app = appOf(page);
  await app.getByRole('region', { name: 'Current support tier' }).getByRole('link', { name: 'Upgrade to Enterprise' }).click();
  await expect(page).toHaveURL(new RegExp(`${BASE}/upgrade`));
  await expect(app.getByRole('heading', { level: 1, name: 'Upgrade your support tier' })).toBeVisible();
  await app.getByRole('article', { name: 'Essential' }).getByRole('button', { name: 'Choose tier' }).click();
  const start = app.getByLabel('Start date', { exact: true });
  await expect(start).toBeVisible();
  const month = await start.locator('option').nth(2).getAttribute('value');
  await start.selectOption(month!);
  await app.getByRole('button', { name: 'Continue' }).click();
  await app.getByLabel('Billing group', { exact: true }).selectOption({ label: 'Acme R&D \u2013 Invoice (bank transfer)' });
  // The billing-group step shows the request and ends with Upgrade tier (issue 11: no review step).
  await expect(app.getByRole('region', { name: 'Review your request' })).toContainText('Essential');
  await expectNoA11yViolations(page, 'wizard review inside the console');
  expect(await eventsOf(page, 'support:upgrade-requested')).toEqual([]);
  await app.getByRole('button', { name: 'Upgrade tier' }).click();

  await expect(app.getByRole('heading', { name: 'Your upgrade request was sent' })).toBeVisible();
  await expect.poll(() => eventsOf(page, 'support:upgrade-requested')).toEqual([
    { type: 'support:upgrade-requested', detail: { tier: 'essential' } },
  ]);
  await app.getByRole('link', { name: 'Back to Support' }).click();
  const tier = app.getByRole('region', { name: 'Current support tier' });
  await expect(tier).toContainText('Upgrade to Essential requested');
  // Leave Acme as the other specs expect it.
  await tier.getByRole('button', { name: 'Cancel upgrade request' }).click();
  await expect(tier.getByRole('link', { name: 'Upgrade to Enterprise' })).toBeVisible();
});

test('a ticket created and commented on inside the console; its deep link and back/forward work', async ({ page }) => {
  await openAs(page, USERS.acmeMember, 'member', BASE);
  const app = appOf(page);
  await app.getByRole('link', { name: /Support Center/ }).click();
  await app.getByRole('link', { name: 'Create ticket' }).first().click();
  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets/new$`));
  await expect(app.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();

  const subject = `Console ticket ${Date.now()}`;
  await app.getByLabel('Subject', { exact: true }).fill(subject);
  await app.getByRole('radio', { name: 'Low', exact: true }).check();
  await app.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
  await app.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
  await app.getByLabel('Description', { exact: true }).fill('Our November invoice lists a service twice.');
  await expectNoA11yViolations(page, 'create ticket inside the console');
  await app.getByRole('button', { name: 'Create ticket', exact: true }).click();

  await expect(page).toHaveURL(new RegExp(`${BASE}/tickets/\\d+`));
  await expect(app.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const ticketUrl = new URL(page.url());
  const id = Number(ticketUrl.pathname.split('/').at(-1));
  await expect.poll(() => eventsOf(page, 'support:ticket-created')).toEqual([{ type: 'support:ticket-created', detail: { id } }]);

  await app.getByRole('button', { name: 'Add to conversation' }).click();
  await app.getByLabel('Comment', { exact: true }).fill('Written inside the console.');
  await app.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(app.getByText('Written inside the console.')).toBeVisible();
  await expect.poll(() => eventsOf(page, 'support:comment-added')).toEqual([{ type: 'support:comment-added', detail: { ticketId: id } }]);

  // Back and forward through the app's pages.
  await page.goBack();
  await expect(app.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await page.goForward();
  await expect(app.getByRole('heading', { level: 1, name: subject })).toBeVisible();

  // The deep link, loaded directly: the console draws its page, the app the ticket.
  await openConsole(page, `${BASE}/tickets/${id}`);
  await expect(app.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await expect(app.getByText('Written inside the console.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Support', exact: true })).toHaveAttribute('aria-current', 'page');
});

/**
 * Every computed property of the element, but its used size: its width follows the space it is given (the console's
 * column is narrower than the standalone page), and the height of the console's page grows with the app inside it.
 */
async function computedStyle(element: Locator): Promise<Record<string, string>> {
  return element.evaluate((el) => {
    const style = getComputedStyle(el);
    const out: Record<string, string> = {};
    const sized = new Set(['width', 'inline-size', 'height', 'block-size', 'perspective-origin', 'transform-origin']);
    for (const name of Array.from(style)) if (!sized.has(name)) out[name] = style.getPropertyValue(name);
    return out;
  });
}

test("isolation: mounting the app changes no computed style of the console's elements", async ({ page }) => {
  // The console draws its Support section without the app; the test mounts it once it has measured.
  await page.addInitScript(() => ((window as unknown as { consoleHoldSupport: boolean }).consoleHoldSupport = true));
  await openAs(page, USERS.acmeMember, 'member', BASE);
  const hostElements = {
    html: page.locator('html'),
    body: page.locator('body'),
    topbar: page.locator('header.topbar'),
    name: page.locator('.topbar .name'),
    button: page.getByRole('button', { name: 'Dark theme' }),
    nav: page.getByRole('navigation', { name: 'Console' }),
    link: page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Billing' }),
    crumbs: page.locator('#crumbs'),
  };
  const measure = async () => {
    const all: Record<string, Record<string, string>> = {};
    for (const [key, element] of Object.entries(hostElements)) all[key] = await computedStyle(element);
    return all;
  };
  const before = await measure();
  expect(before.button['font-family']).toBe('serif'); // the console's own CSS is there to be kept

  await page.evaluate(() => (window as unknown as { consoleMountSupport(): Promise<void> }).consoleMountSupport());
  const app = appOf(page);
  await expect(app.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await expect(app.getByRole('region', { name: 'Current support tier' })).toBeVisible();
  const after = await measure();
  // (The crumbs' text changes with the app's navigation; their style does not.)
  expect(after).toEqual(before);
});

/** The app's key elements on the Create ticket page, and their computed styles. */
async function appStyles(root: Locator): Promise<Record<string, Record<string, string>>> {
  await expect(root.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  const elements = {
    heading: root.getByRole('heading', { level: 1, name: 'Create ticket' }),
    button: root.getByRole('button', { name: 'Create ticket', exact: true }),
    input: root.getByLabel('Subject', { exact: true }),
    select: root.getByLabel('Product', { exact: true }),
    link: root.getByRole('link', { name: 'Cancel' }),
    label: root.locator('label', { hasText: 'Subject' }).first(),
    text: root.getByText('Include the following information in the description'),
  };
  const all: Record<string, Record<string, string>> = {};
  for (const [key, element] of Object.entries(elements)) all[key] = await computedStyle(element);
  return all;
}

test('isolation: the app looks the same inside the console as standalone (light theme)', async ({ page, browser }) => {
  await openAs(page, USERS.acmeMember, 'member', `${BASE}/tickets/new`);
  const app = appOf(page);
  // Wait for the app's stylesheet inside the shadow root before measuring.
  await expect.poll(() => app.evaluate((el) => el.shadowRoot?.styleSheets.length ?? 0)).toBe(1);
  const inside = await appStyles(app);

  const standalone = await browser.newContext();
  const alone = await standalone.newPage();
  await signInViaApi(alone, USERS.acmeMember, DEMO_PASSWORD);
  await alone.goto('/support/tickets/new');
  const outside = await appStyles(alone.locator('body'));
  await standalone.close();

  expect(inside.heading['font-family']).not.toContain('serif,'); // the app's own font, not the console's
  expect(inside.input['border-top-width']).toBe('1px');
  expect(inside).toEqual(outside);
});

test('axe finds nothing inside the console, in its light and its dark theme; token mode sends no cookie', async ({ page }) => {
  // A session cookie of ours is in the browser, but in token mode only the token says who the user is.
  const api: Request[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) api.push(r);
  });
  await openAs(page, USERS.acmeMember, 'member', BASE, true);
  expect((await page.context().cookies()).length).toBeGreaterThan(0);
  const app = appOf(page);
  await expect(app.getByRole('region', { name: 'Current support tier' })).toBeVisible();
  await expectNoA11yViolations(page, 'Support page inside the console, light');
  const background = () => app.locator('.support-app').evaluate((el) => getComputedStyle(el).backgroundColor);
  const light = await background();

  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect.poll(background).not.toBe(light);
  expect(await background()).toBe('rgb(18, 21, 28)');
  await expectNoA11yViolations(page, 'Support page inside the console, dark');
  await app.getByRole('link', { name: /Support Center/ }).click();
  await app.getByRole('link', { name: 'Create ticket' }).first().click();
  await expect(app.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await app.getByRole('button', { name: 'Create ticket', exact: true }).click();
  await expect(app.getByRole('alert').filter({ hasText: 'There is a problem' })).toBeVisible();
  await expectNoA11yViolations(page, 'Create ticket with errors inside the console, dark');
  expect(api.length).toBeGreaterThan(0);
  for (const r of api) {
    const headers = await r.allHeaders();
    expect(headers['authorization'], r.url()).toMatch(/^Bearer /);
    expect(headers['cookie'], r.url()).toBeUndefined();
  }
});

test('token mode: an upload refused with 401 asks the console for a token and completes once with it; the file downloads with the token', async ({ page }) => {
  const user = await openAs(page, USERS.acmeMember, 'member', `${BASE}/tickets/new`);
  const app = appOf(page);
  await expect(app.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  const tokensAtStart = user.tokens;
  // The first upload goes out with a token that has expired by then (beyond the server's leeway), and the server
  // refuses it; the rest go as the app sends them.
  const expired = consoleToken(user.email, user.org, user.role, -120);
  const uploads: Request[] = [];
  let refused = 0;
  await page.route('**/api/v1/organizations/*/attachments', (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    if (refused === 0) {
      refused += 1;
      return route.fallback({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } });
    }
    uploads.push(route.request());
    return route.fallback();
  });
  await app.getByLabel('Choose files').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('pg-main timed out\n') }]);
  const files = app.getByRole('list', { name: 'Files to attach' });
  await expect(files.getByText('Uploaded')).toHaveCount(1);
  await expect(files.getByRole('listitem')).toHaveCount(1);
  expect(refused).toBe(1);
  expect(uploads).toHaveLength(1);
  expect(user.tokens).toBe(tokensAtStart + 1);
  expect(uploads[0].headers()['authorization']).toMatch(/^Bearer /);
  expect(await eventsOf(page, 'support:token-expired')).toEqual([{ type: 'support:token-expired', detail: {} }]);

  // The ticket goes with the file, and the file comes back: a plain link would carry no token (and this page has
  // no cookie), so the app fetches it with the token and saves it under its name.
  const subject = `Console upload ${Date.now()}`;
  await app.getByLabel('Subject', { exact: true }).fill(subject);
  await app.getByRole('radio', { name: 'Low', exact: true }).check();
  await app.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
  await app.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
  await app.getByLabel('Description', { exact: true }).fill('The log is attached.');
  await app.getByRole('button', { name: 'Create ticket', exact: true }).click();
  await expect(app.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const downloading = page.waitForEvent('download');
  await app.getByRole('link', { name: 'notes.txt' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('notes.txt');
  const saved = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of saved) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe('pg-main timed out\n');
});
