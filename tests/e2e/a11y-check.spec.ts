import { expect, expectNoA11yViolations, test } from './fixtures';

// The accessibility check every spec relies on (fixtures.ts expectNoA11yViolations) must still fail on a
// violation: on its first run in a page, and on a later run in the same page, where axe-core is already loaded and
// the DOM has changed the way the app changes screens, without a reload.

test('the accessibility check fails on a violation, on its first run in a page and on a later one', async ({ page }) => {
  await page.setContent('<!doctype html><html lang="en"><head><title>Check</title></head><body><main><h1>Fine</h1></main></body></html>');
  await expectNoA11yViolations(page, 'clean page');

  // An unlabelled text box is a WCAG 2 A violation (axe's `label` rule), and an image without text another.
  await page.evaluate(() => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input type="text"><img src="data:,">');
  });
  let failure = '';
  await expectNoA11yViolations(page, 'broken page').catch((e: Error) => {
    failure = e.message;
  });
  expect(failure, 'the check failed').toContain('accessibility violations');
  expect(failure).toContain('label [critical]');
  expect(failure).toContain('image-alt [critical]');

  // A fresh page: axe-core is injected again.
  await page.setContent('<!doctype html><html><head><title>No lang</title></head><body><main><h1>x</h1></main></body></html>');
  failure = '';
  await expectNoA11yViolations(page, 'page without lang').catch((e: Error) => {
    failure = e.message;
  });
  expect(failure, 'the check failed').toContain('html-has-lang');
});
