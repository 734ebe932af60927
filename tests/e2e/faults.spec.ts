import { type Page, type Route } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, orgId, visitSignedIn } from './fixtures';

// Faults between the browser and the server (issue 12): Playwright sits on the create-ticket and add-comment
// requests and, drawn from a seeded generator, aborts them before or after the server saw them, answers with a
// gateway error, or delays the answer. After every fault the form must still hold everything the user typed
// (also across a reload), and once a send gets through, the server must hold exactly one ticket or comment. The
// idempotency key the form keeps in its draft is what makes a retry safe; these tests are its proof.

/** A small seeded generator (mulberry32): the same seed gives the same faults on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What happens to one request. */
type Fault =
  | 'abort before the server' // the connection drops on the way: the server never sees the request
  | 'abort after the server' // the server stores it, the answer is lost
  | 'gateway error before the server' // a proxy answers 502 without asking the server
  | 'gateway error after the server' // the server stores it, a proxy replaces the answer with 503
  | 'slow answer'; // the answer arrives, late

const FAULTS: Fault[] = [
  'abort before the server',
  'abort after the server',
  'gateway error before the server',
  'gateway error after the server',
  'slow answer',
];

/**
 * Sends the next requests of `method` on `url` through `plan` (one fault per request, in order), then lets them
 * pass. Returns the list of faults actually applied.
 */
async function injectFaults(page: Page, url: string, plan: Fault[], random: () => number): Promise<Fault[]> {
  const applied: Fault[] = [];
  await page.route(url, async (route: Route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const fault = plan.shift();
    if (!fault) return route.continue();
    applied.push(fault);
    switch (fault) {
      case 'abort before the server':
        return route.abort(random() < 0.5 ? 'connectionreset' : 'failed');
      case 'abort after the server':
        await route.fetch();
        return route.abort('connectionreset');
      case 'gateway error before the server':
        return route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
      case 'gateway error after the server':
        await route.fetch();
        return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Unavailable</h1>' });
      case 'slow answer': {
        const response = await route.fetch();
        await new Promise((done) => setTimeout(done, 200 + Math.floor(random() * 1300)));
        return route.fulfill({ response });
      }
    }
  });
  return applied;
}

/** Draws 4 to 7 faults for one send: failures, the last one sometimes a slow answer (which lets it through). */
function drawPlan(random: () => number): Fault[] {
  const failures = FAULTS.filter((f) => f !== 'slow answer');
  const plan: Fault[] = [];
  const count = 4 + Math.floor(random() * 4);
  while (plan.length < count - 1) plan.push(failures[Math.floor(random() * failures.length)]);
  plan.push(random() < 0.3 ? 'slow answer' : failures[Math.floor(random() * failures.length)]);
  return plan;
}

/** The raw JSON of one ticket, as the API gives it to the signed-in user. */
async function ticketJson(page: Page, id: number): Promise<string> {
  const response = await page.request.get(`/api/v1/organizations/${await orgId(page)}/tickets/${id}`);
  expect(response.status()).toBe(200);
  return response.text();
}

/** How many of the signed-in user's tickets have `subject`. */
async function ticketsWithSubject(page: Page, subject: string): Promise<number> {
  const q = encodeURIComponent(subject);
  const response = await page.request.get(`/api/v1/organizations/${await orgId(page)}/tickets?q=${q}&limit=100`);
  const list = await response.json();
  return list.tickets.filter((t: { subject: string }) => t.subject === subject).length;
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

const SEED = 20261129;
// 10 tickets and 10 comments, 4-7 faults each: together at least 100 (asserted).
const TICKETS = 10;
const COMMENTS = 10;

/** Create ticket, `TICKETS` times, each send through a drawn plan of faults. Returns how many faults it injected. */
async function ticketRounds(page: Page): Promise<number> {
  const random = generator(SEED);
  const run = Date.now();
  let injected = 0;
  for (let i = 0; i < TICKETS; i += 1) {
    await page.goto('/support/tickets/new');
    await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
    const subject = `Fault ${run} #${i}`;
    const description = `Round ${i} of the fault test: the network drops, a proxy fails, answers come late.`;
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByRole('radio', { name: 'Low', exact: true }).check();
    await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
    await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
    await page.getByLabel('Description', { exact: true }).fill(description);

    const plan = drawPlan(random);
    const planned = plan.length;
    const applied = await injectFaults(page, '**/api/v1/organizations/*/tickets', plan, random);
    const created = page.getByRole('heading', { name: 'Ticket created' });
    const problem = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    for (let attempt = 0; attempt <= planned; attempt += 1) {
      await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
      await expect(created.or(problem)).toBeVisible({ timeout: 15_000 });
      if (await created.isVisible()) break;
      // The send failed: everything typed is still in the form...
      await expect(page.getByLabel('Subject', { exact: true })).toHaveValue(subject);
      await expect(page.getByLabel('Description', { exact: true })).toHaveValue(description);
      if (random() < 0.15) {
        // ...and in the draft, should the user reload before trying again.
        await page.reload();
        await expect(page.getByLabel('Subject', { exact: true })).toHaveValue(subject);
        await expect(page.getByLabel('Reason', { exact: true })).toHaveValue('invoice');
        await expect(page.getByLabel('Description', { exact: true })).toHaveValue(description);
      }
    }
    await expect(created).toBeVisible();
    await page.unrouteAll({ behavior: 'wait' });
    expect(applied.length, `faults applied in round ${i}`).toBe(planned);
    injected += applied.length;
    expect(await ticketsWithSubject(page, subject), `tickets "${subject}" after ${applied.join(', ')}`).toBe(1);
    if (i === 0) await expectNoA11yViolations(page, 'ticket created after faults');
  }
  return injected;
}

/**
 * Add to conversation on one ticket, `COMMENTS` times, each send through a drawn plan of faults, on one page load:
 * a sent comment closes the form and the next round opens it again, as a user adding comments one after another
 * does (the reloads in the middle of a round still prove the draft). Returns how many faults it injected.
 */
async function commentRounds(page: Page, id: number): Promise<number> {
  const random = generator(SEED + 1);
  let injected = 0;
  await page.goto(`/support/tickets/${id}`);
  for (let i = 0; i < COMMENTS; i += 1) {
    const comment = `Comment ${i} of the fault test, ${Date.now()}.`;
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await page.getByLabel('Comment', { exact: true }).fill(comment);

    const plan = drawPlan(random);
    const planned = plan.length;
    const applied = await injectFaults(page, `**/api/v1/organizations/*/tickets/${id}/comments`, plan, random);
    const problem = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    // Submit closes the form and gives the focus back to Add to conversation. (A comment stored by a send whose
    // answer was lost may already show in the conversation, from polling, while the form still offers the retry.)
    const done = page.getByRole('button', { name: 'Add to conversation' });
    for (let attempt = 0; attempt <= planned; attempt += 1) {
      await page.getByRole('button', { name: 'Submit', exact: true }).click();
      await expect(done.or(problem)).toBeVisible({ timeout: 15_000 });
      if (await done.isVisible()) break;
      await expect(page.getByLabel('Comment', { exact: true })).toHaveValue(comment);
      if (random() < 0.15) {
        await page.reload();
        await expect(page.getByLabel('Comment', { exact: true })).toHaveValue(comment);
      }
    }
    await expect(done).toBeFocused();
    await expect(page.getByRole('listitem').filter({ hasText: comment })).toBeVisible();
    await page.unrouteAll({ behavior: 'wait' });
    expect(applied.length, `faults applied in round ${i}`).toBe(planned);
    injected += applied.length;
    expect(occurrences(await ticketJson(page, id), comment), `comment ${i} after ${applied.join(', ')}`).toBe(1);
  }
  return injected;
}

// The two forms are independent (their own requests, routes, drafts and seeds), so they run at once, in two pages
// of one signed-in browser context: the test waits mostly on the network and on the delays it injects.
test('Create ticket and Add to conversation under network and gateway faults: nothing typed is lost, nothing is created twice', async ({ page, context }) => {
  test.setTimeout(240_000);
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  const id = await createTicketViaApi(page, `Faulty comments ${Date.now()}`);
  const commentPage = await context.newPage();
  const outcomes = await Promise.allSettled([ticketRounds(page), commentRounds(commentPage, id)]);
  const failures = outcomes.flatMap((o, n) => (o.status === 'rejected' ? [`${n === 0 ? 'Create ticket' : 'Add to conversation'}: ${o.reason}`] : []));
  expect(failures, 'both forms came through their faults').toEqual([]);
  const injected = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
  // The issue asks for at least 100 faults.
  console.log(`faults.spec: ${injected} faults injected, no input lost, no duplicate`);
  expect(injected).toBeGreaterThanOrEqual(100);
});
