import { type Locator, type Page } from '@playwright/test';
import { expect, test, USERS, createTicketViaApi, expectNoA11yViolations, orgId, signInForm } from './fixtures';

// The seed's three procedures (upgrade the support tier, create a ticket, add someone to a ticket) by its labels,
// with the keyboard alone: only page.keyboard (Tab, Shift+Tab, Enter, Space, arrows, typing), never a click or a
// mouse event. After every step the test checks where focus is (never lost to <body>), that it is visible, that
// the page does not scroll sideways and that axe finds nothing. Each procedure runs at three sizes:
// - desktop: 1280 x 800;
// - 320 px: the WCAG 1.4.10 reflow width (320 x 640 CSS px);
// - 200% zoom: a 1280 x 800 window zoomed to 200% lays out in 640 x 400 CSS px at two device pixels per CSS px,
//   which is what this viewport and deviceScaleFactor give.

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: '320 px wide', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 },
  { name: '200% zoom', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

/** What has focus, described for messages: `tag "accessible-ish name"`, looking into shadow roots. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return 'nothing';
    const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${text}"`;
  });
}

/**
 * Checks the focused element: not <body> (focus lost), drawn with a visible focus indicator (a computed outline or
 * box-shadow while it matches :focus-visible), and inside the viewport horizontally.
 */
async function expectVisibleFocus(page: Page, where: string): Promise<void> {
  const state = await page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { lost: true } as const;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    // A visually hidden input (the file picker) shows its focus on its label, the next sibling.
    const label = el.nextElementSibling;
    const labelStyle = label ? getComputedStyle(label) : null;
    const onLabel = !!labelStyle && labelStyle.outlineStyle !== 'none' && parseFloat(labelStyle.outlineWidth) > 0;
    const box = el.getBoundingClientRect();
    return {
      lost: false,
      focusVisible: el.matches(':focus-visible'),
      indicator: outline || shadow || onLabel,
      left: box.left,
      right: box.right,
      width: window.innerWidth,
    } as const;
  });
  const what = await focused(page);
  expect(state.lost, `${where}: focus was lost to <body>`).toBe(false);
  if (state.lost) return;
  expect(state.focusVisible, `${where}: ${what} does not match :focus-visible`).toBe(true);
  expect(state.indicator, `${where}: ${what} has no visible focus indicator`).toBe(true);
  expect(state.left, `${where}: ${what} starts left of the viewport`).toBeGreaterThanOrEqual(-1);
  expect(state.right, `${where}: ${what} ends right of the viewport (${state.width} px)`).toBeLessThanOrEqual(state.width + 1);
}

/** The page does not scroll sideways (WCAG 1.4.10 Reflow). */
async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

/** Everything checked after a step: focus, reflow and axe. */
async function checkState(page: Page, where: string): Promise<void> {
  await expectVisibleFocus(page, where);
  await expectNoHorizontalScroll(page, where);
  await expectNoA11yViolations(page, where);
}

/** A page as loaded, before any key is pressed (focus is at the document's start): reflow and axe. */
async function checkLoaded(page: Page, where: string): Promise<void> {
  await expectNoHorizontalScroll(page, where);
  await expectNoA11yViolations(page, where);
}

/** Whether `target` has focus (looking into shadow roots). */
async function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active === el;
  }).catch(() => false);
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, at most `max` times, then checks that it is visible on
 * screen with a visible focus indicator: reachable by keyboard at this size.
 */
async function tabTo(
  page: Page,
  target: Locator,
  where: string,
  { backwards = false, max = 60, shownBy = target }: { backwards?: boolean; max?: number; shownBy?: Locator } = {},
): Promise<void> {
  await expect(shownBy, `${where}: on the page`).toBeVisible();
  const trail: string[] = [];
  for (let i = 0; i < max && !(await hasFocus(target)); i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    trail.push(await focused(page));
  }
  expect(await hasFocus(target), `${where}: not reached with ${backwards ? 'Shift+Tab' : 'Tab'}; focus went ${trail.join(' -> ')}`).toBe(true);
  await expect(shownBy, `${where}: scrolled into view`).toBeInViewport();
  await expectVisibleFocus(page, where);
}

/** Types into the focused field, key by key. */
async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
}

/** Moves a focused native select with the arrow keys until its selected option's text is `label`. */
async function chooseOption(page: Page, select: Locator, label: string | RegExp, where: string): Promise<void> {
  const current = () => select.evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim() ?? '');
  const count = await select.locator('option').count();
  const matches = (text: string) => (typeof label === 'string' ? text === label : label.test(text));
  for (let i = 0; i < count && !matches(await current()); i++) {
    await page.keyboard.press('ArrowDown');
  }
  expect(await current(), `${where}: option not reached with ArrowDown`).toMatch(typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}$`) : label);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Signs in on the sign-in form with the keyboard alone, then waits for `heading`. */
async function signInByKeyboard(page: Page, path: string, email: string, heading: Locator): Promise<void> {
  await page.goto(path);
  const form = signInForm(page);
  await expect(form.heading).toBeVisible();
  await checkLoaded(page, 'sign-in form');
  await tabTo(page, form.email, 'sign-in: Email');
  await type(page, email);
  await tabTo(page, form.password, 'sign-in: Password');
  await type(page, 'support-demo');
  await page.keyboard.press('Enter');
  // The sign-in form gives way to the page at the same address: focus moves to its heading.
  await expectFocusOn(page, heading, `after sign-in (${path})`);
}

/** The heading of a page or wizard step has focus, and it shows. */
async function expectFocusOn(page: Page, target: Locator, where: string): Promise<void> {
  await expect(target, `${where}: focus moves there (it is on ${await focused(page)})`).toBeFocused();
  await checkState(page, where);
}

for (const size of SIZES) {
  test.describe(`keyboard only, ${size.name}`, () => {
    test.use({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });
    // A key press at a time, with axe after every step: slower than the mouse-driven specs.
    test.setTimeout(180_000);

    test('upgrade the support tier', async ({ page }) => {
      const org = { id: 0 };
      const h1 = page.getByRole('heading', { level: 1, name: 'Support' });
      await signInByKeyboard(page, '/support', USERS.acmeAdmin, h1);
      org.id = await orgId(page);
      try {

        // In the Current support tier section, click Upgrade to Enterprise.
        const current = page.getByRole('region', { name: 'Current support tier' });
        await tabTo(page, current.getByRole('link', { name: 'Upgrade to Enterprise' }), 'Upgrade to Enterprise');
        await page.keyboard.press('Enter');
        await expectFocusOn(page, page.getByRole('heading', { level: 1, name: 'Upgrade your support tier' }), 'wizard: choose tier');

        // Choose the support tier you want to upgrade to and click Choose tier.
        await tabTo(page, page.getByRole('article', { name: 'Essential' }).getByRole('button', { name: 'Choose tier' }), 'Choose tier (Essential)');
        await page.keyboard.press('Enter');
        const startDate = page.getByLabel('Start date', { exact: true });
        await expectFocusOn(page, page.getByRole('heading', { level: 2, name: /start date/i }), 'wizard: start date');

        // Select a Start date.
        await tabTo(page, startDate, 'Start date');
        await chooseOption(page, startDate, /\(this month\)/, 'Start date');
        await checkState(page, 'wizard: start date chosen');
        await tabTo(page, page.getByRole('button', { name: 'Continue' }), 'Continue');
        await page.keyboard.press('Enter');
        await expectFocusOn(page, page.getByRole('heading', { level: 2, name: /billing group/i }), 'wizard: billing group');

        // Select a Billing group.
        const group = page.getByLabel('Billing group', { exact: true });
        await tabTo(page, group, 'Billing group');
        await chooseOption(page, group, /^Acme Default/, 'Billing group');
        await expect(page.getByRole('region', { name: 'Review your request' })).toContainText('Acme Default');
        await checkState(page, 'wizard: billing group chosen');

        // Click Upgrade tier.
        await tabTo(page, page.getByRole('button', { name: 'Upgrade tier' }), 'Upgrade tier');
        await page.keyboard.press('Enter');
        await expectFocusOn(page, page.getByRole('heading', { name: 'Your upgrade request was sent' }), 'wizard: confirmation');

        // You can view the status of your request on the support page under Current support tier.
        await tabTo(page, page.getByRole('link', { name: 'Back to Support' }), 'Back to Support');
        await page.keyboard.press('Enter');
        await expectFocusOn(page, h1, 'Support page with the pending request');
        await expect(current).toContainText('Upgrade to Essential requested');
      } finally {
        // The next test starts from no pending request, whatever happened above.
        const latest = org.id
          ? await (await page.request.get(`/api/v1/organizations/${org.id}/support`)).json().catch(() => null)
          : null;
        const id = latest?.upgrade_request?.status === 'pending' ? latest.upgrade_request.id : null;
        if (id !== null && org.id) {
          await page.request.delete(`/api/v1/organizations/${org.id}/upgrade-requests/${id}`, { headers: { 'x-support-csrf': '1' } });
        }
      }
    });

    test('create a ticket', async ({ page }) => {
      const h1 = page.getByRole('heading', { level: 1, name: 'Support' });
      await signInByKeyboard(page, '/support', USERS.acmeMember, h1);

      // Click Go to Aiven Support Center.
      await tabTo(page, page.getByRole('link', { name: 'Go to Aiven Support Center' }), 'Go to Aiven Support Center');
      await page.keyboard.press('Enter');
      await expectFocusOn(page, page.getByRole('heading', { level: 1, name: 'My tickets' }), 'My tickets');

      // Click Create ticket.
      await tabTo(page, page.getByRole('link', { name: 'Create ticket' }).first(), 'Create ticket link');
      await page.keyboard.press('Enter');
      await expectFocusOn(page, page.getByRole('heading', { level: 1, name: 'Create ticket' }), 'Create ticket form');

      // Enter email addresses to CC (Space ends an address, as the documentation's "separated by a space").
      await tabTo(page, page.getByLabel('CC', { exact: true }), 'CC');
      await type(page, 'admin@acme.example ');
      await expect(page.getByRole('list', { name: 'CC addresses' }).getByRole('listitem')).toHaveText(['admin@acme.example\u00d7']);

      // Enter a Subject.
      const subject = `Keyboard only (${size.name}) ${Date.now()}`;
      await tabTo(page, page.getByLabel('Subject', { exact: true }), 'Subject');
      await type(page, subject);

      // Select a Severity level: Tab enters the group, the arrows choose.
      await tabTo(page, page.getByRole('radio', { name: 'Low', exact: true }), 'Severity');
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('radio', { name: 'High', exact: true })).toBeChecked();
      await checkState(page, 'Severity chosen');

      // (The optional projects and services are left empty.) Select the affected Product and the reason.
      const product = page.getByLabel('Product', { exact: true });
      await tabTo(page, product, 'Product');
      await chooseOption(page, product, 'Billing', 'Product');
      const reason = page.getByLabel('Reason', { exact: true });
      await tabTo(page, reason, 'Reason');
      await chooseOption(page, reason, 'Question about an invoice', 'Reason');

      // Enter a detailed Description.
      await tabTo(page, page.getByLabel('Description', { exact: true }), 'Description');
      await type(page, 'Our November invoice lists pg-staging twice.');
      await checkState(page, 'form filled');

      // The optional file picker is reachable too (nothing is uploaded). Its input is visually hidden: its label
      // is what shows, and shows the focus.
      await tabTo(page, page.getByLabel('Choose files'), 'Choose files', {
        shownBy: page.locator('label').filter({ hasText: 'Choose files' }),
      });

      // Click Create ticket.
      await tabTo(page, page.getByRole('button', { name: 'Create ticket', exact: true }), 'Create ticket button');
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
      await expectFocusOn(page, page.getByRole('status').filter({ hasText: 'Ticket created' }), 'ticket created');
      await expect(page.getByText('admin@acme.example')).toBeVisible();
    });

    test('add someone to a ticket', async ({ page }) => {
      const h1 = page.getByRole('heading', { level: 1, name: 'My tickets' });
      await signInByKeyboard(page, '/support/tickets', USERS.acmeMember, h1);
      const subject = `Keyboard CC (${size.name}) ${Date.now()}`;
      await createTicketViaApi(page, subject);
      await page.reload();
      await expect(page.getByRole('link', { name: subject })).toBeVisible();
      await checkLoaded(page, 'My tickets');

      // On the My tickets page, open the ticket.
      await tabTo(page, page.getByRole('link', { name: subject }), 'the ticket in My tickets');
      await page.keyboard.press('Enter');
      await expectFocusOn(page, page.getByRole('heading', { level: 1, name: subject }), 'ticket page');

      // Click Add to conversation.
      const add = page.getByRole('button', { name: 'Add to conversation' });
      await tabTo(page, add, 'Add to conversation');
      await page.keyboard.press('Enter');
      // Focus moves into the form that opened: its first field, CC.
      const cc = page.getByRole('textbox', { name: 'CC', exact: true });
      await expectFocusOn(page, cc, 'add to conversation: CC');

      // Add the email addresses in the CC field separated by a space.
      await type(page, 'admin@acme.example ops@acme.example ');

      // Enter a comment and click Submit.
      await tabTo(page, page.getByLabel('Comment', { exact: true }), 'Comment');
      await type(page, 'Adding our admin and the ops list.');
      await checkState(page, 'add to conversation: filled');
      await tabTo(page, page.getByRole('button', { name: 'Submit', exact: true }), 'Submit');
      await page.keyboard.press('Enter');
      await expect(page.getByText('added admin@acme.example, ops@acme.example to CC')).toBeVisible();
      // Focus returns to the button that opened the form, ready for the next comment.
      await expectFocusOn(page, add, 'comment added');
      await expect(page.getByRole('region', { name: 'CC' }).getByText('ops@acme.example')).toBeVisible();
    });
  });
}
