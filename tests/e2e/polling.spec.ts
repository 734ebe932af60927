import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, serverCli, visitSignedIn } from './fixtures';

// Issue 11, item 9: polling never disturbs the user. When My tickets finds a change, the rows are updated in
// place, so the focused row link, the scroll position and a half-typed search stay where they are.

/** My tickets polls every 15 s (`POLL_MS` in src/pages/tickets/mod.rs). */
const POLL_MS = 15_000;
/**
 * How long the answer of a poll the test brought forward may take. The page's clock is Playwright's (installed before
 * the page loads, it runs on with real time), so the test moves it on by one interval instead of waiting for it:
 * the poll is then asked at once, and only its round trip is waited for, with room for a loaded machine.
 */
const POLL_WAIT = { timeout: 25_000 };

test('a change found by polling updates My tickets in place: focus, scroll and a half-typed search stay', async ({ page }) => {
  test.setTimeout(120_000);
  await page.clock.install();
  // Short enough that the list scrolls.
  await page.setViewportSize({ width: 1000, height: 420 });
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const stamp = Date.now();
  const first = `Poll first ${stamp}`;
  const second = `Poll second ${stamp}`;
  await createTicketViaApi(page, first);
  const secondId = await createTicketViaApi(page, second);
  await page.reload();
  const firstLink = page.getByRole('link', { name: first });
  const secondRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: second }) });
  await expect(firstLink).toBeVisible();
  await expect(secondRow).toContainText('No replies yet');

  // A row link has focus and the page is scrolled; the element is marked to tell it from a new one.
  await firstLink.focus();
  await firstLink.evaluate((el) => el.setAttribute('data-test-mark', 'kept'));
  const scrolled = await page.evaluate(() => {
    window.scrollTo(0, document.documentElement.scrollHeight);
    return window.scrollY;
  });
  expect(scrolled, 'the list is long enough to scroll').toBeGreaterThan(0);

  serverCli('tickets', 'reply', String(secondId), '--author', 'Sam from Support', '--body', 'Which region is it?', '--status', 'awaiting_customer');
  await page.clock.fastForward(POLL_MS);
  await expect(secondRow).toContainText('Sam from Support (Support)', POLL_WAIT);
  await expect(secondRow).toContainText('Awaiting your reply');
  await expect(firstLink).toBeFocused();
  await expect(firstLink).toHaveAttribute('data-test-mark', 'kept');
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  await expectNoA11yViolations(page, 'My tickets after a poll');

  // A half-typed search: the box keeps its text, caret and focus while a poll updates the rows under it.
  const search = page.getByLabel('Search tickets');
  await search.click();
  await search.pressSequentially(`Poll sec`);
  // The list follows the typed words (the URL a moment later); then the user goes on typing, unhurried.
  await expect(page.getByRole('link', { name: first })).toHaveCount(0);
  await search.pressSequentially('ond ');
  await expect(secondRow).toBeVisible();
  // Wait for the poll that brings the second reply: another agent's, so the row shows it even within the second of
  // the first reply (the Updated time has whole seconds, and would not move on).
  serverCli('tickets', 'reply', String(secondId), '--author', 'Alex from Support', '--body', 'And which plan?');
  await page.clock.fastForward(POLL_MS);
  await expect(secondRow).toContainText('Alex from Support (Support)', POLL_WAIT);
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('Poll second ');
  expect(await search.evaluate((el) => (el as HTMLInputElement).selectionStart)).toBe('Poll second '.length);
});

test('a poll that gets no answer is given up after 10 s, and the next one still brings the change', async ({ page }) => {
  test.setTimeout(90_000);
  await page.clock.install();
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Poll unanswered ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.reload();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: subject }) });
  await expect(row).toContainText('No replies yet');

  // From here on every request for the list is a poll. The first one is held: it reaches the network and is never
  // answered, as with a connection that died without the browser noticing.
  let held = 0;
  let passed = 0;
  let cancelled = 0;
  const list = /\/api\/v1\/organizations\/\d+\/tickets(\?|$)/;
  page.on('requestfailed', (request) => {
    if (list.test(request.url())) cancelled += 1;
  });
  await page.route(list, async (route) => {
    if (route.request().method() === 'GET' && held === 0) {
      held += 1;
      return;
    }
    passed += 1;
    await route.continue();
  });
  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'Is the lag still growing?');
  await page.clock.fastForward(POLL_MS);
  await expect.poll(() => held, POLL_WAIT).toBe(1);
  // The page gives the unanswered poll up after 10 s (the browser's own timer, `AbortSignal.timeout`, which the
  // page's fake clock does not drive); the next tick asks again and gets the reply.
  await expect.poll(() => cancelled, { message: 'the unanswered poll is cancelled', ...POLL_WAIT }).toBe(1);
  await page.clock.fastForward(POLL_MS);
  await expect(row).toContainText('Sam from Support (Support)', POLL_WAIT);
  expect(passed, 'the reply came with a later poll, not the held one').toBeGreaterThan(0);
});
