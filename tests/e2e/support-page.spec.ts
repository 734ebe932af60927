import { type Locator, type Page } from '@playwright/test';
import { expect, test, DEMO_PASSWORD, USERS, expectNoA11yViolations, signIn, signInForm, visitSignedIn } from './fixtures';

// Locators use roles, labels and visible text only: the words are the documentation's (seed/support.rst), so a
// test that finds them proves that a customer reading the docs finds them too.

function supportPage(page: Page) {
  return {
    heading: page.getByRole('heading', { level: 1, name: 'Support', exact: true }),
    currentTier: page.getByRole('region', { name: 'Current support tier' }),
    upgradeLink: page.getByRole('link', { name: 'Upgrade to Enterprise' }),
    upgradeButton: page.getByRole('button', { name: 'Upgrade to Enterprise' }),
    supportCenter: page.getByRole('link', { name: 'Go to Aiven Support Center' }),
    forum: page.getByRole('link', { name: 'Aiven Community Forum' }),
    comparison: page.getByRole('table', { name: 'Compare support tiers' }),
    slaLink: page.getByRole('link', { name: 'aiven.io/sla' }),
  };
}

/** The severity's label and its first-response time sit together (a table row or a term and its definition). */
async function expectResponseTime(region: Locator, severity: string, time: string): Promise<void> {
  await expect(region).toContainText(new RegExp(`${severity}\\s*:?\\s*${time}`));
}

/** What every signed-in user sees on the Support page, whatever the organization's plan. */
async function expectCommonSupportContent(page: Page): Promise<void> {
  const support = supportPage(page);
  await expect(support.heading).toBeVisible();
  await expect(support.comparison).toBeVisible();
  for (const tier of ['Basic', 'Essential', 'Advanced', 'Premium']) {
    await expect(support.comparison).toContainText(tier);
  }
  await expect(support.slaLink).toBeVisible();
  await expect(support.slaLink).toHaveAttribute('href', /aiven\.io\/sla/);
  await expect(page.getByText('Custom SLAs are available for premium plans')).toBeVisible();
}

test.describe('sign-in on the way to the Support page', () => {
  test('a signed-out visit to /support shows the sign-in form, then the Support page at the same URL', async ({ page }) => {
    await page.goto('/support');
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();
    await expect(form.email).toBeVisible();
    await expect(form.password).toBeVisible();
    await expect(form.password).toHaveAttribute('type', 'password');
    await expect(form.submit).toBeVisible();
    await expectNoA11yViolations(page, 'sign-in form');

    await signIn(page, USERS.acmeAdmin);
    await expect(supportPage(page).heading).toBeVisible();
    await expect(form.heading).toBeHidden();
    await expect(page).toHaveURL(/\/support$/);
    await expectNoA11yViolations(page, 'Support page');
  });

  test('the query string survives sign-in', async ({ page }) => {
    await visitSignedIn(page, '/support?x=1', USERS.acmeAdmin);
    await expect(supportPage(page).heading).toBeVisible();
    await expect(page).toHaveURL(/\/support\?x=1$/);
    await expectNoA11yViolations(page, 'Support page with a query string');
  });

  test('a deep link under /support survives sign-in', async ({ page }) => {
    await visitSignedIn(page, '/support/tickets', USERS.acmeAdmin);
    await expect(page).toHaveURL(/\/support\/tickets$/);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoA11yViolations(page, 'deep link after sign-in');
  });

  test('a wrong password keeps the form and what was typed, and says why', async ({ page }) => {
    await page.goto('/support');
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();
    await signIn(page, USERS.acmeAdmin, `${DEMO_PASSWORD}-wrong`);

    await expect(page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' })).toBeVisible();
    await expect(form.heading).toBeVisible();
    await expect(form.email).toHaveValue(USERS.acmeAdmin);
    await expect(page).toHaveURL(/\/support$/);
    await expectNoA11yViolations(page, 'sign-in form with a wrong password');
  });

  test('an empty form lists both problems in a summary that takes the focus', async ({ page }) => {
    await page.goto('/support');
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();
    await form.submit.click();

    const summary = page.getByRole('alert').filter({ hasText: 'Email: enter an email address.' });
    await expect(summary).toBeVisible();
    await expect(summary).toContainText('Password: enter your password.');
    await expect
      .poll(() => summary.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)), {
        message: 'focus moves to the error summary',
      })
      .toBe(true);
    await expect(form.heading).toBeVisible();
    await expectNoA11yViolations(page, 'sign-in form with empty fields');
  });

  test('the keyboard alone reaches Email, Password and Sign in in order, and Enter submits', async ({ page }) => {
    await page.goto('/support');
    const form = signInForm(page);
    await expect(form.heading).toBeVisible();
    await expectNoA11yViolations(page, 'sign-in form');

    // Whatever comes first in the tab order (a skip link, say), Email must come before Password and Sign in.
    for (let i = 0; i < 10 && !(await form.email.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await expect(form.email).toBeFocused();
    await page.keyboard.type(USERS.acmeAdmin);
    await page.keyboard.press('Tab');
    await expect(form.password).toBeFocused();
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Tab');
    await expect(form.submit).toBeFocused();

    await page.keyboard.press('Shift+Tab');
    await expect(form.password).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(supportPage(page).heading).toBeVisible();
    await expectNoA11yViolations(page, 'Support page');
  });
});

test.describe('app shell', () => {
  test('shows navigation, who is signed in and Sign out; signing out ends the session', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.acmeAdmin);
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('link', { name: 'Support', exact: true })).toBeVisible();
    await expect(page.getByText(USERS.acmeAdmin).first()).toBeVisible();
    await expectNoA11yViolations(page, 'Support page');

    const me = await page.request.get('/api/v1/me');
    expect(me.status(), 'signed in: /api/v1/me answers').toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(signInForm(page).heading).toBeVisible();
    await expect(signInForm(page).email).toBeVisible();
    await expectNoA11yViolations(page, 'sign-in form after signing out');

    const after = await page.request.get('/api/v1/me');
    expect(after.status(), 'signed out: /api/v1/me answers').toBe(401);
  });

  test('the header marks Support as the current section on every Support page; a breadcrumb marks no page above', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.acmeAdmin);
    const main = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support', exact: true });
    await expect(main).toHaveAttribute('aria-current', 'page');

    await page.getByRole('link', { name: 'Go to Aiven Support Center' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
    await expect(main).toHaveAttribute('aria-current', 'page');
    const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
    await expect(breadcrumb.getByRole('link', { name: /Support/ })).not.toHaveAttribute('aria-current');

    await page.getByRole('link', { name: 'Create ticket' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
    await expect(breadcrumb.getByRole('link', { name: 'My tickets' })).not.toHaveAttribute('aria-current');
    await expect(main).toHaveAttribute('aria-current', 'page');
  });
});

test.describe('Support page', () => {
  test('an admin on the Basic tier sees Basic, its response times and the way to upgrade', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.acmeAdmin);
    const support = supportPage(page);
    await expect(support.heading).toBeVisible();
    await expect(support.currentTier.getByRole('heading', { name: 'Current support tier' })).toBeVisible();
    await expect(support.currentTier).toContainText('Basic');
    for (const severity of ['Low', 'High', 'Critical']) {
      await expectResponseTime(support.currentTier, severity, '1 business day');
    }
    await expect(support.upgradeLink).toBeVisible();
    await expect(support.supportCenter).toBeVisible();
    await expect(support.supportCenter).toHaveAttribute('href', /\/support\/tickets$/);
    await expect(support.forum).toHaveCount(0);
    await expectCommonSupportContent(page);
    await expectNoA11yViolations(page, 'Support page, Acme admin');
  });

  test('a member cannot upgrade and is told which admin to ask', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.acmeMember);
    const support = supportPage(page);
    await expect(support.heading).toBeVisible();
    await expect(support.currentTier).toContainText('Basic');
    await expect(page.getByText('Only organization admins can upgrade the support tier')).toBeVisible();
    await expect(page.getByText(USERS.acmeAdmin).first()).toBeVisible();
    await expect(support.upgradeLink).toHaveCount(0);
    await expect(support.upgradeButton).toHaveCount(0);
    await expect(support.supportCenter).toBeVisible();
    await expectCommonSupportContent(page);
    await expectNoA11yViolations(page, 'Support page, Acme member');
  });

  test('an admin on the Advanced tier sees Advanced with a 30 min critical response, and can still upgrade', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.globexAdmin);
    const support = supportPage(page);
    await expect(support.heading).toBeVisible();
    await expect(support.currentTier).toContainText('Advanced');
    await expectResponseTime(support.currentTier, 'Critical', '30 min');
    // Premium is above Advanced, so there is still somewhere to go.
    await expect(support.upgradeLink).toBeVisible();
    await expect(support.supportCenter).toBeVisible();
    await expectCommonSupportContent(page);
    await expectNoA11yViolations(page, 'Support page, Globex admin');
  });

  test('an organization with only free services is sent to the community forum', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.hobbyOwner);
    const support = supportPage(page);
    await expect(support.heading).toBeVisible();
    await expect(support.forum).toBeVisible();
    await expect(support.supportCenter).toHaveCount(0);
    await expect(support.upgradeLink).toHaveCount(0);
    await expect(support.upgradeButton).toHaveCount(0);
    await expectCommonSupportContent(page);
    await expectNoA11yViolations(page, 'Support page, free plan');
  });
});
