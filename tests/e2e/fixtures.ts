import AxeBuilder from '@axe-core/playwright';
import axe from 'axe-core';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs in every page before its own scripts: reports each Content-Security-Policy violation (a blocked inline
 * script or style, eval, a connection to an origin the policy does not list) to the test through a binding, so
 * violations in pages that have navigated away or closed count too. `securitypolicyviolation` is composed and
 * bubbles, so a capturing listener on window also hears violations inside shadow roots.
 */
const CSP_RECORDER = `window.addEventListener('securitypolicyviolation', (e) => {
  window.__supportCspViolation([
    e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline code'),
    'on ' + e.documentURI,
    e.sourceFile ? 'at ' + e.sourceFile + ':' + e.lineNumber : '',
    e.sample ? 'sample: ' + e.sample : '',
  ].filter(Boolean).join(' '));
}, true);`;

async function recordCspViolations(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeBinding('__supportCspViolation', (_source, violation: string) => {
    violations.push(violation);
  });
  await context.addInitScript({ content: CSP_RECORDER });
}

/**
 * Playwright's `test` with a guard every spec gets: the test fails when any page it opened, in its own context or
 * in one it made with `browser.newContext()`, reported a `securitypolicyviolation`. Specs import `test` from here.
 */
export const test = base.extend<{ cspGuard: void }>({
  // Each worker has a server of its own (playwright.config.ts): worker N's is on port E2E_PORT + N.
  baseURL: async ({}, use, testInfo) => {
    await use(`http://127.0.0.1:${Number(process.env.E2E_PORT) + testInfo.parallelIndex}`);
  },
  cspGuard: [
    async ({ context, browser }, use) => {
      const violations: string[] = [];
      await recordCspViolations(context, violations);
      // Contexts a test makes itself (a second user) are guarded as well, for the length of the test.
      const newContext = browser.newContext;
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const made = await newContext.apply(browser, args);
        await recordCspViolations(made, violations);
        return made;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
      }
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** The password of every demo user (the server's `--demo` data). */
export const DEMO_PASSWORD = 'support-demo';

/** The demo users, as the README lists them. */
export const USERS = {
  acmeAdmin: 'admin@acme.example',
  acmeMember: 'dev@acme.example',
  globexAdmin: 'admin@globex.example',
  hobbyOwner: 'owner@hobby.example',
} as const;

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

/**
 * axe-core's WCAG violations on the page as it is now. A page with only its main frame (every page of the app: it
 * shows no frames) gets axe's source once, for as long as it stays loaded (the app changes screens without
 * reloading), and one `axe.run`: the same rules and results as AxeBuilder's `analyze()`, which parses the source
 * twice per call (in the page and in a blank page it opens to merge the frames' results), about 3 s a call on two
 * busy cores. A page with frames gets AxeBuilder, which tests inside each frame too.
 */
async function axeViolations(page: Page): Promise<axe.Result[]> {
  if (page.frames().length > 1) {
    return (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations;
  }
  const loaded = await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function');
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(
    async (tags) =>
      (await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: tags } }))
        .violations,
    AXE_TAGS,
  );
}

/**
 * Runs axe-core on the page as it is now and fails with a readable list (rule, impact, elements, fix) when there
 * is any WCAG 2.2 A/AA violation. Call it on every page and state a test visits.
 */
export async function expectNoA11yViolations(page: Page, state = ''): Promise<void> {
  const violations = await axeViolations(page);
  const report = violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  ${v.id} [${v.impact ?? 'unknown'}]: ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
  const where = `${new URL(page.url()).pathname}${state ? ` (${state})` : ''}`;
  expect(violations.length, `accessibility violations on ${where}:\n${report}`).toBe(0);
}

/** The sign-in form's controls, found the way a screen-reader user would. */
export function signInForm(page: Page) {
  return {
    heading: page.getByRole('heading', { name: 'Sign in', exact: true }),
    email: page.getByRole('textbox', { name: 'Email', exact: true }),
    password: page.getByLabel('Password', { exact: true }),
    submit: page.getByRole('button', { name: 'Sign in', exact: true }),
  };
}

/** Fills in the sign-in form (already on screen) for a demo user and submits it. */
export async function signIn(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  const form = signInForm(page);
  await form.email.fill(email);
  await form.password.fill(password);
  await form.submit.click();
}

/** Opens `path` signed out, checks the sign-in form (and its accessibility), signs in and waits for the form to go. */
export async function visitSignedIn(page: Page, path: string, email: string): Promise<void> {
  await page.goto(path);
  const form = signInForm(page);
  await expect(form.heading).toBeVisible();
  await expectNoA11yViolations(page, 'sign-in form');
  await signIn(page, email);
  await expect(form.heading).toBeHidden();
}

/** This worker's server's data folder: `<E2E_DATA_DIR>/<worker>` (playwright.config.ts, start-server.sh). */
export function dataDir(): string {
  const data = process.env.E2E_DATA_DIR;
  if (!data) throw new Error('E2E_DATA_DIR is not set (playwright.config.ts sets it)');
  return path.join(data, String(test.info().parallelIndex));
}

/**
 * The flags that choose the test server's database and storage, as start-server.sh passes them to every instance:
 * E2E_SERVER_ARGS (split on whitespace, `{worker}` replaced by the worker's number) and, unless it names a
 * `--database`, the SQLite file in the data folder.
 */
export function serverStoreArgs(): string[] {
  const data = dataDir();
  const extra = (process.env.E2E_SERVER_ARGS ?? '')
    .replaceAll('{worker}', String(test.info().parallelIndex))
    .split(/\s+/)
    .filter(Boolean);
  const named = extra.some((a) => a === '--database' || a.startsWith('--database='));
  return [...(named ? [] : ['--database', path.join(data, 'support.db')]), '--data-dir', data, ...extra];
}

/** The database URL or file the test server uses (see {@link serverStoreArgs}). */
function databaseTarget(): string {
  const args = serverStoreArgs();
  const i = args.findIndex((a) => a === '--database' || a.startsWith('--database='));
  return args[i].startsWith('--database=') ? args[i].slice('--database='.length) : args[i + 1];
}

/**
 * Runs one read-only SQL query on the test server's database, as an operator would (`sqlite3` for a SQLite file,
 * `psql` for a `postgres://` URL), and returns its output: unaligned, no headers, one row a line.
 */
export function databaseQuery(sql: string): string {
  const target = databaseTarget();
  if (/^postgres(ql)?:\/\//.test(target)) {
    return execFileSync('psql', ['--no-psqlrc', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', target, '-c', sql], { encoding: 'utf8' });
  }
  return execFileSync('sqlite3', ['-readonly', target.replace(/^sqlite:\/\//, ''), sql], { encoding: 'utf8' });
}

/**
 * Runs the server binary's CLI (the support team's side: `tickets reply ...`) on the database and storage the test
 * server uses, and returns what it printed.
 */
export function serverCli(...args: string[]): string {
  return serverCliWithInput(undefined, ...args);
}

/** {@link serverCli} with `input` as the CLI's standard input (`mail ingest` reads a message from it). */
export function serverCliWithInput(input: string | undefined, ...args: string[]): string {
  const all = [...serverStoreArgs(), ...args];
  const bin = process.env.SUPPORT_E2E_SERVER_BIN;
  const root = path.join(__dirname, '..', '..');
  return bin
    ? execFileSync(bin, all, { input, encoding: 'utf8' })
    : execFileSync('cargo', ['run', '--quiet', '-p', 'support-server', '--', ...all], { cwd: root, input, encoding: 'utf8' });
}

/** The signed-in user's organization id, from the API. */
export async function orgId(page: Page): Promise<number> {
  const me = await (await page.request.get('/api/v1/me')).json();
  return me.organization.id;
}

/** Creates a ticket through the API as the signed-in user and returns its id. */
export async function createTicketViaApi(page: Page, subject: string, extra: Record<string, unknown> = {}): Promise<number> {
  const org = await orgId(page);
  const response = await page.request.post(`/api/v1/organizations/${org}/tickets`, {
    headers: { 'x-support-csrf': '1' },
    data: {
      cc: [],
      subject,
      severity: 'high',
      product: 'kafka',
      reason: 'lag',
      description: `${subject}: consumer lag keeps growing. See https://status.example/incidents/7.`,
      attachment_ids: [],
      ...extra,
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).id;
}
