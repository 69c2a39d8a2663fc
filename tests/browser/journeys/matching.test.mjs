// The pairing lifecycle in a browser: the manager runs matching on the demo programme and
// publishes it; both people of a pair accept; after the exploratory meeting both confirm; one
// ends the pairing; the manager re-matches the people left without a pairing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, shot, upwardInBrowser } from './server.mjs';

const session = upwardInBrowser();

/// A fresh browser context, logged in as `email`.
async function as(email) {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, session.upward.url, email);
  return page;
}

/// Presses one of the pairing's buttons on the home page and waits for the page it leads back to.
async function press(page, pairingId, button) {
  await page.goto(`${session.upward.url}/`);
  await page.locator(`#pairing-${pairingId}`).getByRole('button', { name: button }).click();
  await page.waitForURL(/#pairing-/);
}

test('a manager runs and publishes matching, a pair accepts, confirms and ends, and the manager re-matches', async () => {
  const manager = await as('manager@upward-demo.example');
  await manager.goto(`${session.upward.url}/programmes/1`);
  await manager.getByLabel('Move to phase').selectOption('matching');
  await manager.getByRole('button', { name: 'Move' }).click();
  await manager.getByRole('button', { name: 'Run matching' }).click();

  // The run page reloads itself until the run is done.
  const publish = manager.getByRole('button', { name: /^Publish \d+ pairs?$/ });
  await publish.waitFor({ timeout: 30_000 });
  assert.match(await manager.locator('main').innerText(), /Mentees matched/);
  assert.ok(await manager.locator('ul.why').count() > 0, 'every pair is explained');
  await shot(manager, 'matching-run');
  await manager.setViewportSize({ width: 390, height: 844 });
  const overflow = await manager.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the run page scrolls sideways by ${overflow}px on a phone`);
  await shot(manager, 'matching-run-phone');
  await manager.setViewportSize({ width: 1100, height: 900 });
  await publish.click();
  // Publishing mails everyone in the run: it asks first.
  await manager.getByRole('heading', { name: /^Publish \d+ pairs?\?$/ }).waitFor();
  await shot(manager, 'publish-confirm');
  await manager.getByRole('button', { name: /^Publish and mail \d+ people$/ }).click();
  await manager.getByRole('heading', { name: 'Pairings' }).waitFor();
  assert.match(await manager.getByRole('status').first().innerText(), /The run is published/);
  await shot(manager, 'pairings');
  const sideways = await manager.$eval('.table-wrap', (table) => table.scrollWidth - table.clientWidth);
  assert.ok(sideways <= 1, `the pairings table scrolls sideways by ${sideways}px at 1,100 px`);

  // The first pair on the list.
  const row = manager.locator('tbody tr').first();
  const [mentorEmail, menteeEmail] = await Promise.all([
    row.locator('td').nth(0).locator('.hint').innerText(),
    row.locator('td').nth(1).locator('.hint').innerText(),
  ]);

  const mentee = await as(menteeEmail);
  const card = mentee.locator('article.pairing').first();
  await card.waitFor();
  const pairingId = (await card.getAttribute('id')).replace('pairing-', '');
  assert.match(await card.innerText(), /Proposed: please accept or decline/);
  await shot(mentee, 'proposal');
  await press(mentee, pairingId, 'Accept');

  const mentor = await as(mentorEmail);
  await press(mentor, pairingId, 'Accept');
  assert.match(await mentor.locator(`#pairing-${pairingId}`).innerText(), /hold an exploratory meeting/);

  await press(mentor, pairingId, 'Confirm after the exploratory meeting');
  await press(mentee, pairingId, 'Confirm after the exploratory meeting');
  assert.match(await mentee.locator(`#pairing-${pairingId}`).innerText(), /Active/i);

  // The mentor leaves, without penalty; the mentee sees only that it ended.
  await mentor.goto(`${session.upward.url}/`);
  await mentor.locator(`#pairing-${pairingId}`).getByLabel(/Why\?/).fill('changing teams');
  await mentor.locator(`#pairing-${pairingId}`).getByRole('button', { name: 'End the pairing' }).click();
  // Ending cannot be undone: it asks first.
  await mentor.getByRole('heading', { name: /^End the pairing with .+\?$/ }).waitFor();
  await shot(mentor, 'end-confirm');
  await mentor.getByRole('button', { name: 'End the pairing' }).click();
  await mentor.waitForURL(/#pairing-/);
  assert.match(await mentor.getByRole('status').first().innerText(), /The pairing has ended/);
  await mentee.reload();
  const ended = await mentee.locator(`#pairing-${pairingId}`).innerText();
  assert.match(ended, /Ended/);
  assert.doesNotMatch(ended, /changing teams/);

  // The manager sees why, and re-matches the people left without a pairing.
  await manager.reload();
  assert.match(await manager.locator('main').innerText(), /changing teams/);
  await manager.getByRole('button', { name: 'Re-match the people without a pairing' }).click();
  await manager.getByRole('heading', { name: /Matching run/ }).waitFor();
  await manager.getByText('Re-match: live pairings were kept as they are').waitFor({ timeout: 30_000 });
  await shot(manager, 'rematch');
  for (const page of [manager, mentee, mentor]) await page.close();
});
