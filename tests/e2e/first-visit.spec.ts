import { type Page } from '@playwright/test';
import { expect, test, USERS, visitSignedIn } from './fixtures';

// The standalone index.html asks for /me and, on the Support page, the organization's support status while the
// wasm downloads (mount's `early` option); the app takes those answers instead of asking again. These tests count
// the requests the server sees: one of each, whichever way the first answers come back.

/** Counts the GETs of /api/v1/me and of an organization's support status from now on. */
function countApiGets(page: Page): { me: number; status: number } {
  const counts = { me: 0, status: 0 };
  page.on('request', (request) => {
    if (request.method() !== 'GET') return;
    const path = new URL(request.url()).pathname;
    if (path === '/api/v1/me') counts.me += 1;
    if (/^\/api\/v1\/organizations\/\d+\/support$/.test(path)) counts.status += 1;
  });
  return counts;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1, name: 'Support', exact: true });
const currentTier = (page: Page) => page.getByRole('region', { name: 'Current support tier' });

test('a first visit of the Support page asks for the session and the support status once each', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await expect(currentTier(page)).toBeVisible();

  const counts = countApiGets(page);
  await page.reload();
  await expect(heading(page)).toBeVisible();
  await expect(currentTier(page)).toContainText(/Basic|Essential|Advanced|Premium/);
  await page.waitForLoadState('networkidle');
  expect(counts).toEqual({ me: 1, status: 1 });
});

test('a first visit of another page asks for the session once, and for nothing twice', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeAdmin);
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();

  const gets: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && new URL(request.url()).pathname.startsWith('/api/')) gets.push(new URL(request.url()).pathname);
  });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(gets.filter((p) => p === '/api/v1/me')).toHaveLength(1);
  expect(gets.filter((p, i) => gets.indexOf(p) !== i)).toEqual([]);
});

test('signed out, the status is asked for once, after signing in', async ({ page }) => {
  const counts = countApiGets(page);
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await expect(currentTier(page)).toContainText(/Basic|Essential|Advanced|Premium/);
  await page.waitForLoadState('networkidle');
  expect(counts).toEqual({ me: 1, status: 1 });
});

test('a session check the page started that fails on the way is asked again by the app', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await expect(currentTier(page)).toBeVisible();

  let failed = 0;
  await page.route('**/api/v1/me', async (route) => {
    if (failed === 0) {
      failed += 1;
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  const counts = countApiGets(page);
  await page.reload();
  await expect(currentTier(page)).toContainText(/Basic|Essential|Advanced|Premium/);
  expect(failed).toBe(1);
  expect(counts.me).toBe(2);
  await expect(page.getByText('We could not reach the server')).toHaveCount(0);
});

/** The chunk files (`split_*.wasm`, `chunk_*.wasm`) the page has loaded, each with how it was asked for. */
async function chunkLoads(page: Page): Promise<{ file: string; initiator: string }[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e as PerformanceResourceTiming)
      .filter((e) => /\/(split|chunk)_[^/]*\.wasm$/.test(e.name))
      .map((e) => ({ file: new URL(e.name).pathname, initiator: e.initiatorType })),
  );
}

/** The files index.html lists for a page loaded on demand (written by scripts/wasm-split.sh). */
async function listedFiles(page: Page, name: string): Promise<string[]> {
  return page.evaluate((n) => JSON.parse(document.getElementById('support-chunks')?.textContent ?? '{}')[n] ?? [], name);
}

test("a first visit of a page loaded on demand asks for its code with the page, once per file", async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeMember);
  await expect(heading(page)).toBeVisible();

  await page.goto('/support/tickets');
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  const listed = await listedFiles(page, 'tickets_chunk');
  expect(listed.length, 'index.html lists My tickets\u2019 files').toBeGreaterThan(1);
  const loads = await chunkLoads(page);
  // Preloaded by index.html (initiator "link"), and the app's own request took that answer: no second request.
  expect(loads.map((l) => l.file).sort()).toEqual([...listed].sort());
  expect(loads.filter((l) => l.initiator !== 'link')).toEqual([]);
});

test('signed out, a first visit asks for the sign-in form\u2019s code with the page', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/support/tickets');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  const listed = await listedFiles(page, 'sign_in_chunk');
  expect(listed.length).toBeGreaterThan(0);
  const loads = await chunkLoads(page);
  expect(loads.map((l) => l.file).sort()).toEqual([...listed].sort());
  expect(loads.filter((l) => l.initiator !== 'link')).toEqual([]);
});
