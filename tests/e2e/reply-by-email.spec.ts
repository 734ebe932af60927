import { type Page } from '@playwright/test';
import {
  expect,
  test,
  USERS,
  createTicketViaApi,
  databaseQuery,
  expectNoA11yViolations,
  serverCliWithInput,
  visitSignedIn,
} from './fixtures';

// The documentation's open question, answered yes: someone CCed on a ticket who is not a console user replies to
// the ticket's email, and the reply shows in the conversation in the browser, marked "by email" and naming the
// sender. The server runs with --reply-domain and --inbound-mail-secret (start-server.sh); the reply is a real
// RFC 5322 message, ingested once through POST /api/v1/inbound-mail (a webhook) and once through
// `support-server mail ingest` (a mail server's pipe delivery).

/** start-server.sh's --reply-domain and --inbound-mail-secret. */
const REPLY_DOMAIN = 'support.e2e.example';
const INBOUND_SECRET = 'e2e-inbound-mail-secret';
/** CCed on the ticket; not a user of any organization. */
const OUTSIDE = 'olivia@partner.example';

/**
 * The reply token the outbox gave `recipient` for `ticketId`: the local part of the `Reply-To` address,
 * `reply+TOKEN@<domain>`, of every email to them about the ticket (read from the server's database, as a mail
 * log would show it).
 */
function replyToken(ticketId: number, recipient: string): string {
  const sql = `SELECT reply_token FROM outbox WHERE ticket_id = ${Number(ticketId)} AND recipient = '${recipient}' AND reply_token IS NOT NULL LIMIT 1;`;
  const token = databaseQuery(sql).trim();
  expect(token, `the outbox has an email to ${recipient} about ticket #${ticketId} with a reply token`).toMatch(/^[^\s@+]{8,}$/);
  return token;
}

/** A plain-text reply as a mail client sends it: quoted history and a signature, both stripped by the server. */
function reply(token: string, ticketId: number, subject: string, body: string, messageId: string): string {
  return [
    `Return-Path: <${OUTSIDE}>`,
    `From: Olivia Partner <${OUTSIDE}>`,
    `To: Support <reply+${token}@${REPLY_DOMAIN}>`,
    `Subject: Re: [Support #${ticketId}] ${subject}`,
    'Date: Mon, 30 Nov 2026 10:15:00 +0000',
    `Message-ID: <${messageId}@partner.example>`,
    `In-Reply-To: <ticket-${ticketId}@${REPLY_DOMAIN}>`,
    `References: <ticket-${ticketId}@${REPLY_DOMAIN}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
    'On Mon, 30 Nov 2026 at 09:00, Support <support@example.com> wrote:',
    '> Dana Developer commented on support ticket:',
    '> Quoted history that must not show.',
    '',
    '-- ',
    'Olivia Partner',
    'Partner Ltd, +1 555 0100',
    '',
  ].join('\r\n');
}

/** The conversation's message whose text contains `text`. */
function message(page: Page, text: string) {
  return page.getByRole('listitem').filter({ hasText: text });
}

test('a CCed non-user replies by email and the reply shows in the conversation, by email, naming the sender', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const subject = `Replica lag ${Date.now()}`;
  const id = await createTicketViaApi(page, subject, { cc: [OUTSIDE] });
  const token = replyToken(id, OUTSIDE);

  // A webhook posts the raw message.
  const first = 'The replica caught up after the batch, by the webhook.';
  const response = await page.request.post('/api/v1/inbound-mail', {
    headers: { authorization: `Bearer ${INBOUND_SECRET}`, 'content-type': 'message/rfc822' },
    data: Buffer.from(reply(token, id, subject, first, `webhook-${id}`)),
  });
  expect(response.status(), await response.text()).toBe(200);

  // A mail server pipes the next one to the CLI.
  const second = 'And again this morning, by the pipe.';
  serverCliWithInput(reply(token, id, subject, second, `pipe-${id}`), '--reply-domain', REPLY_DOMAIN, 'mail', 'ingest');

  await page.getByRole('link', { name: subject }).click();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  for (const text of [first, second]) {
    const item = message(page, text);
    await expect(item).toBeVisible();
    await expect(item).toContainText('by email');
    await expect(item).toContainText(OUTSIDE);
  }
  // The quoted history and the signature were stripped.
  await expect(page.getByText('Quoted history that must not show.')).toHaveCount(0);
  await expect(page.getByText('Partner Ltd, +1 555 0100')).toHaveCount(0);
  // The submitter's own description is not "by email".
  await expect(message(page, 'consumer lag keeps growing')).not.toContainText('by email');
  await expectNoA11yViolations(page, 'ticket page with replies by email');
});

/**
 * Makes `page` see the ticket options of a server without --reply-domain (`replies_by_email: false`); the e2e
 * server has one, which this checks first.
 */
async function answerAsWithoutReplyDomain(page: Page): Promise<void> {
  await page.route('**/api/v1/organizations/*/ticket-options', async (route) => {
    const answer = await route.fetch();
    const json = await answer.json();
    expect(json.replies_by_email).toBe(true);
    await route.fulfill({ response: answer, json: { ...json, replies_by_email: false } });
  });
}

test('the create form says replying by email works only when the server has a reply domain', async ({ page }) => {
  const withReplies = 'others get email and can reply to it to comment and CC more people.';
  const withoutReplies = 'others get the emails.';

  await visitSignedIn(page, '/support/tickets/new', USERS.acmeMember);
  await expect(page.getByText(withReplies)).toBeVisible();
  await expect(page.getByText(withoutReplies)).toHaveCount(0);

  // The same server without --reply-domain says replies_by_email: false (the server tests check that); the form
  // then promises only the emails.
  await answerAsWithoutReplyDomain(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await expect(page.getByText(withoutReplies)).toBeVisible();
  await expect(page.getByText(withReplies)).toHaveCount(0);
  await expectNoA11yViolations(page, 'create form without replies by email');
});

/**
 * Makes `page` see the ticket answers of a server without --reply-domain (`replies_by_email: false`); the e2e server
 * has one, which this checks first. Unchanged polls (304, no body) pass as they are.
 */
async function ticketAsWithoutReplyDomain(page: Page, id: number): Promise<void> {
  await page.route(`**/api/v1/organizations/*/tickets/${id}`, async (route) => {
    const answer = await route.fetch();
    if (route.request().method() !== 'GET' || answer.status() !== 200) return route.fulfill({ response: answer });
    const json = await answer.json();
    expect(json.replies_by_email).toBe(true);
    await route.fulfill({ response: answer, json: { ...json, replies_by_email: false } });
  });
}

test('the comment form says replying by email works only when the server has a reply domain', async ({ page }) => {
  const withReplies = 'while other people get email and can reply to it to comment and CC more people.';
  const withoutReplies = 'while other people get the emails.';

  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const id = await createTicketViaApi(page, `CC hint ${Date.now()}`);
  // The ticket answer says it: the ticket page never loads the create form's catalogue for one boolean.
  const catalogueRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/ticket-options')) catalogueRequests.push(request.url());
  });
  await page.goto(`/support/tickets/${id}`);
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await expect(page.getByText(withReplies)).toBeVisible();
  await expect(page.getByText(withoutReplies)).toHaveCount(0);

  // Without --reply-domain the server says replies_by_email: false (the server tests check that); the comment form
  // then promises only the emails, and its CC box is still described by that hint.
  await ticketAsWithoutReplyDomain(page, id);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Add to conversation' }).click();
  await expect(page.getByText(withoutReplies)).toBeVisible();
  await expect(page.getByText(withReplies)).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'CC', exact: true })).toHaveAccessibleDescription(/other people get the emails\.$/);
  expect(catalogueRequests).toEqual([]);
  await expectNoA11yViolations(page, 'comment form without replies by email');
});
