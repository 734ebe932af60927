import { type Page } from '@playwright/test';
import { expect, test, USERS, expectNoA11yViolations, visitSignedIn } from './fixtures';

// The seed's "Upgrade your support tier" section, step by step, with its labels.

function currentTier(page: Page) {
  return page.getByRole('region', { name: 'Current support tier' });
}

async function startWizard(page: Page) {
  await visitSignedIn(page, '/support', USERS.acmeAdmin);
  await currentTier(page).getByRole('link', { name: 'Upgrade to Enterprise' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Upgrade your support tier' })).toBeVisible();
}

async function chooseTier(page: Page, tier: string) {
  await page.getByRole('article', { name: tier }).getByRole('button', { name: 'Choose tier' }).click();
  await expect(page.getByLabel('Start date', { exact: true })).toBeVisible();
}

/** The option values of the Start date select: '' then this month and the next twelve. */
async function monthOptions(page: Page): Promise<{ value: string; label: string }[]> {
  return page.getByLabel('Start date', { exact: true }).locator('option').evaluateAll((options) =>
    options.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })),
  );
}

test('an admin requests a higher tier the way the documentation says, and sees it pending', async ({ page }) => {
  await startWizard(page);
  // Only tiers above Basic are offered.
  await expect(page.getByRole('article', { name: 'Basic' })).toHaveCount(0);
  for (const tier of ['Essential', 'Advanced', 'Premium']) {
    await expect(page.getByRole('article', { name: tier })).toBeVisible();
  }
  await expect(page.getByText('want to downgrade your support tier, contact the sales team')).toBeVisible();
  await expectNoA11yViolations(page, 'wizard: choose tier');

  await chooseTier(page, 'Essential');
  const months = await monthOptions(page);
  expect(months).toHaveLength(14);
  expect(months[1].label).toContain('(this month)');
  const note = page.getByText('If you select the current month, you will be charged a percentage of the total service spend for the whole month, starting from the 1st.');
  await page.getByLabel('Start date', { exact: true }).selectOption(months[1].value);
  await expect(note).toBeVisible();
  await expectNoA11yViolations(page, 'wizard: start date, current month');
  await page.getByLabel('Start date', { exact: true }).selectOption(months[2].value);
  await expect(note).toBeHidden();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByLabel('Billing group', { exact: true })).toBeVisible();
  await expect(page.getByText('The support costs for all current and future services in the selected organization and all of its organizational units will be added to the invoice for this billing group.')).toBeVisible();
  // The billing-group step is the last: it shows the request and ends with Upgrade tier, as the documentation
  // says ("Select a Billing group. ... Click Upgrade tier."); there is no Continue and no review step after it.
  await expect(page.getByRole('list', { name: 'Steps' }).getByRole('listitem')).toHaveText(['1Choose tier', '2Start date', '3Billing group']);
  await expect(page.getByRole('button', { name: 'Continue' })).toHaveCount(0);
  const review = page.getByRole('region', { name: 'Review your request' });
  await expect(review).toContainText('Not chosen yet');
  await page.getByLabel('Billing group', { exact: true }).selectOption({ label: 'Acme R&D \u2013 Invoice (bank transfer)' });
  await expectNoA11yViolations(page, 'wizard: billing group');

  await expect(review).toContainText('Essential');
  await expect(review).toContainText(months[2].label);
  await expect(review).toContainText('Acme R&D');
  // 4.5% of USD 8,400 is below the USD 500 minimum.
  await expect(review).toContainText('USD 378.00');
  await expect(review).toContainText('estimated monthly charge is USD 500.00');
  await expectNoA11yViolations(page, 'wizard: review');
  await page.getByRole('button', { name: 'Upgrade tier' }).click();

  await expect(page.getByRole('heading', { name: 'Your upgrade request was sent' })).toBeVisible();
  await expect(page.getByText('It typically takes 1-2 business days to set up the new support tier.')).toBeVisible();
  await expectNoA11yViolations(page, 'wizard: confirmation');

  await page.getByRole('link', { name: 'Back to Support' }).click();
  const tier = currentTier(page);
  await expect(tier).toContainText('Upgrade to Essential requested');
  await expect(tier).toContainText('Pending');
  await expect(tier).toContainText('Acme R&D');
  await expect(tier).toContainText(USERS.acmeAdmin);
  await expect(tier.getByRole('link', { name: 'Upgrade to Enterprise' })).toHaveCount(0);
  await expectNoA11yViolations(page, 'Support page with a pending request');

  // One pending request at a time: the wizard now explains instead of offering tiers.
  await page.goto('/support/upgrade');
  await expect(page.getByText('An upgrade request is already pending.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Choose tier' })).toHaveCount(0);

  // The admin can withdraw it, which brings the upgrade control back.
  await page.goto('/support');
  await currentTier(page).getByRole('button', { name: 'Cancel upgrade request' }).click();
  await expect(currentTier(page).getByRole('link', { name: 'Upgrade to Enterprise' })).toBeVisible();
  await expect(currentTier(page)).not.toContainText('Pending');
});

test('moving back and forth keeps every choice, and a reload keeps the step', async ({ page }) => {
  await startWizard(page);
  await chooseTier(page, 'Advanced');
  const months = await monthOptions(page);
  await page.getByLabel('Start date', { exact: true }).selectOption(months[3].value);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Billing group', { exact: true }).selectOption({ label: 'Acme Default \u2013 Visa ending 4242' });

  await page.reload();
  const billing = page.getByLabel('Billing group', { exact: true }).locator('option:checked');
  await expect(billing).toHaveText('Acme Default \u2013 Visa ending 4242');

  // The wizard's Back button, then forward again.
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByLabel('Start date', { exact: true })).toHaveValue(months[3].value);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(billing).toHaveText('Acme Default \u2013 Visa ending 4242');

  // The browser's back and forward buttons.
  await page.goBack();
  await expect(page.getByLabel('Start date', { exact: true })).toHaveValue(months[3].value);
  // Further back through the history until the first step; every entry on the way is a wizard step.
  const advanced = page.getByRole('article', { name: 'Advanced' });
  const step = () => new URL(page.url()).searchParams.get('step') ?? 'tier';
  for (let i = 0; i < 6 && step() !== 'tier'; i++) {
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/support/upgrade');
  }
  await expect(advanced).toBeVisible();
  await page.goForward();
  await expect(page.getByLabel('Start date', { exact: true })).toHaveValue(months[3].value);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(billing).toHaveText('Acme Default \u2013 Visa ending 4242');
  // The review is on the billing-group step itself, and follows the choices.
  const review = page.getByRole('region', { name: 'Review your request' });
  await expect(review).toContainText('Acme Default \u2013 Visa ending 4242');
  await expect(review).toContainText('Advanced');
  await expect(review).toContainText(months[3].label);
  await expectNoA11yViolations(page, 'wizard: review after going back and forth');
});

test('a missing billing group is reported at that step, and Start date must be chosen', async ({ page }) => {
  await startWizard(page);
  await chooseTier(page, 'Premium');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Start date: choose the month the new tier starts.' })).toBeVisible();
  await expect(page.getByLabel('Start date', { exact: true })).toBeFocused();
  const months = await monthOptions(page);
  await page.getByLabel('Start date', { exact: true }).selectOption(months[1].value);
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('button', { name: 'Upgrade tier' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Billing group: choose the billing group that pays for support.' })).toBeVisible();
  await expect(page.getByLabel('Billing group', { exact: true })).toBeFocused();
  await expect(page.getByLabel('Billing group', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectNoA11yViolations(page, 'wizard: billing group error');
});

test('a member cannot upgrade and is told whom to ask', async ({ page }) => {
  await visitSignedIn(page, '/support/upgrade', USERS.acmeMember);
  await expect(page.getByText('Only organization admins can upgrade the support tier.')).toBeVisible();
  await expect(page.getByText(USERS.acmeAdmin)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Choose tier' })).toHaveCount(0);
  await expectNoA11yViolations(page, 'wizard as a member');
});

test('a confirmation address without a request falls back to the first step', async ({ page }) => {
  await visitSignedIn(page, '/support/upgrade?step=done', USERS.acmeAdmin);
  await expect(page.getByRole('heading', { name: 'Choose a support tier' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Your upgrade request was sent' })).toHaveCount(0);
  await expectNoA11yViolations(page, 'wizard: stale confirmation address');
});

test('the Change links on the billing-group step go back to their steps, and an old review address lands there', async ({ page }) => {
  await startWizard(page);
  await chooseTier(page, 'Premium');
  const months = await monthOptions(page);
  await page.getByLabel('Start date', { exact: true }).selectOption(months[2].value);
  await page.getByRole('button', { name: 'Continue' }).click();
  const review = page.getByRole('region', { name: 'Review your request' });
  await expect(review).toContainText('Premium');
  await review.getByRole('button', { name: 'Change start date' }).click();
  await expect(page.getByLabel('Start date', { exact: true })).toHaveValue(months[2].value);
  await page.getByRole('button', { name: 'Continue' }).click();
  await review.getByRole('button', { name: 'Change tier' }).click();
  await expect(page.getByRole('article', { name: 'Premium' })).toBeVisible();
  // The browser's back button returns to the billing-group step with every choice.
  await page.goBack();
  await expect(review).toContainText(months[2].label);
  // "Change billing group" is this step: it moves focus to the field.
  await review.getByRole('button', { name: 'Change billing group' }).click();
  await expect(page.getByLabel('Billing group', { exact: true })).toBeFocused();

  // A bookmark or history entry of the old review step shows the billing-group step with its choices.
  const url = new URL(page.url());
  url.searchParams.set('step', 'review');
  await page.goto(url.toString());
  await expect(page.getByRole('heading', { name: 'Select a billing group' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Review your request' })).toContainText('Premium');
  await expect(page.getByRole('button', { name: 'Upgrade tier' })).toBeVisible();
  await expectNoA11yViolations(page, 'wizard: old review address');
});
