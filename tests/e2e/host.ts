import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { createPrivateKey, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where the fake console's page is served (any path under it, so deep links and reloads work). */
export const HOST_PREFIX = '/console';

/** The release build's hashed file names, read from dist/index.html. */
function bundleFiles(): { js: string; wasm: string; css: string } {
  const html = fs.readFileSync(path.join(__dirname, '..', '..', 'dist', 'index.html'), 'utf8');
  const find = (re: RegExp) => {
    const m = html.match(re);
    if (!m) throw new Error(`dist/index.html: no match for ${re}`);
    return m[1];
  };
  return {
    js: find(/import init, \* as bindings from '([^']+\.js)'/),
    wasm: find(/module_or_path: '([^']+\.wasm)'/),
    // Trunk minifies index.html in release builds: attributes unquoted, in its own order.
    css: find(/\bhref="?([^"\s>]+\.css)/),
  };
}

/**
 * Serves tests/e2e/host/embed.html (a page of the console's that loads our bundle and mounts nothing) for every
 * path under /console on the app's own origin, so the API and the session cookie are the same as standalone.
 */
export async function serveHost(page: Page, beforeInit = ''): Promise<void> {
  const files = bundleFiles();
  const html = fs
    .readFileSync(path.join(__dirname, 'host', 'embed.html'), 'utf8')
    .replace('{{JS}}', files.js)
    .replace('{{WASM}}', files.wasm)
    .replace('{{CSS}}', files.css)
    .replace('{{BEFORE_INIT}}', beforeInit);
  await page.route(`**${HOST_PREFIX}/**`, (route) =>
    route.request().resourceType() === 'document'
      ? route.fulfill({ status: 200, contentType: 'text/html', body: html })
      : route.fallback(),
  );
}

/**
 * Opens the host page at `path` and waits for the bundle to have loaded (nothing is mounted yet, unless
 * `beforeInit`, a script the host page runs before it loads the bundle, put an element there).
 */
export async function openHost(page: Page, path: string, beforeInit = ''): Promise<void> {
  await serveHost(page, beforeInit);
  await page.goto(path);
  await expect(page.locator('html[data-ready="yes"]')).toHaveCount(1);
}

/** Signs in through the API (the console's own sign-in shares the cookie in cookie mode). */
export async function signInViaApi(page: Page, email: string, password: string): Promise<void> {
  const response = await page.request.post('/api/v1/session', {
    headers: { 'x-support-csrf': '1' },
    data: { email, password },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** The support:* events dispatched so far, in order. */
export async function hostEvents(page: Page): Promise<{ type: string; detail: Record<string, unknown> }[]> {
  return page.evaluate(() => (window as unknown as { supportEvents: { type: string; detail: Record<string, unknown> }[] }).supportEvents);
}

/** The test-only console key (tests/e2e/start-server.sh gives the server its public half). */
const CONSOLE_KEY = createPrivateKey(
  fs.readFileSync(path.join(__dirname, '..', '..', 'crates', 'server', 'tests', 'api', 'token_keys', 'console.key.pem')),
);

/**
 * A token the way the console signs it (EdDSA JWT, issuer and audience as start-server.sh configures them) for
 * `email` acting in organization `org` with `role`; `expiresIn` seconds from now (negative: already expired, beyond
 * the server's 60 s leeway when under -60).
 */
export function consoleToken(email: string, org: number, role: 'admin' | 'member', expiresIn = 300): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: 'https://console.example', aud: 'support', sub: `console-${email}`, exp: now + expiresIn, email, org, role };
  const unsigned = `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${sign(null, Buffer.from(unsigned), CONSOLE_KEY).toString('base64url')}`;
}

/** Acme's organization id, asked with a password session of the request context's own (the page gets no cookie). */
export async function acmeId(request: APIRequestContext): Promise<number> {
  const signIn = await request.post('/api/v1/session', {
    headers: { 'x-support-csrf': '1' },
    data: { email: 'dev@acme.example', password: 'support-demo' },
  });
  expect(signIn.status(), await signIn.text()).toBe(200);
  return (await (await request.get('/api/v1/me')).json()).organization.id;
}

/** The fake console's Support section. */
export const CONSOLE_SUPPORT = '/console/org/acme/support';

/** Who the console's own sign-in says the user is, and how many tokens it has handed out. */
export type ConsoleUser = { email: string; org: number; role: 'admin' | 'member'; tokens: number };

/**
 * Serves the fake console (tests/e2e/host/console.html) for every document under /console, and gives it its
 * sign-in: `window.consoleToken()` signs a fresh token for `user` (counted in `user.tokens`). The app's own
 * files and API are the real server's.
 */
export async function serveConsole(page: Page, user: ConsoleUser): Promise<void> {
  const files = bundleFiles();
  const html = fs
    .readFileSync(path.join(__dirname, 'host', 'console.html'), 'utf8')
    .replace('{{JS}}', files.js)
    .replace('{{WASM}}', files.wasm)
    .replace('{{CSS}}', files.css);
  await page.exposeFunction('consoleToken', () => {
    user.tokens += 1;
    return consoleToken(user.email, user.org, user.role);
  });
  await page.route(`**${HOST_PREFIX}/**`, (route) =>
    route.request().resourceType() === 'document'
      ? route.fulfill({ status: 200, contentType: 'text/html', body: html })
      : route.fallback(),
  );
}

/** Opens the fake console at `path` and waits for its router to have drawn the page. */
export async function openConsole(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator('html[data-ready="yes"]')).toHaveCount(1);
}
