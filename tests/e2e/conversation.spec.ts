import { type Browser, type Page } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, orgId, serverCli, signIn, signInForm, visitSignedIn } from './fixtures';

// The seed's "Add users to a support ticket" section and the tracking sentence of "Create a support ticket":
// My tickets, the ticket page, Add to conversation with CC, and replies from the support team.

async function signedInPage(browser: Browser, path: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(path);
  await expect(signInForm(page).heading).toBeVisible();
  await signIn(page, email);
  await expect(signInForm(page).heading).toBeHidden();
  return page;
}

test('Add to conversation with a CC and a comment; the CCed admin sees the ticket and comments', async ({ page, browser }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Lag on kafka-events ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.reload();

  // On the My tickets page, open the ticket.
  await page.getByRole('link', { name: subject }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  // The description is the first message, as plain text with its link.
  await expect(page.getByRole('link', { name: 'https://status.example/incidents/7' })).toBeVisible();
  await expectNoA11yViolations(page, 'ticket page');

  // Click Add to conversation; add the email addresses in the CC field separated by a space.
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await page.getByRole('textbox', { name: 'CC', exact: true }).fill('admin@acme.example ops@acme.example');
  await page.getByLabel('Comment', { exact: true }).fill('Adding our admin and the ops list.\nLag is at 40k messages now.');
  await expectNoA11yViolations(page, 'add to conversation');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();

  const thread = page.getByRole('list').filter({ hasText: 'Lag is at 40k messages now.' });
  await expect(thread).toBeVisible();
  await expect(page.getByText('added admin@acme.example, ops@acme.example to CC')).toBeVisible();
  const cc = page.getByRole('region', { name: 'CC' });
  await expect(cc.getByText('admin@acme.example')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add to conversation' })).toBeFocused();

  // The CCed admin finds it on their My tickets page and comments too.
  const admin = await signedInPage(browser, '/support/tickets', USERS.acmeAdmin);
  await admin.getByRole('link', { name: subject }).click();
  await expect(admin.getByText('Lag is at 40k messages now.')).toBeVisible();
  await admin.getByRole('button', { name: 'Add to conversation' }).click();
  await admin.getByLabel('Comment', { exact: true }).fill('Looking at the consumer group now.');
  await admin.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(admin.getByText('Looking at the consumer group now.')).toBeVisible();
  await admin.context().close();

  // The submitter's page shows the admin's comment without a reload.
  await expect(page.getByText('Looking at the consumer group now.')).toBeVisible({ timeout: 15_000 });
  expect(id).toBeGreaterThan(0);
});

test('a user of another organization gets not-found for the ticket page and its file', async ({ page, browser }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const org = await orgId(page);
  const upload = await page.request.post(`/api/v1/organizations/${org}/attachments`, {
    headers: { 'x-support-csrf': '1' },
    multipart: { file: { name: 'trace.log', mimeType: 'text/plain', buffer: Buffer.from('ERROR timeout\n') } },
  });
  expect(upload.status()).toBe(201);
  const attachment = (await upload.json()).id;
  const id = await createTicketViaApi(page, `Private ${Date.now()}`, { attachment_ids: [attachment] });
  const fileUrl = `/api/v1/organizations/${org}/tickets/${id}/attachments/${attachment}`;
  expect((await page.request.get(fileUrl)).status()).toBe(200);

  const globex = await signedInPage(browser, `/support/tickets/${id}`, USERS.globexAdmin);
  await expect(globex.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  expect((await globex.request.get(fileUrl)).status()).toBe(404);
  expect((await globex.request.get(`/api/v1/organizations/${org}/tickets/${id}`)).status()).toBe(404);
  await globex.context().close();
});

test('filters, search and sort live in the URL and survive a reload', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const word = `zebra${Date.now()}`;
  await createTicketViaApi(page, `Search me ${word}`);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();

  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Open' });
  await page.getByLabel('Severity', { exact: true }).selectOption({ label: 'High' });
  await page.getByLabel('Sort by').selectOption({ label: 'Date created' });
  await page.getByLabel('Search tickets').fill(word.slice(0, 8));
  await expect(page).toHaveURL(/q=zebra/);
  await expect(page.getByRole('link', { name: `Search me ${word}` })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^\d+ tickets?$/ })).toBeVisible();
  await expectNoA11yViolations(page, 'filtered list');

  await page.reload();
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('open');
  await expect(page.getByLabel('Severity', { exact: true })).toHaveValue('high');
  await expect(page.getByLabel('Sort by')).toHaveValue('created');
  await expect(page.getByLabel('Search tickets')).toHaveValue(word.slice(0, 8));
  await expect(page.getByRole('link', { name: `Search me ${word}` })).toBeVisible();

  // A search nothing matches says so and offers to clear the filters.
  await page.getByLabel('Search tickets').fill('nothing-matches-this-phrase');
  await expect(page.getByRole('heading', { name: 'No tickets match' })).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Search tickets')).toHaveValue('');
});

test('a reply from the support team appears on an open ticket page without a reload', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Agent reply ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.goto(`/support/tickets/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();

  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'Could you send the consumer group name?', '--status', 'awaiting_customer');
  await expect(page.getByText('Could you send the consumer group name?')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText('Sam from Support').first()).toBeVisible();
  await expect(page.locator('.sa-ticket-meta').getByText('Awaiting your reply')).toBeVisible();
  await expectNoA11yViolations(page, 'agent reply');

  // Mark as solved, then reopen.
  await page.getByRole('button', { name: 'Mark as solved' }).click();
  await expect(page.locator('.sa-ticket-meta').getByText('Solved', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Reopen ticket' }).click();
  await expect(page.locator('.sa-ticket-meta').getByText('Open', { exact: true })).toBeVisible();

  // A closed ticket cannot be reopened: the page offers a follow-up ticket that links back.
  serverCli('tickets', 'set-status', String(id), 'closed');
  await expect(page.getByText('This ticket is closed and cannot be reopened.')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Add to conversation' })).toHaveCount(0);
  await page.getByRole('link', { name: 'create a follow-up ticket' }).click();
  await expect(page.getByText(`This ticket follows up the closed ticket #${id}`)).toBeVisible();
});

test('a new reply leaves the entries on screen as they are: the focus on one of them stays', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Focus kept ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.goto(`/support/tickets/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'First answer from support.');
  await expect(page.getByText('First answer from support.')).toBeVisible({ timeout: 15_000 });

  // A keyboard user reading the conversation is on the first reply's time when the next reply comes in.
  const time = page.locator('.sa-thread > li').nth(1).locator('time');
  await time.focus();
  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'Second answer from support.');
  await expect(page.getByText('Second answer from support.')).toBeVisible({ timeout: 15_000 });
  await expect(time).toBeFocused();
});

test('a long conversation is drawn in full and in order, a slice per frame', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Long conversation ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  // More entries than the first slices hold (src/pages/ticket/conversation.rs: 10, then paced by frame length).
  const replies = 45;
  for (let n = 1; n <= replies; n++) serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', `Reply number ${n}.`);
  await page.goto(`/support/tickets/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const entries = page.locator('.sa-thread > li');
  await expect(entries).toHaveCount(replies + 1);
  await expect(entries.nth(1)).toContainText('Reply number 1.');
  await expect(entries.nth(replies)).toContainText(`Reply number ${replies}.`);
  const bodies = await entries.evaluateAll((items) => items.slice(1).map((li) => li.textContent?.match(/Reply number (\d+)\./)?.[1]));
  expect(bodies).toEqual(Array.from({ length: replies }, (_, i) => String(i + 1)));
});

test('a comment being typed is not moved by a new reply, and survives a reload', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Typing ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  await page.goto(`/support/tickets/${id}`);
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  const comment = page.getByLabel('Comment', { exact: true });
  await comment.fill('Half-written answer');
  await page.reload();
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Half-written answer');

  serverCli('tickets', 'reply', String(id), '--author', 'Sam from Support', '--body', 'Any update?');
  await expect(page.getByRole('button', { name: 'Show new replies' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Half-written answer');
  await expect(page.getByText('Any update?')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show new replies' }).click();
  await expect(page.getByText('Any update?')).toBeVisible();
  await expect(page.getByLabel('Comment', { exact: true })).toHaveValue('Half-written answer');
});

// On a busy device the frame that moves focus into a form that just opened can come late, after the user has
// clicked into another of its fields. CI once typed a comment into CC that way (faults.spec.ts, loaded machine):
// the focus move landed between Playwright focusing Comment and inserting the text. Here the page holds every
// animation-frame callback until a text box takes focus and runs them right then, which is that moment every time.
test('a late frame does not take the focus from the field the user clicked into, so what they type stays there', async ({ page }) => {
  await page.addInitScript(`{
    let held = [];
    window.requestAnimationFrame = (callback) => { held.push(callback); return held.length; };
    document.addEventListener('focusin', (event) => {
      if (!(event.target instanceof HTMLTextAreaElement)) return;
      const due = held;
      held = [];
      for (const callback of due) callback(performance.now());
    }, true);
  }`);
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const id = await createTicketViaApi(page, `Late frame ${Date.now()}`);
  await page.goto(`/support/tickets/${id}`);
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  const comment = page.getByLabel('Comment', { exact: true });
  await comment.fill('Typed straight into the comment box.');
  await expect(comment).toBeFocused();
  await expect(comment).toHaveValue('Typed straight into the comment box.');
  await expect(page.getByRole('textbox', { name: 'CC', exact: true })).toHaveValue('');
});

test('an admin sees Tickets in my organization and can follow all tickets', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeAdmin);
  await page.getByRole('link', { name: 'Tickets in my organization' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets in my organization' })).toBeVisible();
  await expect(page).toHaveURL(/scope=organization/);
  const follow = page.getByRole('button', { name: /Follow(ing)? all tickets/ });
  await expect(follow).toHaveAttribute('aria-pressed', 'false');
  await follow.click();
  await expect(follow).toHaveAttribute('aria-pressed', 'true');
  await expectNoA11yViolations(page, 'organization tickets');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Following all tickets' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Following all tickets' }).click();
  await expect(page.getByRole('button', { name: 'Follow all tickets' })).toHaveAttribute('aria-pressed', 'false');
});
