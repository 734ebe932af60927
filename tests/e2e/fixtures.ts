import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

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
 * Runs axe-core on the page as it is now and fails with a readable list (rule, impact, elements, fix) when there
 * is any WCAG 2.2 A/AA violation. Call it on every page and state a test visits.
 */
export async function expectNoA11yViolations(page: Page, state = ''): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
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
