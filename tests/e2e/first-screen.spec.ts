import { type Page } from '@playwright/test';
import { expect, expectNoA11yViolations, test, USERS, visitSignedIn } from './fixtures';

// To a signed-in browser the server writes the brand into the Support page's index.html, whose own script then
// draws the page's heading and lead paragraph before the wasm has loaded (crates/server/src/http/spa.rs,
// index.html). The app keeps its root hidden until its page has more than grey blocks, then takes the drawn
// screen's place. These tests hold the drawn screen to the app's words and place, and check who gets it.

const heading = (page: Page) => page.getByRole('heading', { level: 1, name: 'Support', exact: true });
const currentTier = (page: Page) => page.getByRole('region', { name: 'Current support tier' });

/** What a reader sees of the page's top: the header's product name, the lead paragraph and where it is. */
async function top(page: Page) {
  const lead = page.locator('.sa-lead');
  return {
    product: await page.locator('.sa-product').innerText(),
    lead: await lead.innerText(),
    link: await lead.getByRole('link').getAttribute('href'),
    box: await lead.boundingBox(),
  };
}

test('signed in, the Support page draws its heading and lead paragraph before the app, in the app’s words and place', async ({
  page,
  context,
}) => {
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await expect(currentTier(page)).toBeVisible();
  // The same browser, with no wasm at all: only what index.html draws.
  const drawn = await context.newPage();
  await drawn.route('**/*.wasm', (route) => route.abort());
  // A desktop, a small tablet and a phone: where the app's header puts the user and Sign out on a row of their own.
  for (const viewport of [{ width: 1280, height: 900 }, { width: 700, height: 900 }, { width: 375, height: 740 }]) {
    await page.setViewportSize(viewport);
    await drawn.setViewportSize(viewport);
    const app = await top(page);
    await drawn.goto('/support');
    await expect(heading(drawn)).toBeVisible();
    expect(await top(drawn), `${viewport.width} px wide`).toEqual(app);
    await expect(drawn.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText('Support');
  }
  await expect(drawn.getByRole('status')).toHaveText('Loading…');
  await expectNoA11yViolations(drawn, 'first screen');
});

test('the app takes the drawn screen’s place without moving anything or painting it twice', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await expect(currentTier(page)).toBeVisible();
  await page.addInitScript(() => {
    const seen = { shifts: 0, lcp: [] as number[], lcpAt: [] as number[], fcp: 0 };
    (window as unknown as { seen: typeof seen }).seen = seen;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (seen.shifts += (e as unknown as { value: number }).value))).observe({ type: 'layout-shift', buffered: true });
    // Sizes, not elements: an entry delivered after the drawn screen has gone names no element.
    new PerformanceObserver((list) => list.getEntries().forEach((e) => { seen.lcp.push((e as unknown as { size: number }).size); seen.lcpAt.push(e.startTime); })).observe({ type: 'largest-contentful-paint', buffered: true });
    new PerformanceObserver((list) => list.getEntries().forEach((e) => { if (e.name === 'first-contentful-paint') seen.fcp = e.startTime; })).observe({ type: 'paint', buffered: true });
  });
  await page.reload();
  await expect(currentTier(page)).toBeVisible();
  // Hidden with the app's page shown, then removed (after 3 s: see index.html).
  await expect(page.locator('#support-first-screen')).toBeHidden();
  await expect(page.locator('.support-app:visible')).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
  await expect(page.locator('#support-first-screen')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.locator('h1')).toHaveCount(1);
  const seen = await page.evaluate(() => (window as unknown as { seen: { shifts: number; lcp: number[]; lcpAt: number[]; fcp: number } }).seen);
  expect(seen.shifts, 'layout shift when the app took over').toBe(0);
  // One largest paint, the drawn lead paragraph (the page's largest text): the app's own, the same size in the
  // same place, is not a new one.
  expect(seen.lcp).toHaveLength(1);
  // ...painted with the first paint, and counted as such (text removed too soon after its paint is forgotten).
  expect(seen.lcpAt[0]).toBe(seen.fcp);
});

test('signed out, nothing is drawn before the sign-in form', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/support');
  await expect(page.locator('#support-first-screen')).toHaveCount(0);
  await expect(page.locator('h1')).toHaveCount(0);
});

test('other pages draw no Support screen', async ({ page, context }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeAdmin);
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  const other = await context.newPage();
  await other.route('**/*.wasm', (route) => route.abort());
  await other.goto('/support/tickets');
  await expect(other.locator('#support-first-screen')).toHaveCount(0);
  await expect(other.locator('h1')).toHaveCount(0);
});
