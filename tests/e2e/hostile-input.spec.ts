import { type Page } from '@playwright/test';
import { expect, signIn, signInForm, test, USERS } from './fixtures';

// Issue 12's bad-input corpus, the SPA's half (the server's half is crates/server/tests/api/bad_input.rs): script
// and HTML typed into the subject, the description, a comment and a file's name are shown as the text they are, on
// the ticket page and in My tickets, and none of it runs. A payload that ran would set `window.__pwned`, open a
// dialog, or add an element (an image, an SVG, a frame, a style) that the checks below count; an inline script or
// handler the page tried to run would also be a Content-Security-Policy violation, which the fixtures' guard fails.

// Unique per run, so My tickets has exactly one link with this name whatever else the server holds.
const SUBJECT = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1"> {{7*7}} ${Date.now()}`;
const DESCRIPTION = [
  `<iframe srcdoc="<script>parent.__pwned = 1</script>"></iframe>`,
  `<a href="javascript:window.__pwned = 1">click me</a> "><svg onload="window.__pwned = 1">`,
  `<style>body { display: none }</style><b>not bold</b> &lt;already escaped&gt; &amp;`,
].join('\n');
const COMMENT = `</textarea><script>alert(1)</script><img src=x onerror=alert(document.domain)> \${alert(1)}`;
/** The file's name as the browser sends it, and as the server keeps it: the last path component without `<>"`. */
const FILE_NAME = `<img src=x onerror=alert(1)>.png`;
const SHOWN_FILE_NAME = `img src=x onerror=alert(1).png`;

/** The smallest valid PNG: an 1x1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Asserts that nothing the payloads carry became part of the page: no flag, no injected element. */
async function expectNothingRan(page: Page, dialogs: string[], where: string) {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), `${where}: __pwned`).toBeUndefined();
  expect(dialogs, `${where}: dialogs`).toEqual([]);
  for (const selector of ['img[src="x"]', 'svg[onload]', 'iframe', 'a[href^="javascript:"]', 'b', 'body style']) {
    await expect(page.locator(selector), `${where}: ${selector}`).toHaveCount(0);
  }
  await expect(page.locator('body')).toBeVisible();
}

test('script and HTML in a ticket, a comment and a file name show as text and never run', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });

  // Signed in without the sign-in form's accessibility check (other specs make it), to stay well under 20 s.
  await page.goto('/support/tickets/new');
  await expect(signInForm(page).heading).toBeVisible();
  await signIn(page, USERS.acmeMember);
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await page.getByLabel('Subject', { exact: true }).fill(SUBJECT);
  await page.getByRole('radio', { name: 'Low', exact: true }).check();
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
  await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
  await page.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
  await page.getByLabel('Choose files').setInputFiles([{ name: FILE_NAME, mimeType: 'image/png', buffer: PNG }]);
  const uploads = page.getByRole('list', { name: 'Files to attach' });
  await expect(uploads.getByText('Uploaded')).toHaveCount(1);
  await page.getByRole('button', { name: 'Create ticket', exact: true }).click();

  // The ticket page: the subject as the heading, every line of the description, the file's cleaned name.
  await expect(page.getByRole('heading', { name: 'Ticket created' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: SUBJECT, exact: true })).toBeVisible();
  // The description is the conversation's first message, its lines kept as text.
  const description = page.getByRole('listitem').filter({ hasText: 'already escaped' });
  await expect(description).toHaveCount(1);
  for (const line of DESCRIPTION.split('\n')) {
    await expect(description).toContainText(line);
  }
  await expect(page.getByRole('link', { name: SHOWN_FILE_NAME })).toBeVisible();
  await expectNothingRan(page, dialogs, 'ticket page after creating');

  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await page.getByLabel('Comment', { exact: true }).fill(COMMENT);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(page.getByText(COMMENT, { exact: true })).toBeVisible();
  await expectNothingRan(page, dialogs, 'ticket page after commenting');

  // Rendered afresh from what the server stored: the same text, still inert.
  const ticketPath = new URL(page.url()).pathname;
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: SUBJECT, exact: true })).toBeVisible();
  await expect(page.getByText(COMMENT, { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: SHOWN_FILE_NAME })).toBeVisible();
  await expectNothingRan(page, dialogs, 'ticket page reloaded');

  // My tickets: the subject as the link's text, leading to the same page.
  await page.getByRole('link', { name: 'My tickets' }).click();
  const link = page.getByRole('link', { name: SUBJECT, exact: true });
  await expect(link).toBeVisible();
  expect(new URL(await link.evaluate((a) => (a as HTMLAnchorElement).href)).pathname).toBe(ticketPath);
  await expectNothingRan(page, dialogs, 'my tickets');
});
