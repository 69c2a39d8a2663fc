// A real OpenID provider on loopback for single sign-on tests: `oidc-provider` from npm (a
// certified OpenID Connect implementation) with one client for Upward and its development
// sign-in screens, where any login name is accepted. A login that is an email address is that
// person's verified email; `unverified:<email>` gives an email the provider does not vouch for.
//
// As a script: node tests/browser/oidc-provider.mjs PORT UPWARD_BASE_URL
// (then run Upward with UPWARD_OIDC_ISSUER=http://127.0.0.1:PORT UPWARD_OIDC_CLIENT_ID=upward
// UPWARD_OIDC_CLIENT_SECRET=upward-test-secret).
import Provider from 'oidc-provider';

export const CLIENT_ID = 'upward';
export const CLIENT_SECRET = 'upward-test-secret';

export async function startOidcProvider(port, upwardBaseUrl) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${upwardBaseUrl}/sso/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const unverified = id.startsWith('unverified:');
      const email = unverified ? id.slice('unverified:'.length) : id;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email, email_verified: !unverified, name: email.split('@')[0] };
        },
      };
    },
    cookies: { keys: ['upward-test-only-cookie-key'] },
  });
  // The provider's development screens are plain HTTP on loopback: allow that.
  provider.proxy = false;
  const server = await new Promise((ok) => {
    const s = provider.listen(port, '127.0.0.1', () => ok(s));
  });
  return { issuer, close: () => new Promise((ok) => server.close(ok)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, base] = process.argv.slice(2);
  if (!port || !base) {
    console.error('usage: node oidc-provider.mjs PORT UPWARD_BASE_URL');
    process.exit(2);
  }
  const { issuer } = await startOidcProvider(Number(port), base);
  console.error(`OpenID provider at ${issuer} (client ${CLIENT_ID}, secret ${CLIENT_SECRET})`);
}
