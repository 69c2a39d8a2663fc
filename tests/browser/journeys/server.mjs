// Starts the real `upward serve --demo` on a fresh SQLite file and a free port, and launches
// Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..', '..');
export const screenshots = join(root, 'target', 'screenshots');
mkdirSync(screenshots, { recursive: true });

export async function startUpward() {
  const binary = process.env.UPWARD_BIN ?? join(root, 'target', 'debug', 'upward');
  const dir = mkdtempSync(join(tmpdir(), 'upward-browser-'));
  const child = spawn(binary, ['serve', '--demo', '--listen', '127.0.0.1:0', '--database-url', `sqlite://${join(dir, 'upward.db')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
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
  return {
    url,
    junior,
    log: () => log,
    stop() { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
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
export function upwardInBrowser() {
  const session = {};
  before(async () => {
    session.upward = await startUpward();
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    session.upward?.stop();
  });
  return session;
}

/// A full-page screenshot under target/screenshots/.
export const shot = (page, name) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

export async function logIn(page, url, email) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('upward-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
}
