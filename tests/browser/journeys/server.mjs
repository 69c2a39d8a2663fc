// Starts the real `upward serve --demo` on a fresh SQLite file and a free port, with its mail
// going to a real SMTP server on loopback (smtp-server from npm) whose inbox the journeys read,
// and launches Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const root = resolve(import.meta.dirname, '..', '..', '..');
export const screenshots = join(root, 'target', 'screenshots');
mkdirSync(screenshots, { recursive: true });

/// An SMTP server on a free loopback port that keeps every message it receives.
async function startMailServer() {
  const inbox = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      // Decoded as a mail client would (quoted-printable, base64, charsets).
      simpleParser(stream).then((parsed) => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), subject: parsed.subject, text: parsed.text });
        done();
      }, done);
    },
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: server.server.address().port, inbox, close: () => server.close() };
}

/// A loopback port nobody is listening on (for a server whose address must be known first).
export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/// `listen` and `env` are for journeys that need Upward at a known address or with more
/// settings (single sign-on).
export async function startUpward({ listen = '127.0.0.1:0', env = {} } = {}) {
  const binary = process.env.UPWARD_BIN ?? join(root, 'target', 'debug', 'upward');
  const dir = mkdtempSync(join(tmpdir(), 'upward-browser-'));
  const mail = await startMailServer();
  const child = spawn(binary, ['serve', '--demo', '--listen', listen, '--database-url', `sqlite://${join(dir, 'upward.db')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, UPWARD_SMTP_HOST: '127.0.0.1', UPWARD_SMTP_PORT: String(mail.port), UPWARD_SMTP_SECURITY: 'none', ...env },
  });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`upward did not start:\n${log}`)), 60_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const found = log.match(/running at (http:\/\/[^/\s]+)\//);
      if (found) { clearTimeout(timer); ok(found[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`upward exited with ${code}:\n${log}`)); });
  });
  const junior = log.match(/junior participant (\S+)/)[1];
  const senior = log.match(/senior participant (\S+)/)[1];
  return {
    url,
    junior,
    senior,
    log: () => log,
    /// The path of the newest link to `url` mailed to `to` after `since` messages, waiting for
    /// the server's upkeep (every two seconds) to send it.
    async mailedLink(to, since = 0) {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const mine = mail.inbox.filter((m) => m.to.includes(to.toLowerCase()));
        if (mine.length > since) {
          const found = mine.at(-1).text.match(new RegExp(`${url.replace(/[.]/g, '\\.')}(/[^\\s]+)`));
          assert.ok(found, `the mail to ${to} holds a link:\n${mine.at(-1).text}`);
          return found[1];
        }
        await new Promise((ok) => setTimeout(ok, 200));
      }
      throw new Error(`no mail for ${to} arrived`);
    },
    mailCount: (to) => mail.inbox.filter((m) => m.to.includes(to.toLowerCase())).length,
    stop() { child.kill('SIGTERM'); mail.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A journey file's Upward and Chromium: started before its tests, stopped after them. The
// fields are filled in once `before` has run.
export function upwardInBrowser(options) {
  const session = {};
  before(async () => {
    session.upward = await startUpward(options);
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    session.upward?.stop();
  });
  return session;
}

// Evaluated through the DevTools protocol, which Upward's Content-Security-Policy (scripts
// from itself only) rightly does not let a page's own <script> do.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// Checks the page with axe-core (WCAG 2.1 A and AA rules) and fails on any violation, naming
/// each rule and the elements that break it.
export async function checkAccessibility(page, name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
  });
  assert.deepEqual(violations, [], `axe-core on ${name} (${page.url()})`);
}

/// A full-page screenshot under target/screenshots/, after checking the page with axe-core.
export async function shot(page, name) {
  await checkAccessibility(page, name);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

export async function logIn(page, url, email) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('upward-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
}
