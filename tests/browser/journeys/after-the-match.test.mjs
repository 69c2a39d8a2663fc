// After the match, in a browser: a pair that has confirmed its pairing signs its agreement,
// writes a learning goal, accepts the proposed schedule, subscribes to its calendar feed
// (fetched over HTTP like a calendar app), records the exploratory meeting it held and logs
// cancellations; the manager sees the pairing flagged on the programme page as soon as the
// mentee keeps cancelling, with the reason in words, and the goals only as figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIn, shot, upwardInBrowser } from './server.mjs';

const session = upwardInBrowser();

async function as(email) {
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, session.upward.url, email);
  return page;
}

async function press(page, pairingId, button) {
  await page.goto(`${session.upward.url}/`);
  await page.locator(`#pairing-${pairingId}`).getByRole('button', { name: button }).click();
  await page.waitForURL(/#pairing-/);
}

/// Now, to the minute, as a `datetime-local` value in the IANA zone `zone`.
function localNow(zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

test('a pair signs, sets a goal, settles its schedule, subscribes, logs its meetings, and the manager sees it drift', async () => {
  const url = session.upward.url;
  const manager = await as('manager@upward-demo.example');
  await manager.goto(`${url}/programmes/1`);
  await manager.getByLabel('Move to phase').selectOption('matching');
  await manager.getByRole('button', { name: 'Move' }).click();
  await manager.getByRole('button', { name: 'Run matching' }).click();
  await manager.getByRole('button', { name: /^Publish \d+ pairs?$/ }).click({ timeout: 30_000 });
  await manager.getByRole('button', { name: /^Publish and mail \d+ people$/ }).click();
  await manager.getByRole('heading', { name: 'Pairings' }).waitFor();
  const row = manager.locator('tbody tr').first();
  const [mentorEmail, menteeEmail] = await Promise.all([
    row.locator('td').nth(0).locator('.hint').innerText(),
    row.locator('td').nth(1).locator('.hint').innerText(),
  ]);

  const mentee = await as(menteeEmail);
  const mentor = await as(mentorEmail);
  const pairingId = (await mentee.locator('article.pairing').first().getAttribute('id')).replace('pairing-', '');
  for (const step of ['Accept', 'Confirm after the exploratory meeting']) {
    await press(mentee, pairingId, step);
    await press(mentor, pairingId, step);
  }

  // The mentee opens the pairing and reads the proposal in their own time.
  await mentee.goto(`${url}/`);
  await mentee.locator(`#pairing-${pairingId}`).getByRole('link', { name: 'Your schedule, meetings and calendar' }).click();
  await mentee.getByRole('heading', { name: 'Your proposed schedule' }).waitFor();
  await shot(mentee, 'schedule-proposal');

  // The agreement, read and signed by both.
  assert.match(await mentee.locator('#agreement').innerText(), /Permission to interrupt and correct/);
  await mentee.getByRole('button', { name: 'I have read it and sign it' }).click();
  assert.match(await mentee.getByRole('status').first().innerText(), /You signed the agreement/);
  await mentor.goto(`${url}/pairings/${pairingId}`);
  await mentor.getByRole('button', { name: 'I have read it and sign it' }).click();
  assert.match(await mentor.locator('#agreement').innerText(), /You have both signed/);

  // A learning goal, then its progress.
  await mentee.reload();
  await mentee.getByLabel('What the mentee wants to learn').fill('Draft board papers with an AI assistant');
  await mentee.getByLabel(/Why it matters/).fill('Half my week goes on writing');
  await mentee.getByRole('button', { name: 'Add the goal' }).click();
  assert.match(await mentee.getByRole('status').first().innerText(), /The goal is added/);
  await mentee.locator('#goals').getByRole('link', { name: /Update/ }).click();
  await mentee.getByLabel('Progress (%)').fill('30');
  await shot(mentee, 'goal');
  await mentee.setViewportSize({ width: 390, height: 844 });
  await shot(mentee, 'goal-phone');
  await mentee.setViewportSize({ width: 1280, height: 900 });
  await mentee.getByRole('button', { name: 'Save' }).click();
  assert.match(await mentee.locator('#goals').innerText(), /Draft board papers with an AI assistant[\s\S]*30%/);
  // The mentee cannot make the second meeting: skipping it changes the series, which they
  // accept as changed.
  await mentee.getByText('Skip or move one meeting').click();
  await mentee.getByLabel('Meeting', { exact: true }).selectOption({ index: 1 });
  await mentee.getByLabel('Skip it').check();
  await mentee.getByRole('button', { name: 'Change the series' }).click();
  assert.match(await mentee.getByRole('status').first().innerText(), /The series is changed/);
  assert.match(await mentee.locator('#schedule').innerText(), /You accepted this schedule/);

  await mentor.goto(`${url}/pairings/${pairingId}`);
  assert.match(await mentor.locator('#schedule').innerText(), /accepted this schedule\. Accept it too/);
  await mentor.getByRole('button', { name: 'Accept this schedule' }).click();
  assert.match(await mentor.getByRole('status').first().innerText(), /Your schedule is settled/);
  const meetings = mentor.locator('#meetings tbody tr');
  assert.ok(await meetings.count() > 3, 'the meetings exist once both accepted');
  await shot(mentor, 'meetings');

  // The calendar feed, fetched over HTTP as a calendar app would, with no session.
  await mentee.reload();
  const feedUrl = await mentee.getByLabel('Your calendar feed').inputValue();
  const feed = await fetch(feedUrl);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  const ics = await feed.text();
  assert.equal((ics.match(/BEGIN:VEVENT/g) ?? []).length, await meetings.count());

  // The exploratory meeting they held, recorded now in the mentee's own time.
  const zone = (await mentee.locator('#meetings tbody tr').first().locator('td').first().innerText()).match(/\(([^)]+)\)/)[1];
  await mentee.getByLabel(/When it started/).fill(localNow(zone));
  await mentee.getByLabel('Minutes').fill('45');
  await mentee.getByLabel(/^Topics/).fill('AI at work, reverse mentoring');
  await mentee.getByLabel(/^Notes/).fill('A good start. Private to us.');
  await mentee.getByRole('button', { name: 'Record the meeting' }).click();
  assert.match(await mentee.getByRole('status').first().innerText(), /The meeting is recorded/);
  assert.match(await mentee.locator('#meetings').innerText(), /Held, 45 minutes/);

  // The senior mentee calls off the next three meetings, one by one.
  for (let k = 0; k < 3; k += 1) {
    await mentee.locator('#meetings tbody tr').filter({ hasText: 'Scheduled' }).first().getByRole('link', { name: /Log or cancel/ }).click();
    await mentee.getByRole('heading', { name: 'Log a meeting' }).waitFor();
    if (k === 0) await shot(mentee, 'log-meeting');
    await mentee.getByLabel(/It is cancelled/).check();
    await mentee.getByLabel('I called it off').check();
    await mentee.getByLabel(/^Notes/).fill('Board offsite, sorry.');
    await mentee.getByRole('button', { name: 'Save' }).click();
    assert.match(await mentee.getByRole('status').first().innerText(), /outcome is saved/);
  }
  assert.equal(await mentee.locator('#meetings tbody tr').filter({ hasText: 'Cancelled by the mentee' }).count(), 3);
  // Held before it starts is refused, with what to do instead.
  await mentee.locator('#meetings tbody tr').filter({ hasText: 'Scheduled' }).first().getByRole('link', { name: /Log or cancel/ }).click();
  await mentee.getByLabel('We held it').check();
  await mentee.getByRole('button', { name: 'Save' }).click();
  assert.match(await mentee.getByRole('alert').first().innerText(), /cannot be logged as held before it starts; cancel it instead/);

  // The subscribed calendar hears of the cancellations.
  const updated = await (await fetch(feedUrl)).text();
  assert.equal((updated.match(/STATUS:CANCELLED/g) ?? []).length, 3);

  // The manager sees the pair first on the programme page, with which side is drifting, and
  // never the pair's notes.
  await manager.goto(`${url}/programmes/1`);
  const attention = manager.locator('#attention');
  await attention.waitFor();
  const flagged = await attention.innerText();
  assert.match(flagged, /Stalled/);
  assert.match(flagged, /the mentee cancelled 3 of the last 4/);
  assert.doesNotMatch(await manager.content(), /Board offsite|Private to us|Draft board papers/);
  assert.match(await manager.locator('main').innerText(), /1 learning goal written by 1 pair: 0 achieved, 0 partly, 0 not achieved, 1 open \(30% on average\)/);
  await shot(manager, 'needs-attention');
  await manager.getByRole('link', { name: 'The agreement pairs sign' }).click();
  await manager.getByRole('heading', { name: 'The agreement' }).waitFor();
  await shot(manager, 'agreement-edit');
  await manager.setViewportSize({ width: 390, height: 844 });
  const agreementOverflow = await manager.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(agreementOverflow <= 1, `the agreement page scrolls sideways by ${agreementOverflow}px on a phone`);
  await shot(manager, 'agreement-edit-phone');

  await mentee.setViewportSize({ width: 390, height: 844 });
  await mentee.goto(`${url}/pairings/${pairingId}`);
  const overflow = await mentee.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the pairing page scrolls sideways by ${overflow}px on a phone`);
  await shot(mentee, 'pairing-phone');
  for (const page of [manager, mentee, mentor]) await page.close();
});
