import { type Page } from '@playwright/test';
import { expect, test, USERS, expectNoA11yViolations, signIn, signInForm, visitSignedIn } from './fixtures';

// The seed's "Create a support ticket" section, step by step, with its labels, plus the promises the form makes:
// nothing typed is lost and nothing is created twice.

/** The smallest valid PNG: an 1x1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function form(page: Page) {
  return {
    cc: page.getByLabel('CC', { exact: true }),
    subject: page.getByLabel('Subject', { exact: true }),
    severity: (name: 'Low' | 'High' | 'Critical') => page.getByRole('radio', { name, exact: true }),
    resources: page.getByLabel('Projects and services (optional)'),
    chooseResources: page.getByText('Choose from your organization'),
    product: page.getByLabel('Product', { exact: true }),
    reason: page.getByLabel('Reason', { exact: true }),
    description: page.getByLabel('Description', { exact: true }),
    files: page.getByLabel('Choose files'),
    create: page.getByRole('button', { name: 'Create ticket', exact: true }),
    summary: page.getByRole('alert').filter({ hasText: 'There is a problem' }),
  };
}

async function openForm(page: Page, user: string = USERS.acmeMember) {
  await visitSignedIn(page, '/support/tickets/new', user);
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
}

/** Fills every required field (and nothing optional) with `subject`. */
async function fillRequired(page: Page, subject: string) {
  const f = form(page);
  await f.subject.fill(subject);
  await f.severity('Low').check();
  await f.product.selectOption({ label: 'Billing' });
  await f.reason.selectOption({ label: 'Question about an invoice' });
  await f.description.fill('Our November invoice lists a service twice.');
}

/** How many of the signed-in user's tickets have `subject`, asked from the API. */
async function ticketsWithSubject(page: Page, subject: string): Promise<number> {
  const me = await (await page.request.get('/api/v1/me')).json();
  const q = encodeURIComponent(subject);
  const list = await (await page.request.get(`/api/v1/organizations/${me.organization.id}/tickets?q=${q}&limit=100`)).json();
  return list.tickets.filter((t: { subject: string }) => t.subject === subject).length;
}

test('a member files a ticket the way the documentation says, with a CC and a screenshot', async ({ page }) => {
  await visitSignedIn(page, '/support', USERS.acmeMember);
  await page.getByRole('link', { name: 'Go to Aiven Support Center' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await page.getByRole('link', { name: 'Create ticket' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await expectNoA11yViolations(page, 'empty form');

  const f = form(page);
  await f.cc.fill('admin@acme.example');
  await f.cc.press('Tab');
  await expect(page.getByRole('list', { name: 'CC addresses' }).getByRole('listitem')).toHaveText(['admin@acme.example\u00d7']);
  await expect(f.cc).toHaveValue('');

  await f.subject.fill('Cannot connect to pg-main');
  // Each severity carries the documentation's definition and this tier's first response time.
  await expect(page.getByText('The primary functions are working, but severely limited or slow.')).toBeVisible();
  await expect(page.getByText('Expected first response: 1 business day on your Basic tier.').first()).toBeVisible();
  await f.severity('High').check();
  await f.resources.fill('acme-prod/pg-main');
  await f.resources.press('Enter');
  await expect(page.getByRole('button', { name: 'Remove acme-prod/pg-main' })).toBeVisible();
  await f.product.selectOption({ label: 'PostgreSQL' });
  await f.reason.selectOption({ label: 'Cannot connect' });
  await expect(page.getByText('Steps to reproduce the problem')).toBeVisible();
  await f.description.fill('Connections to pg-main time out since 10:00 UTC.\nError: connection timed out');

  // Upload over a slow link, so the progress bar is seen moving.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 200 * 1024,
  });
  const log = Buffer.concat([Buffer.from('2026-11-27 10:00:01 ERROR connection timed out\n'.repeat(12_000))]);
  await f.files.setInputFiles([
    { name: 'screenshot.png', mimeType: 'image/png', buffer: PNG },
    { name: 'client.log', mimeType: 'text/plain', buffer: log },
  ]);
  const uploads = page.getByRole('list', { name: 'Files to attach' });
  await expect(uploads.getByText(/Uploading, [1-9]\d?%/)).toBeVisible();
  await expect(uploads.getByRole('progressbar', { name: 'Upload of client.log' })).toBeVisible();
  await expect(uploads.getByText('Uploaded')).toHaveCount(2, { timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  // Remove one again: only the screenshot goes with the ticket.
  await uploads.getByRole('button', { name: 'Remove client.log' }).click();
  await expect(uploads.getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText('Remove secrets first.')).toBeVisible();
  await expectNoA11yViolations(page, 'filled form');

  await f.create.click();
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Ticket created' })).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'Cannot connect to pg-main' })).toBeVisible();
  await expect(page.getByText('admin@acme.example')).toBeVisible();
  await expect(page.getByText('acme-prod/pg-main')).toBeVisible();
  await expect(page.getByText('PostgreSQL \u2013 Cannot connect')).toBeVisible();
  await expect(page.getByText('Within 1 business day')).toBeVisible();
  const download = page.getByRole('link', { name: 'screenshot.png' });
  await expect(download).toBeVisible();
  const file = await page.request.get((await download.getAttribute('href'))!);
  expect(file.status()).toBe(200);
  expect(Buffer.compare(await file.body(), PNG)).toBe(0);
  await expectNoA11yViolations(page, 'ticket page after creation');

  // The ticket is on My tickets, and the form starts empty again (the draft is gone).
  await page.getByRole('link', { name: 'My tickets' }).click();
  await expect(page.getByRole('link', { name: 'Cannot connect to pg-main' })).toBeVisible();
  await expectNoA11yViolations(page, 'my tickets');
  await page.getByRole('link', { name: 'Create ticket' }).click();
  await expect(f.subject).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Discard draft' })).toHaveCount(0);
});

test('an empty submit lists every missing field in a focused summary that links to each field', async ({ page }) => {
  await openForm(page);
  const f = form(page);
  await f.create.click();
  await expect(f.summary).toBeFocused();
  const items = f.summary.getByRole('link');
  await expect(items).toHaveText([
    'Subject: enter a short summary of the problem.',
    'Severity: choose how urgent the problem is.',
    'Product: choose the affected product.',
    'Description: describe the problem so the support team can help.',
  ]);
  await expect(f.subject).toHaveAttribute('aria-invalid', 'true');
  await expectNoA11yViolations(page, 'empty submit');
  await items.filter({ hasText: 'Product:' }).click();
  await expect(f.product).toBeFocused();
  // Fixing a field clears its message at once.
  await f.subject.fill('Now with a subject');
  await expect(page.getByText('Subject: enter a short summary of the problem.')).toHaveCount(0);
});

test('an invalid CC address keeps its text and says what is wrong, next to the field', async ({ page }) => {
  await openForm(page);
  const f = form(page);
  await f.cc.fill('ops@acme.example not-an-email');
  await f.cc.press('Tab');
  const message = 'CC: \u201cnot-an-email\u201d is not a valid email address, e.g. name@example.com.';
  await expect(page.locator('#ticket-cc-error')).toHaveText(message);
  await expect(f.cc).toHaveValue('not-an-email');
  await expect(f.cc).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('list', { name: 'CC addresses' }).getByRole('listitem')).toHaveCount(1);
  // Your own address is refused too.
  await f.cc.fill(USERS.acmeMember);
  await f.cc.press('Enter');
  await expect(page.locator('#ticket-cc-error')).toContainText('is your own address');
  await expectNoA11yViolations(page, 'invalid CC');
  await page.getByRole('button', { name: 'Remove ops@acme.example' }).click();
  await expect(page.getByRole('list', { name: 'CC addresses' })).toBeHidden();
});

test('a reload in the middle of typing restores the draft, and Discard draft clears it', async ({ page }) => {
  await openForm(page);
  const f = form(page);
  await f.cc.fill('admin@acme.example ');
  await f.subject.fill('Draft that survives a reload');
  await f.severity('Critical').check();
  await f.product.selectOption({ label: 'Apache Kafka' });
  await f.reason.selectOption({ label: 'Consumer lag or throughput' });
  await f.description.type('Lag grows by');
  await page.reload();

  await expect(page.getByText('We restored your unsent draft')).toBeVisible();
  await expect(f.subject).toHaveValue('Draft that survives a reload');
  await expect(f.description).toHaveValue('Lag grows by');
  await expect(f.severity('Critical')).toBeChecked();
  await expect(f.product).toHaveValue('kafka');
  await expect(f.reason).toHaveValue('lag');
  await expect(page.getByRole('list', { name: 'CC addresses' }).getByRole('listitem')).toHaveText(['admin@acme.example\u00d7']);
  await expectNoA11yViolations(page, 'restored draft');

  await page.getByRole('button', { name: 'Discard draft' }).click();
  await expect(f.subject).toHaveValue('');
  await expect(f.description).toHaveValue('');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await expect(f.subject).toHaveValue('');
  await expect(page.getByText('We restored your unsent draft')).toHaveCount(0);
});

test('an answer lost on the network keeps everything, and the retry creates exactly one ticket', async ({ page }) => {
  await openForm(page);
  const subject = `Lost answer ${Date.now()}`;
  await fillRequired(page, subject);
  // The server receives and handles the request, but the browser never sees the answer.
  let lost = 0;
  await page.route('**/api/v1/organizations/*/tickets', async (route) => {
    if (route.request().method() === 'POST' && lost === 0) {
      lost += 1;
      await route.fetch();
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  const f = form(page);
  await f.create.click();
  await expect(f.summary).toBeFocused();
  await expect(f.summary).toContainText('We could not reach the server, so we cannot tell whether the ticket was created.');
  await expect(f.subject).toHaveValue(subject);
  await expect(f.description).toHaveValue('Our November invoice lists a service twice.');
  await expectNoA11yViolations(page, 'network failure');

  await f.create.click();
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  expect(lost).toBe(1);
  expect(await ticketsWithSubject(page, subject)).toBe(1);
});

test('a double click and an expired session create one ticket and lose nothing', async ({ page }) => {
  await openForm(page);
  const subject = `Session ends ${Date.now()}`;
  await fillRequired(page, subject);
  // The session ends while the user is typing: Create ticket asks them to sign in again...
  await page.context().clearCookies();
  await form(page).create.dblclick();
  await expect(signInForm(page).heading).toBeVisible();
  await signIn(page, USERS.acmeMember);
  // ...and brings them back to the form with everything they typed.
  await expect(form(page).subject).toHaveValue(subject);
  await expect(form(page).reason).toHaveValue('invoice');
  await form(page).create.dblclick();
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  expect(await ticketsWithSubject(page, subject)).toBe(1);
});

test('files that break the limits are refused before upload, naming the file', async ({ page }) => {
  await openForm(page);
  const f = form(page);
  await f.files.setInputFiles([{ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') }]);
  await expect(page.locator('#ticket-attachments-error')).toContainText('tool.exe is not a file type we accept');
  await expect(page.getByRole('list', { name: 'Files to attach' })).toBeHidden();
  // The server checks content, not just the name.
  await f.files.setInputFiles([{ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') }]);
  const row = page.getByRole('list', { name: 'Files to attach' }).getByRole('listitem');
  await expect(row).toContainText('fake.png');
  await expect(row.getByRole('button', { name: 'Retry fake.png' })).toBeVisible();
  await expectNoA11yViolations(page, 'refused files');
});

test('the keyboard alone fills in and sends the form, in the documented order', async ({ page }) => {
  await openForm(page);
  const f = form(page);
  const subject = `Keyboard only ${Date.now()}`;
  await f.cc.focus();
  await page.keyboard.type('admin@acme.example ');
  await expect(page.getByRole('button', { name: 'Remove admin@acme.example' })).toBeVisible();
  // The chip's remove button comes before the box in the tab order; from the box, Tab goes on to Subject.
  await expect(f.cc).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(f.subject).toBeFocused();
  await page.keyboard.type(subject);
  await page.keyboard.press('Tab');
  await expect(f.severity('Low')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(f.severity('High')).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(f.resources).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(f.chooseResources).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(f.product).toBeFocused();
  await f.product.selectOption({ label: 'Networking' });
  await page.keyboard.press('Tab');
  await expect(f.reason).toBeFocused();
  await f.reason.selectOption({ label: 'VPC peering' });
  await page.keyboard.press('Tab');
  await expect(f.description).toBeFocused();
  await page.keyboard.type('Peering to vpc-123 stays pending.');
  await page.keyboard.press('Tab');
  await expect(f.files).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(f.create).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
});
