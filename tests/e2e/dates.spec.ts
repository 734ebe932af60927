import { type Locator, type Page } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, serverCli, visitSignedIn } from './fixtures';

// Issue 11, item 7: dates and times in one format everywhere (My tickets, the ticket page, the conversation, the
// Support page), formatted by the browser in the user's locale and time zone, with the exact time on hover and
// on keyboard focus. The browser here is British in Tokyo, so a format or a time zone taken from anywhere else
// (the server, UTC, en-US) shows.

const LOCALE = 'en-GB';
const ZONE = 'Asia/Tokyo';
test.use({ locale: LOCALE, timezoneId: ZONE });

function formats(iso: string) {
  const at = new Date(iso);
  return {
    short: new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short', timeZone: ZONE }).format(at),
    exact: new Intl.DateTimeFormat(LOCALE, { dateStyle: 'full', timeStyle: 'long', timeZone: ZONE }).format(at),
  };
}

/** The time reads in the one format, and its exact time is its description and its tooltip on focus. */
async function expectTime(page: Page, time: Locator, how: 'keyboard' | 'hover' = 'keyboard') {
  const iso = await time.getAttribute('datetime');
  expect(iso, 'a <time> carries its machine-readable datetime').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const { short, exact } = formats(iso!);
  await expect(time).toHaveText(short);
  await expect(time).toHaveAccessibleDescription(exact);
  // The tooltip is the time's own description (two times of the same second have two).
  const tip = page.locator(`[id="${await time.getAttribute('aria-describedby')}"]`);
  await expect(tip).toHaveRole('tooltip');
  await expect(tip).toHaveText(exact);
  // (The pointer is left wherever the last click was: away from the time first.)
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  if (how === 'keyboard') {
    await time.focus();
    await expect(time).toBeFocused();
    await expect(tip).toBeVisible();
    // Escape dismisses it without moving focus (WCAG 1.4.13).
    await page.keyboard.press('Escape');
    await expect(tip).toBeHidden();
    await expect(time).toBeFocused();
    await time.blur();
  } else {
    await time.hover();
    await expect(tip).toBeVisible();
    await page.mouse.move(0, 0);
    await expect(tip).toBeHidden();
  }
  return short;
}

test('one date format everywhere, in the browser locale and time zone, with the exact time on hover and focus', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Dates ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'Which region?');
  await page.reload();

  // My tickets: Created and Updated.
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: subject }) });
  const [created, updated] = [row.locator('time').nth(0), row.locator('time').nth(1)];
  const createdText = await expectTime(page, created);
  await expectTime(page, updated, 'hover');
  // Reachable with the keyboard alone: Tab from the ticket's link reaches its Created time.
  await row.getByRole('link', { name: subject }).focus();
  await page.keyboard.press('Tab');
  await expect(created).toBeFocused();
  await expect(page.locator(`[id="${await created.getAttribute('aria-describedby')}"]`)).toBeVisible();
  await expectNoA11yViolations(page, 'My tickets with a time focused');

  // The ticket page: Created (the same text as in the list), Expected first response, the conversation.
  await row.getByRole('link', { name: subject }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const facts = page.locator('dl').filter({ hasText: 'Expected first response' });
  const ticketCreated = facts.locator('div').filter({ hasText: 'Created' }).locator('time');
  expect(await expectTime(page, ticketCreated)).toBe(createdText);
  await expectTime(page, facts.locator('div').filter({ hasText: 'Expected first response' }).locator('time'));
  const reply = page.getByRole('listitem').filter({ hasText: 'Which region?' }).locator('time');
  await expectTime(page, reply, 'hover');
  await reply.focus();
  await expectNoA11yViolations(page, 'ticket page with a time focused');
});

test('the Support page shows an upgrade request time in the same format', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.globexAdmin);
  const org = (await (await page.request.get('/api/v1/me')).json()).organization.id;
  const options = await (await page.request.get(`/api/v1/organizations/${org}/upgrade-options`)).json();
  const month = options.current_month as string;
  const response = await page.request.post(`/api/v1/organizations/${org}/upgrade-requests`, {
    headers: { 'x-support-csrf': '1' },
    data: { tier: 'premium', start_month: month, billing_group_id: options.billing_groups[0].id },
  });
  expect(response.status(), await response.text()).toBe(201);
  const requestId = (await response.json()).id;
  try {
    await page.reload();
    const current = page.getByRole('region', { name: 'Current support tier' });
    const requested = current.locator('div').filter({ hasText: 'Requested at' }).locator('time');
    await expectTime(page, requested);
    await requested.focus();
    await expectNoA11yViolations(page, 'Support page with a time focused');
    // The focused time's tooltip does not stand in the way of the button under it.
    await current.getByRole('button', { name: 'Cancel upgrade request' }).click();
    await expect(current.getByRole('link', { name: 'Upgrade to Enterprise' })).toBeVisible();
  } finally {
    // Other tests start from no request, whatever happened above (already withdrawn: a harmless error).
    await page.request.delete(`/api/v1/organizations/${org}/upgrade-requests/${requestId}`, { headers: { 'x-support-csrf': '1' } });
  }
});
