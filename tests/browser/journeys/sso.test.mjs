// Single sign-on through a real OpenID provider (oidc-provider from npm, on loopback): a person
// in the directory signs in with the provider's screens and lands signed in; someone outside the
// directory, and someone the identity provider deactivated over SCIM, are refused with a page
// that says why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, launchBrowser, logIn, shot, startUpward } from './server.mjs';
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider } from '../oidc-provider.mjs';

const session = {};

before(async () => {
  const upwardPort = await freePort();
  const base = `http://127.0.0.1:${upwardPort}`;
  session.provider = await startOidcProvider(await freePort(), base);
  session.upward = await startUpward({
    listen: `127.0.0.1:${upwardPort}`,
    env: { UPWARD_OIDC_ISSUER: session.provider.issuer, UPWARD_OIDC_CLIENT_ID: CLIENT_ID, UPWARD_OIDC_CLIENT_SECRET: CLIENT_SECRET },
  });
  session.browser = await launchBrowser();
});

after(async () => {
  await session.browser?.close();
  session.upward?.stop();
  await session.provider?.close();
});

const freshPage = async () => (await session.browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();

/// Signs in on the provider's development screens as `login`, from Upward's log-in page.
async function throughProvider(page, login) {
  await page.goto(`${session.upward.url}/login`);
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await page.waitForURL(new RegExp(`^${session.provider.issuer}`));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const consent = page.getByRole('button', { name: 'Continue' });
  await page.waitForURL((url) => url.href.startsWith(session.upward.url) || url.pathname.includes('/interaction/'));
  if (page.url().startsWith(session.provider.issuer)) await consent.click();
  await page.waitForURL((url) => url.href.startsWith(session.upward.url));
}

test('a person in the directory signs in through the OpenID provider', async () => {
  const page = await freshPage();
  await throughProvider(page, session.upward.junior);
  assert.equal(new URL(page.url()).pathname, '/');
  await page.getByRole('link', { name: 'Programmes' }).waitFor();
  assert.match(await page.locator('.who .role').innerText(), /Participant/);
  await shot(page, 'sso-signed-in');
});

test('someone outside the directory is refused with a page that says why', async () => {
  const page = await freshPage();
  await throughProvider(page, 'stranger@elsewhere.example');
  assert.match(await page.getByRole('alert').innerText(), /directory in Upward does not hold stranger@elsewhere\.example/);
  assert.match(await page.locator('body').innerText(), /Error 403/i);
  await shot(page, 'sso-refused');
});

test('a person deactivated over SCIM is refused, by the provider and by password', async () => {
  const { url, senior } = session.upward;
  // An admin makes a SCIM token on the Provisioning page, as for a real identity provider.
  const admin = await freshPage();
  await logIn(admin, url, 'admin@upward-demo.example');
  await admin.goto(`${url}/admin/provisioning`);
  await admin.getByLabel(/Label/).fill('Test IdP');
  await admin.getByRole('button', { name: 'Make a token' }).click();
  const token = (await admin.locator('code.secret').innerText()).trim();
  await shot(admin, 'provisioning-token');

  const scim = (path, init = {}) => fetch(`${url}/scim/v2${path}`, {
    ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
  });
  const found = await (await scim(`/Users?filter=${encodeURIComponent(`userName eq "${senior}"`)}`)).json();
  assert.equal(found.totalResults, 1);
  const patched = await scim(`/Users/${found.Resources[0].id}`, {
    method: 'PATCH',
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }),
  });
  assert.equal(patched.status, 200);

  const page = await freshPage();
  await throughProvider(page, senior);
  assert.match(await page.getByRole('alert').innerText(), /no longer lists them as active/);
  const password = await freshPage();
  await logIn(password, url, senior);
  assert.match(await password.getByRole('alert').innerText(), /email or password is wrong/);
});
