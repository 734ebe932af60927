import { expect, test, USERS, expectNoA11yViolations, visitSignedIn } from './fixtures';

// The documentation's "Optional: Enter the ID of the affected projects and services": several of them, chosen
// from the organization's own or typed and pasted by ID, each checked against the organization; the ticket page
// and the list's search show them.

test('a member names several projects and services by choosing, pasting and typing', async ({ page }) => {
  await visitSignedIn(page, '/support/tickets/new', USERS.acmeMember);
  await expect(page.getByRole('heading', { level: 1, name: 'Create ticket' })).toBeVisible();
  await expect(page.getByText('Enter the ID of the affected projects and services')).toBeVisible();
  const field = page.getByLabel('Projects and services (optional)');
  const chips = page.getByRole('list', { name: 'Affected projects and services' }).getByRole('listitem');

  // Two chosen from the organization's list.
  await page.getByText('Choose from your organization').click();
  const choices = page.getByRole('list', { name: "Your organization's projects and services" });
  await expect(choices.getByRole('checkbox')).toHaveCount(5);
  await choices.getByRole('checkbox', { name: 'acme-staging', exact: true }).check();
  await choices.getByRole('checkbox', { name: 'acme-prod/kafka-events' }).check();
  await expect(chips).toHaveText(['acme-staging\u00d7', 'acme-prod/kafka-events\u00d7']);
  await expectNoA11yViolations(page, 'two chosen from the list');

  // Two pasted at once, separated by a comma and a new line; one of them already listed is kept once.
  await field.focus();
  await page.keyboard.insertText('acme-prod,\nacme-staging/pg-staging acme-staging ');
  await expect(chips).toHaveText([
    'acme-staging\u00d7',
    'acme-prod/kafka-events\u00d7',
    'acme-prod\u00d7',
    'acme-staging/pg-staging\u00d7',
  ]);
  await expect(field).toHaveValue('');
  await expect(page.getByRole('status').filter({ hasText: 'Added 2.' })).toBeAttached();
  await expect(choices.getByRole('checkbox', { name: 'acme-staging/pg-staging' })).toBeChecked();
  await expectNoA11yViolations(page, 'two pasted');

  // An unknown one, and another organization's, stay in the box with the message naming them.
  await field.pressSequentially('foo-prod');
  await field.press('Enter');
  const unknown = 'Projects and services: no project or service named \u201cfoo-prod\u201d in your organization.';
  await expect(field).toHaveAccessibleDescription(new RegExp(`^${unknown}`));
  await expect(page.getByRole('status').filter({ hasText: unknown })).toBeAttached();
  await expect(field).toHaveValue('foo-prod');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(chips).toHaveCount(4);
  await expectNoA11yViolations(page, 'an unknown one');
  await field.fill('globex-prod');
  await field.press('Enter');
  await expect(field).toHaveAccessibleDescription(/^Projects and services: no project or service named \u201cglobex-prod\u201d/);

  // A chip's remove button has the entry in its name, and unchecks it in the list.
  await page.getByRole('button', { name: 'Remove acme-prod/kafka-events' }).click();
  await expect(chips).toHaveCount(3);
  await expect(field).toBeFocused();
  await expect(choices.getByRole('checkbox', { name: 'acme-prod/kafka-events' })).not.toBeChecked();

  // Nothing typed is lost: a reload brings back the chips and the refused text.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Discard draft' })).toBeVisible();
  await expect(chips).toHaveText(['acme-staging\u00d7', 'acme-prod\u00d7', 'acme-staging/pg-staging\u00d7']);
  await expect(field).toHaveValue('globex-prod');

  // Sending with the refused text still in the box stops at it, in the summary too.
  const subject = `Dashboards slow ${Date.now()}`;
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByRole('radio', { name: 'Low', exact: true }).check();
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'PostgreSQL' });
  await page.getByLabel('Reason', { exact: true }).selectOption({ label: 'Cannot connect' });
  await page.getByLabel('Description', { exact: true }).fill('The dashboards time out.');
  await page.getByRole('button', { name: 'Create ticket', exact: true }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary.getByRole('link', { name: /no project or service named \u201cglobex-prod\u201d/ })).toBeVisible();

  // Typed by a service's name alone, it becomes project/service.
  await field.fill('kafka-events');
  await field.press('Enter');
  await expect(chips).toHaveCount(4);
  await expect(page.getByRole('button', { name: 'Remove acme-prod/kafka-events' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('create-form-projects-services.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create ticket', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  const facts = page.getByRole('definition').filter({ has: page.getByRole('listitem') });
  await expect(facts.getByRole('listitem')).toHaveText([
    'acme-staging',
    'acme-prod',
    'acme-staging/pg-staging',
    'acme-prod/kafka-events',
  ]);
  await expectNoA11yViolations(page, 'the ticket page with them');
  await page.screenshot({ path: test.info().outputPath('ticket-page-projects-services.png'), fullPage: true });

  // The list's search finds the ticket by one of them.
  const stamp = subject.split(' ').pop();
  await page.goto(`/support/tickets?q=${encodeURIComponent(`${stamp} pg-staging`)}`);
  await expect(page.getByRole('link', { name: subject })).toBeVisible();
  await page.goto(`/support/tickets?q=${encodeURIComponent(`${stamp} globex`)}`);
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await expect(page.getByRole('link', { name: subject })).toHaveCount(0);
});
