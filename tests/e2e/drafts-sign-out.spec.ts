import { type Page } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, signIn, signInForm, visitSignedIn } from './fixtures';

// Issue 12, item 5: an explicit Sign out removes the user's drafts from this browser (on a shared computer the next
// person must not find what was typed), but a session that merely expires keeps them, so the user finds everything
// again after signing in.

/** The draft keys in localStorage (`support-app:{form}-draft:{user}:...`). */
async function draftKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => /^support-app:[^:]+-draft:/.test(k)).sort());
}

/** Another user's draft on the same computer: not the signing-out user's to remove. */
const OTHERS_DRAFT = 'support-app:ticket-draft:987654:1';

/** Types a ticket draft and, on `ticketId`'s page, a comment, leaving the comment form open with its save pending. */
async function writeDrafts(page: Page, ticketId: number, subject: string, comment: string): Promise<void> {
  await page.goto('/support/tickets/new');
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByLabel('Description', { exact: true }).fill('Typed before signing out.');
  await expect.poll(() => draftKeys(page)).toContainEqual(expect.stringMatching(/^support-app:ticket-draft:/));
  await page.goto(`/support/tickets/${ticketId}`);
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await page.getByLabel('Comment', { exact: true }).fill(comment);
}

test('Sign out removes the drafts; signing in again finds empty forms', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const id = await createTicketViaApi(page, `Sign-out drafts ${Date.now()}`);
  await page.evaluate((key) => localStorage.setItem(key, '{"subject":"someone else"}'), OTHERS_DRAFT);
  await writeDrafts(page, id, 'Private subject', 'Private comment');

  // Sign out while the comment's save is still pending and its form is on screen (it saves when it goes away).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(signInForm(page).heading).toBeVisible();
  // Longer than the form's save delay (300 ms): no late save may bring a draft back.
  await page.waitForTimeout(1_000);
  expect(await draftKeys(page)).toEqual([OTHERS_DRAFT]);

  // The next person to sign in on this browser (here the same user) finds nothing of what was typed.
  await signIn(page, USERS.acmeMember);
  await expect(page.getByRole('button', { name: 'Add to conversation' })).toBeVisible();
  await expect(page.getByLabel('Comment', { exact: true })).toHaveCount(0);
  await page.goto('/support/tickets/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await expect(page.getByLabel('Subject', { exact: true })).toHaveValue('');
  await expect(page.getByText('We restored your unsent draft')).toHaveCount(0);
});

test('a session that merely expires keeps the drafts', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const id = await createTicketViaApi(page, `Expiry keeps drafts ${Date.now()}`);
  await writeDrafts(page, id, 'Kept subject', 'Kept comment');
  await expect.poll(() => draftKeys(page)).toHaveLength(2);

  // The session ends on the server's side (expired, or signed out in another tab); the next request finds out.
  await page.context().clearCookies();
  await page.reload();
  await expect(signInForm(page).heading).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(await draftKeys(page)).toHaveLength(2);

  await signIn(page, USERS.acmeMember);
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Kept comment');
  await page.goto('/support/tickets/new');
  await expect(page.getByText('We restored your unsent draft')).toBeVisible();
  await expect(page.getByLabel('Subject', { exact: true })).toHaveValue('Kept subject');
});
