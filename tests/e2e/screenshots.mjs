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
await browser.close();
