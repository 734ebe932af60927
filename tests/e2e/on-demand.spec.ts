import { type Page, type Route } from '@playwright/test';
import { expect, test, USERS, expectNoA11yViolations, visitSignedIn } from './fixtures';

// The pages other than Support load their code on demand (src/pages/on_demand.rs): a wasm chunk of their own
// (`split_<name>.wasm`) plus the shared chunks they need (`chunk_<n>.wasm`). A chunk that does not arrive must
// leave the app running, with an error panel and Try again in the page's place.

/** Fails the first request of every chunk file once (a network error, as when the connection drops); later
 * requests go through. Returns the chunk files that were failed. */
async function failEachChunkOnce(page: Page): Promise<string[]> {
  const failed: string[] = [];
  await page.route(/\/(split|chunk)_[^/]*\.wasm$/, async (route: Route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    if (failed.includes(file)) return route.continue();
    failed.push(file);
    return route.abort('internetdisconnected');
  });
  return failed;
}

function chunkErrorPanel(page: Page) {
  return page.getByRole('alert').filter({ hasText: 'This page could not be loaded' });
}

test("a page whose code fails to download shows an error panel; Try again loads it", async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeMember);
  await expect(page.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  const failed = await failEachChunkOnce(page);

  await page.getByRole('link', { name: 'Go to Aiven Support Center' }).click();
  const panel = chunkErrorPanel(page);
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('We could not reach the server. Check your connection and try again.');
  expect(failed.some((f) => f.startsWith('split_tickets_chunk'))).toBe(true);
  await expect(page).toHaveURL(/\/support\/tickets$/);
  await expectNoA11yViolations(page, 'the page\u2019s code failed to load');

  await panel.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await expect(chunkErrorPanel(page)).toHaveCount(0);
});

test('with the error panel up, the header and navigation still work and the page loads when visited again', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeMember);
  await expect(page.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await failEachChunkOnce(page);

  // A deep link into a page whose chunk needs shared chunks too: every one of them fails the first time.
  await page.goto('/support/tickets/new');
  await expect(chunkErrorPanel(page)).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(USERS.acmeMember);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Support', exact: true })).toBeVisible();
  await expect(chunkErrorPanel(page)).toHaveCount(0);

  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
});
