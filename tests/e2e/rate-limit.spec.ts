import { type Page } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, visitSignedIn } from './fixtures';

// The abuse limits' 429 as the forms show it (issue 12): the server's sentence next to the form in its error
// summary (role=alert), and everything typed and attached still there. The e2e server's limits are raised
// (start-server.sh), so Playwright fakes the 429 with the body the server sends; the server side has its own
// integration tests (crates/server/tests/api/limits.rs).

/** The smallest valid PNG: an 1x1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Answers the next `method` request to `url` with the server's 429 body carrying `message`; later ones pass. */
async function refuseOnce(page: Page, url: string, message: string, method = 'POST'): Promise<() => number> {
  let refused = 0;
  await page.route(url, async (route) => {
    if (route.request().method() !== method || refused > 0) return route.continue();
    refused += 1;
    return route.fulfill({
      status: 429,
      contentType: 'application/json',
      headers: { 'retry-after': '720' },
      body: JSON.stringify({ status: 429, code: 'rate_limited', message, fields: [] }),
    });
  });
  return () => refused;
}

test('a refused ticket shows the limit next to the form and keeps the fields and the files', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets/new', USERS.acmeMember);
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  const message = 'You have created 30 tickets in the last hour, and the limit is 30 an hour. Try again in 12 minutes.';
  const refused = await refuseOnce(page, '**/api/v1/organizations/*/tickets', message);

  const subject = `Rate limited ${Date.now()}`;
  await page.getByLabel('CC', { exact: true }).fill('admin@acme.example');
  await page.getByLabel('CC', { exact: true }).press('Tab');
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByRole('radio', { name: 'Low', exact: true }).check();
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
  await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
  await page.getByLabel('Description', { exact: true }).fill('Our November invoice lists a service twice.');
  await page.getByLabel('Choose files').setInputFiles([{ name: 'invoice.png', mimeType: 'image/png', buffer: PNG }]);
  const uploads = page.getByRole('list', { name: 'Files to attach' });
  await expect(uploads.getByText('Uploaded')).toHaveCount(1);

  await page.getByRole('button', { name: 'Create ticket', exact: true }).click();

  const summary = page.getByRole('alert').filter({ hasText: message });
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('The ticket was not created.');
  await expect(summary).toContainText('Everything you entered is still here.');
  await expect(summary).toBeFocused();
  expect(refused()).toBe(1);
  await expect(page.getByLabel('Subject', { exact: true })).toHaveValue(subject);
  await expect(page.getByLabel('Description', { exact: true })).toHaveValue('Our November invoice lists a service twice.');
  await expect(page.getByRole('list', { name: 'CC addresses' }).getByRole('listitem')).toHaveText(['admin@acme.example\u00d7']);
  await expect(uploads.getByRole('listitem')).toHaveCount(1);
  await expect(uploads.getByText('invoice.png')).toBeVisible();
  await expectNoA11yViolations(page, 'rate limited create form');
  await page.screenshot({ path: test.info().outputPath('rate-limited-create.png'), fullPage: true });

  // Once there is room again, the same form goes through with its file.
  await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  await expect(page.getByText('invoice.png')).toBeVisible();
});

test('a refused comment shows the limit next to the form and keeps the comment', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Comment limit ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.goto(`/support/tickets/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const message = 'You have added 120 comments in the last hour, and the limit is 120 an hour. Try again in 3 minutes.';
  const refused = await refuseOnce(page, `**/api/v1/organizations/*/tickets/${id}/comments`, message);

  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await page.getByRole('textbox', { name: 'CC', exact: true }).fill('ops@elsewhere.example');
  await page.getByLabel('Comment', { exact: true }).fill('Still lagging at 60k messages.');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();

  const summary = page.getByRole('alert').filter({ hasText: message });
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('Your comment was not added.');
  await expect(summary).toContainText('Everything you wrote is still here.');
  expect(refused()).toBe(1);
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Still lagging at 60k messages.');
  await expect(page.getByText('ops@elsewhere.example')).toBeVisible();
  await expectNoA11yViolations(page, 'rate limited comment form');
  await page.screenshot({ path: test.info().outputPath('rate-limited-comment.png'), fullPage: true });

  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(page.getByRole('list').filter({ hasText: 'Still lagging at 60k messages.' })).toBeVisible();
});

test('a refused status change or CC removal says so next to its button, announced, and keeps the comment being written', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Status limit ${Date.now()}`;
  const outside = ['ana@partner.example', 'ben@partner.example'];
  const id = await createTicketViaApi(page, subject, { cc: outside });
  await page.goto(`/support/tickets/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  // A comment being written when the limit is hit.
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await page.getByLabel('Comment', { exact: true }).fill('Half-written reply.');

  const solving = 'You have sent 199 emails to addresses outside your organization in the last hour, and the limit is 200 an hour. This would send 2 more. Remove some CC addresses or try again in 12 minutes.';
  const refusedStatus = await refuseOnce(page, `**/api/v1/organizations/*/tickets/${id}/status`, solving);
  await page.getByRole('button', { name: 'Mark as solved' }).click();
  const statusAlert = page.getByRole('alert').filter({ hasText: solving });
  await expect(statusAlert).toBeVisible();
  await expect(statusAlert).toHaveText(`The ticket was not marked as solved. ${solving}`);
  expect(refusedStatus()).toBe(1);
  await expect(page.locator('#ticket-status')).toHaveText('Open');
  await expect(page.getByRole('button', { name: 'Mark as solved' })).toBeVisible();
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Half-written reply.');

  // A removal is refused in the CC section, next to its Remove button, and the address stays listed.
  const removing = 'You have sent 200 emails to addresses outside your organization in the last hour, and the limit is 200 an hour. This would send 1 more. Remove some CC addresses or try again in 5 minutes.';
  const refusedCc = await refuseOnce(page, `**/api/v1/organizations/*/tickets/${id}/cc/*`, removing, 'DELETE');
  const ccSection = page.getByRole('region', { name: 'CC', exact: true });
  await ccSection.getByRole('button', { name: `Remove ${outside[0]} from CC` }).click();
  const ccAlert = ccSection.getByRole('alert');
  await expect(ccAlert).toHaveText(`${outside[0]} was not removed from CC. ${removing}`);
  expect(refusedCc()).toBe(1);
  await expect(ccSection.getByRole('listitem')).toHaveCount(2);
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Half-written reply.');
  await expectNoA11yViolations(page, 'rate limited status change and CC removal');
  await page.screenshot({ path: test.info().outputPath('rate-limited-status-cc.png'), fullPage: true });
});
