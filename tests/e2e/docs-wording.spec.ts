import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, visitSignedIn } from './fixtures';

// Issue 11's wording items, by the documentation's words (seed/support.rst): who to contact (account team only
// when there is one, otherwise the sales team), the account team's notice after Create ticket on a paid tier, and
// the "Response times" link on My tickets.

const DOWNGRADE = 'If you have questions or want to downgrade your support tier, ';

test.describe('Account team or sales team', () => {
  test('an organization without an account team (Basic) is sent to the sales team, never "your account team"', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.acmeAdmin);
    const current = page.getByRole('region', { name: 'Current support tier' });
    await expect(current).toContainText(`${DOWNGRADE}contact the sales team at sales@aiven.io.`);
    await expect(current).not.toContainText('account team at');
    await expect(current.getByRole('link', { name: 'sales@aiven.io' })).toHaveAttribute('href', 'mailto:sales@aiven.io');
    await expectNoA11yViolations(page, 'Support page, no account team');

    // The upgrade wizard's first step says the same.
    await page.getByRole('link', { name: 'Upgrade to Enterprise' }).click();
    await expect(page.getByRole('article', { name: 'Essential' })).toBeVisible();
    await expect(page.getByText(`${DOWNGRADE}contact the sales team at sales@aiven.io.`)).toBeVisible();
    await expect(page.getByText('contact your account team')).toHaveCount(0);
    await expectNoA11yViolations(page, 'wizard, no account team');
  });

  test('an organization with an account team (Advanced) is sent to its account team', async ({ page }) => {
    await visitSignedIn(page, '/support', USERS.globexAdmin);
    const current = page.getByRole('region', { name: 'Current support tier' });
    await expect(current).toContainText(`${DOWNGRADE}contact your account team at globex-team@accounts.example.`);
    await expect(current.getByRole('link', { name: 'globex-team@accounts.example' })).toHaveAttribute(
      'href',
      'mailto:globex-team@accounts.example',
    );
    await expect(current).not.toContainText('sales team');
    await expectNoA11yViolations(page, 'Support page, account team');
  });
});

test.describe('Create ticket: the account team is notified on paid tiers', () => {
  async function createTicket(page: import('@playwright/test').Page, user: string, subject: string) {
    await visitSignedIn(page, '/support/tickets/new', user);
    await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByRole('radio', { name: 'Low', exact: true }).check();
    await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Billing' });
    await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Question about an invoice' });
    await page.getByLabel('Description', { exact: true }).fill('Our November invoice lists a service twice.');
    await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
    const created = page.getByRole('status').filter({ hasText: 'Ticket created' });
    await expect(created).toBeFocused();
    return created;
  }

  test('on a tier above Basic the confirmation says the account team was notified too', async ({ page }) => {
    const created = await createTicket(page, USERS.globexAdmin, `Invoice question ${Date.now()}`);
    await expect(created).toContainText('As you are on a paid support tier, your account team was also notified.');
    await expectNoA11yViolations(page, 'ticket created, account team notified');
  });

  test('on Basic the confirmation does not mention an account team', async ({ page }) => {
    const created = await createTicket(page, USERS.acmeMember, `Invoice question ${Date.now()}`);
    await expect(created).toContainText('We sent a confirmation to you.');
    await expect(created).not.toContainText('account team');
  });
});

test('My tickets links "Response times" to the support-services page, as the documentation does', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets', USERS.acmeMember);
  await createTicketViaApi(page, `Lag ${Date.now()}`);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  const link = page.getByRole('link', { name: 'Response times', exact: true });
  await expect(link).toHaveAttribute('href', 'https://aiven.io/support-services');
  await expect(page.getByText('vary by case severity and support tier.')).toBeVisible();
  await expectNoA11yViolations(page, 'My tickets with the Response times link');
});
