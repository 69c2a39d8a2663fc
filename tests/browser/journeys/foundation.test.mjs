// The first journeys: an admin logs in, creates a programme and sees it listed; a junior
// enrols as a mentor. Screenshots of the main pages go to target/screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, shot, upwardInBrowser } from './server.mjs';

const session = upwardInBrowser();

test('an admin logs in, creates a programme and sees it listed', async () => {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${session.upward.url}/login`);
  await shot(page, 'login');
  await logIn(page, session.upward.url, 'admin@upward-demo.example');
  await assert.doesNotReject(page.getByRole('heading', { name: 'Welcome, Alex Admin' }).waitFor());

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programmes' }).click();
  await page.getByRole('link', { name: 'New programme' }).first().click();
  await page.getByLabel('Name').fill('Browser-made pilot');
  await page.getByLabel('Purpose').fill('Try reverse mentoring with one department first.');
  await page.getByLabel('Objectives').fill('tech-upskilling, culture');
  await page.getByLabel('Start date').fill('2027-03-01');
  await page.getByLabel('End date').fill('2027-04-01');
  await page.getByRole('button', { name: 'Create programme' }).click();

  await page.getByRole('heading', { name: 'Browser-made pilot' }).waitFor();
  assert.match(await page.locator('.alert.warning').innerText(), /6 to 12 months/);
  await shot(page, 'programme');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programmes' }).click();
  await page.getByRole('link', { name: 'Browser-made pilot' }).waitFor();
  assert.equal(await page.getByRole('cell', { name: 'Draft' }).count() >= 1, true);
  await shot(page, 'programmes');

  await page.getByRole('link', { name: 'People' }).click();
  await page.getByLabel('Search by name, email or department').fill('Engineering');
  await page.getByRole('button', { name: 'Search' }).click();
  assert.match(await page.locator('main').innerText(), /people matching “Engineering”/);
  await shot(page, 'people');
  await page.close();
});

test('a form with a mistake shows the error next to the field', async () => {
  const page = await session.browser.newPage();
  await logIn(page, session.upward.url, 'manager@upward-demo.example');
  await page.goto(`${session.upward.url}/programmes/new`);
  await page.getByLabel('Start date').fill('2027-06-01');
  await page.getByLabel('End date').fill('2027-01-01');
  await page.getByRole('button', { name: 'Create programme' }).click();
  const name = page.getByLabel('Name');
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#name-error').innerText(), 'the name is required');
  assert.match(await page.locator('#end_date-error').innerText(), /end date must come after the start date/);
  await page.close();
});

test('a junior enrols as a mentor through the form', async () => {
  const page = await session.browser.newPage({ viewport: { width: 1100, height: 900 } });
  await logIn(page, session.upward.url, session.upward.junior);
  await page.getByRole('link', { name: 'Enrol' }).first().click();
  await page.getByRole('link', { name: /As a mentor/ }).click();
  await page.getByLabel('Topic 1').fill('Generative AI');
  await page.locator('#score_0').selectOption('5');
  await page.locator('#day_0').selectOption('Wed');
  await page.locator('#start_0').fill('17:30');
  await page.locator('#end_0').fill('19:00');
  await page.getByLabel('How you prefer to meet').selectOption('virtual');
  await shot(page, 'enrolment-form');
  const stops = await page.locator('main form').evaluate((form) =>
    [...form.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], summary')].length);
  assert.ok(stops <= 30, `the enrolment form has ${stops} tab stops`);
  await page.getByRole('button', { name: 'Enrol' }).click();
  assert.match(await page.locator('.alert.error').innerText(), /need attention/, 'consent is required');
  // After a failed submit the summary has the focus, and each field names its own error.
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('alert')), 'focus moves to the error summary');
  const consent = page.getByLabel(/I agree that my answers are used/);
  assert.equal(await consent.getAttribute('aria-describedby'), 'consent-error');
  assert.match(await page.locator('#consent-error').innerText(), /.+/);
  await page.getByLabel(/I agree that my answers are used/).check();
  await page.getByRole('button', { name: 'Enrol' }).click();
  await page.getByText('You are enrolled as a').waitFor();
  assert.match(await page.locator('main').innerText(), /enrolled as a mentor/);
  await page.close();
});

test('pages are usable on a phone and start with a skip link for keyboards', async () => {
  const page = await session.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await logIn(page, session.upward.url, 'manager@upward-demo.example');
  await page.goto(`${session.upward.url}/programmes`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await shot(page, 'programmes-phone');
  await page.close();
});

test('an upload imports the file and keeps the form token out of the address bar', async () => {
  const page = await session.browser.newPage();
  await logIn(page, session.upward.url, 'admin@upward-demo.example');
  await page.goto(`${session.upward.url}/people/import`);
  await page.getByLabel('CSV file').setInputFiles({
    name: 'people.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('email,name,job_level,time_zone\r\nnew.person@upward-demo.example,New Person,3,Europe/London\r\n'),
  });
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('Imported: 1 added, 0 updated.').waitFor();
  assert.doesNotMatch(page.url(), /csrf/);
  await page.close();
});
