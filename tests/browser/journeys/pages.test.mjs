// Every main page, as each role sees it, at desktop and phone width: no axe-core violation, no
// sideways scrolling on a phone, and a screenshot of each under target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, shot, upwardInBrowser } from './server.mjs';

const session = upwardInBrowser();

const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

const PAGES = {
  'admin@upward-demo.example': [
    ['accounts', '/admin/accounts'],
    ['provisioning', '/admin/provisioning'],
    ['people-import', '/people/import'],
  ],
  'manager@upward-demo.example': [
    ['home-manager', '/'],
    ['programmes', '/programmes'],
    ['programme', '/programmes/1'],
    ['programme-edit', '/programmes/1/edit'],
    ['programme-new', '/programmes/new'],
    ['enrolments', '/programmes/1/enrolments'],
    ['pairings-empty', '/programmes/1/pairings'],
    ['people', '/people'],
    ['audit', '/audit'],
    ['account-manager', '/account'],
  ],
  junior: [
    ['home-participant', '/'],
    ['programme-participant', '/programmes/1'],
    ['enrol-choose', '/programmes/1/enrol'],
    ['enrol-mentor', '/programmes/1/enrol?role=mentor'],
    ['account', '/account'],
  ],
};

for (const [who, pages] of Object.entries(PAGES)) {
  for (const [width, viewport] of Object.entries(WIDTHS)) {
    test(`${who}'s pages at ${width} width pass axe-core${width === 'phone' ? ' and fit' : ''}`, async () => {
      const { url, junior } = session.upward;
      const email = who === 'junior' ? junior : who;
      const page = await (await session.browser.newContext({ viewport, isMobile: width === 'phone' })).newPage();
      await logIn(page, url, email);
      for (const [name, path] of pages) {
        const response = await page.goto(`${url}${path}`);
        assert.equal(response.status(), 200, `${path} answers`);
        await shot(page, `${name}-${width}`);
        if (width === 'phone') {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px on a phone`);
        }
      }
      await page.close();
    });
  }
}

test('the favicon is served', async () => {
  const response = await fetch(`${session.upward.url}/favicon.ico`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /image\//);
});
