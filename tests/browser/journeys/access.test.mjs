// Getting in without a typed password, with the mail read from a real SMTP server on loopback:
// a manager invites a department and an invitee follows the link onto the enrolment form and
// enrols; a sign-in link works once; a forgotten password is replaced through a reset link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, shot, upwardInBrowser } from './server.mjs';

const session = upwardInBrowser();

const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'People', 'Operations', 'Product'];

/// Whether the page fits its width without scrolling sideways.
const fitsSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth <= 1);

/// A browser context of its own, as a person opening mail on another device would have.
const freshPage = async () => (await session.browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();

test('a manager invites a department and an invitee enrols through the link', async () => {
  const { url, junior } = session.upward;
  const manager = await freshPage();
  await logIn(manager, url, 'manager@upward-demo.example');
  await manager.goto(`${url}/people?search=${encodeURIComponent(junior)}`);
  const row = await manager.locator('tbody tr').first().innerText();
  const department = DEPARTMENTS.find((d) => row.includes(d));
  assert.ok(department, `the junior's department is shown: ${row}`);

  await manager.goto(`${url}/programmes/1`);
  const invitations = manager.locator('#invitations');
  assert.match(await invitations.innerText(), /0 invited, 0 signed in/);
  await invitations.getByLabel('Department', { exact: true }).fill(department);
  await invitations.getByRole('button', { name: 'Continue' }).click();
  await manager.getByRole('heading', { name: 'Send invitations?' }).waitFor();
  await shot(manager, 'invitations-confirm');
  assert.equal(session.upward.mailCount(junior), 0, 'nothing is mailed before the manager confirms');
  await manager.getByRole('button', { name: /^Send \d+ invitations?$/ }).click();
  assert.match(await manager.getByRole('status').innerText(), /invitations? (is|are) on/);

  const invitee = await freshPage();
  const link = await session.upward.mailedLink(junior);
  assert.match(link, /^\/invitation\//);
  await invitee.goto(`${url}${link}`);
  await invitee.getByRole('heading', { name: /You are invited to/ }).waitFor();
  await shot(invitee, 'invitation');
  await invitee.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fitsSideways(invitee), 'the invitation fits a phone');
  await shot(invitee, 'invitation-phone');
  await invitee.getByRole('button', { name: 'Continue to the programme' }).click();
  await invitee.waitForURL(/\/programmes\/1\/enrol$/);
  await invitee.getByRole('link', { name: /As a mentor/ }).click();
  await invitee.getByLabel('Topic 1').fill('Generative AI');
  await invitee.locator('#day_0').selectOption('Tue');
  await invitee.locator('#start_0').fill('08:00');
  await invitee.locator('#end_0').fill('09:30');
  await invitee.getByLabel(/I agree that my answers are used/).check();
  await invitee.getByRole('button', { name: 'Enrol' }).click();
  await invitee.getByText('You are enrolled as a').waitFor();

  await manager.goto(`${url}/programmes/1`);
  assert.match(await manager.locator('#invitations').innerText(), /\d+ invited, 1 signed in through their invitation/);
  await shot(manager, 'programme-invitations');
  await manager.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fitsSideways(manager), 'the programme page with its invitation form fits a phone');
  await shot(manager, 'programme-invitations-phone');
});

test('a sign-in link signs in once, from the log-in page', async () => {
  const { url, senior } = session.upward;
  const page = await freshPage();
  await page.goto(`${url}/login`);
  await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
  await page.getByLabel('Your work email').fill(senior);
  await shot(page, 'sign-in-link');
  const before = session.upward.mailCount(senior);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

  const link = await session.upward.mailedLink(senior, before);
  assert.match(link, /^\/sign-in\//);
  await page.goto(`${url}${link}`);
  await shot(page, 'sign-in-link-page');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, / }).waitFor();

  const again = await freshPage();
  await again.goto(`${url}${link}`);
  await again.getByRole('heading', { name: 'This link no longer works' }).waitFor();
  assert.equal(await again.getByRole('link', { name: 'Email me a new sign-in link' }).count(), 1);
});

test('a forgotten password is replaced through a reset link', async () => {
  const { url, senior } = session.upward;
  const page = await freshPage();
  await page.goto(`${url}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Your work email').fill(senior);
  const before = session.upward.mailCount(senior);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

  const link = await session.upward.mailedLink(senior, before);
  assert.match(link, /^\/reset-password\//);
  await page.goto(`${url}${link}`);
  await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
  await page.getByLabel('Repeat the new password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Save the password and sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, / }).waitFor();

  const other = await freshPage();
  await other.goto(`${url}/login`);
  await other.getByLabel('Email').fill(senior);
  await other.getByLabel('Password').fill('a brand new passphrase');
  await other.getByRole('button', { name: 'Log in' }).click();
  await other.getByRole('heading', { name: /^Welcome, / }).waitFor();
});
