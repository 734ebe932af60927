import { type APIResponse } from '@playwright/test';
import { DEMO_PASSWORD, USERS, createTicketViaApi, expect, orgId, test } from './fixtures';

// Cluster mode only (E2E_INSTANCES=2 or more: playwright.config.ts runs this file then, and only then): the suite
// runs against several instances behind a round-robin nginx (start-server.sh, scripts/services/nginx.sh). This
// proves that setting is what the rest of the suite ran against: one user's consecutive requests reach different
// instances (nginx names the one that answered in `X-Upstream`), and what one instance did (sign in, create, sign
// out) holds on the others, so nothing the suite relies on lives in one process's memory.

const INSTANCES = Number(process.env.E2E_INSTANCES ?? 1);
/** Enough consecutive requests for each instance to answer several. */
const ROUNDS = 3 * INSTANCES;

/** The instance that answered, as nginx names it. */
function upstream(response: APIResponse): string {
  const name = response.headers()['x-upstream'];
  expect(name, `X-Upstream on ${response.url()}`).toMatch(/^127\.0\.0\.1:\d+$/);
  return name;
}

/** Expects `seen` (instances in request order) to cover every instance, each request on another than the last. */
function expectRoundRobin(seen: string[], what: string) {
  expect(new Set(seen).size, `${what}: distinct instances among ${seen.join(', ')}`).toBe(INSTANCES);
  // One worker sends these one after the other and nothing else shares its nginx (playwright.config.ts), so
  // round-robin gives each request the next instance.
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i], `${what}: request ${i + 1} on another instance than request ${i} (${seen.join(', ')})`).not.toBe(seen[i - 1]);
  }
}

test('one user\'s consecutive requests reach every instance, and sign-in, data and sign-out hold on each', async ({ page }) => {
  expect(INSTANCES, 'E2E_INSTANCES').toBeGreaterThan(1);

  const signedIn = await page.request.post('/api/v1/session', {
    headers: { 'x-support-csrf': '1' },
    data: { email: USERS.acmeMember, password: DEMO_PASSWORD },
  });
  expect(signedIn.status(), await signedIn.text()).toBe(200);
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith('support_session'));
  expect(cookie, 'the session cookie').toBeTruthy();

  // The session made on one instance is valid on every one.
  const seenMe: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const me = await page.request.get('/api/v1/me');
    expect(me.status(), await me.text()).toBe(200);
    expect((await me.json()).user.email).toBe(USERS.acmeMember);
    seenMe.push(upstream(me));
  }
  expectRoundRobin(seenMe, 'GET /api/v1/me');

  // A ticket created through one instance reads the same through every one.
  const subject = `Cluster check ${Date.now()}`;
  const id = await createTicketViaApi(page, subject);
  const org = await orgId(page);
  const seenTicket: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ticket = await page.request.get(`/api/v1/organizations/${org}/tickets/${id}`);
    expect(ticket.status(), await ticket.text()).toBe(200);
    expect((await ticket.json()).subject).toBe(subject);
    seenTicket.push(upstream(ticket));
  }
  expectRoundRobin(seenTicket, 'GET the ticket');

  // Signed out through one instance, the session is refused by every one, even when a client sends it again.
  const signedOut = await page.request.delete('/api/v1/session', { headers: { 'x-support-csrf': '1' } });
  expect(signedOut.status(), await signedOut.text()).toBeLessThan(300);
  const seenOut: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const me = await page.request.get('/api/v1/me', { headers: { cookie: `${cookie!.name}=${cookie!.value}` } });
    expect(me.status(), `GET /api/v1/me with the signed-out session on ${upstream(me)}`).toBe(401);
    seenOut.push(upstream(me));
  }
  expectRoundRobin(seenOut, 'GET /api/v1/me signed out');
});
