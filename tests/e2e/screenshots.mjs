// Takes screenshots of each screen for people to look at (README image, review). Not a test.
// Usage: node screenshots.mjs <base-url> <out-dir>
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:8080', out = 'screenshots'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function shoot(name, email, path, { width = 1280, height = 900, before } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(base + path);
  await page.getByLabel('Email').waitFor();
  if (email) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('support-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
  }
  if (before) await before(page);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  await context.close();
}

await shoot('sign-in', null, '/support');
await shoot('sign-in-errors', null, '/support', {
  before: async (page) => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('There is a problem').waitFor();
  },
});
await shoot('support-acme-admin', 'admin@acme.example', '/support');
await shoot('support-acme-member', 'dev@acme.example', '/support');
await shoot('support-globex-admin', 'admin@globex.example', '/support');
await shoot('support-hobby', 'owner@hobby.example', '/support');
await shoot('support-acme-admin-320', 'admin@acme.example', '/support', { width: 320, height: 700 });
const wizard = { width: 1280, height: 900 };
await shoot('upgrade-1-tier', 'admin@acme.example', '/support/upgrade', wizard);
await shoot('upgrade-2-start', 'admin@acme.example', '/support/upgrade', {
  ...wizard,
  before: async (page) => {
    await page.getByRole('article', { name: 'Essential' }).getByRole('button', { name: 'Choose tier' }).click();
    await page.getByLabel('Start date', { exact: true }).selectOption({ index: 1 });
  },
});
await shoot('upgrade-3-billing-error', 'admin@acme.example', '/support/upgrade?step=billing&tier=essential', {
  ...wizard,
  before: async (page) => {
    const month = await page.evaluate(() => new Date().toISOString().slice(0, 7));
    await page.goto(`${base}/support/upgrade?step=billing&tier=essential&month=${month}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Billing group: choose').first().waitFor();
  },
});
await shoot('upgrade-4-review', 'admin@acme.example', '/support/upgrade', {
  ...wizard,
  before: async (page) => {
    const month = await page.evaluate(() => new Date().toISOString().slice(0, 7));
    const groups = await (await page.request.get(`${base}/api/v1/organizations/1/upgrade-options`)).json();
    await page.goto(`${base}/support/upgrade?step=review&tier=essential&month=${month}&group=${groups.billing_groups[1].id}`);
    await page.getByRole('button', { name: 'Upgrade tier' }).waitFor();
  },
});
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
async function fillTicket(page) {
  await page.getByLabel('CC', { exact: true }).fill('admin@acme.example ops@acme.example');
  await page.getByLabel('CC', { exact: true }).press('Tab');
  await page.getByLabel('Subject', { exact: true }).fill('Cannot connect to pg-main');
  await page.getByRole('radio', { name: 'High', exact: true }).check();
  await page.getByLabel('Project (optional)').selectOption({ label: 'acme-prod' });
  await page.getByLabel('Service (optional)').selectOption({ label: 'pg-main' });
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'PostgreSQL' });
  await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Cannot connect' });
  await page.getByLabel('Description', { exact: true }).fill('Connections to pg-main time out since 10:00 UTC.\n\nSteps: psql -h pg-main...\nError: connection timed out');
  await page.getByLabel('Choose files').setInputFiles([
    { name: 'screenshot.png', mimeType: 'image/png', buffer: PNG },
    { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a png') },
  ]);
  await page.getByText('Uploaded').waitFor();
  await page.getByRole('button', { name: 'Retry fake.png' }).waitFor();
}
await shoot('tickets-empty', 'owner@hobby.example', '/support/tickets');
await shoot('ticket-new-empty', 'dev@acme.example', '/support/tickets/new');
await shoot('ticket-new-errors', 'dev@acme.example', '/support/tickets/new', {
  before: async (page) => {
    await page.getByLabel('CC', { exact: true }).fill('not-an-email');
    await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
    await page.getByText('There is a problem').waitFor();
  },
});
await shoot('ticket-new-filled', 'dev@acme.example', '/support/tickets/new', { before: fillTicket });
await shoot('ticket-created', 'dev@acme.example', '/support/tickets/new', {
  before: async (page) => {
    await fillTicket(page);
    await page.getByRole('button', { name: 'Remove fake.png' }).click();
    await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
    await page.getByRole('heading', { name: 'Ticket created' }).waitFor();
  },
});
await shoot('tickets-list', 'dev@acme.example', '/support/tickets');
await shoot('ticket-new-hobby', 'owner@hobby.example', '/support/tickets/new');
await shoot('ticket-new-320', 'dev@acme.example', '/support/tickets/new', { width: 320, height: 700, before: fillTicket });
await shoot('tickets-demo', 'dev@acme.example', '/support/tickets');
await shoot('tickets-org', 'admin@acme.example', '/support/tickets?scope=organization');
await shoot('tickets-filtered', 'dev@acme.example', '/support/tickets?status=awaiting_customer&q=slow');
await shoot('ticket-conversation', 'dev@acme.example', '/support/tickets', {
  before: async (page) => {
    await page.getByRole('link', { name: 'Restore pg-main to the state before a failed migration' }).click();
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
  },
});
await shoot('ticket-add-to-conversation', 'dev@acme.example', '/support/tickets', {
  before: async (page) => {
    await page.getByRole('link', { name: 'Slow queries on pg-staging after the weekend maintenance' }).click();
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await page.getByRole('textbox', { name: 'CC', exact: true }).fill('ops@acme.example nope');
    await page.getByLabel('Comment', { exact: true }).fill('Here is the query plan you asked for.');
    await page.getByRole('textbox', { name: 'CC', exact: true }).press('Tab');
  },
});
await shoot('ticket-conversation-320', 'dev@acme.example', '/support/tickets', {
  width: 320,
  height: 700,
  before: async (page) => {
    await page.getByRole('link', { name: 'Restore pg-main to the state before a failed migration' }).click();
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
  },
});
await browser.close();
