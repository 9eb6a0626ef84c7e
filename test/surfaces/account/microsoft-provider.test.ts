// Microsoft Entra ID's multi-tenant issuer through --kind oidc: the provider is configured with Microsoft's real
// issuer https://login.microsoftonline.com/common/v2.0, and the test server's fetch sends what Gatehouse asks of
// login.microsoftonline.com to a local server that answers as Microsoft's v2.0 endpoints document (these
// machines reach no provider): /common/v2.0/.well-known/openid-configuration naming the issuer template
// https://login.microsoftonline.com/{tenantid}/v2.0, /common/oauth2/v2.0/token, /common/discovery/v2.0/keys.
// Its id_tokens carry `iss` (the person's own tenant's issuer), `tid`, `oid`, a `sub` pairwise per app, an
// `email` and `preferred_username`. The browser's visit to Microsoft is played without Chromium: the state and
// nonce are read from the authorization URL Gatehouse redirects to, and Gatehouse's callback is called with a
// code the fake then exchanges, by a browser without JavaScript that keeps Gatehouse's cookies.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { FormBrowser } from '../../helpers/form-browser.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { registerAndLogin } from '../../helpers/users.ts';

const MICROSOFT = 'https://login.microsoftonline.com';
const CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
const TENANT_A = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TENANT_B = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
/** The tenant of personal Microsoft accounts: `consumers` discovers its issuer. */
const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad';
const tenantIssuer = (tid: string) => `${MICROSOFT}/${tid}/v2.0`;

/** What an id_token of the fake Microsoft says; `undefined` leaves a claim out. */
type Claims = Record<string, unknown>;

let n = 0;
/** A person in a tenant: the same `oid` for every app of that tenant, a `sub` that differs per app registration. */
function person(tid: string, extra: Claims = {}): Claims {
  n += 1;
  const email = `person-${process.pid}-${n}@contoso.example`;
  return { tid, iss: tenantIssuer(tid), oid: randomUUID(), sub: `pairwise-${randomUUID()}`, email, preferred_username: email, name: `Person ${n}`, ...extra };
}

describe('Microsoft Entra ID through the multi-tenant `common` issuer (--kind oidc)', () => {
  let microsoft: Server;
  let local: string;
  let gatehouse: TestServer;
  let sign: (claims: Claims, nonce: string) => Promise<string>;
  /** The codes the fake Microsoft handed out: the id_token's claims, the nonce and the PKCE challenge of their request. */
  const codes = new Map<string, { claims: Claims; nonce: string; challenge: string }>();
  const asked: string[] = [];
  /** The token endpoint signs the next id_token with a key its JWKS does not publish (a forged token). */
  let forge = false;
  let signForged: (claims: Claims, nonce: string) => Promise<string>;

  before(async () => {
    const key = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(key.publicKey)), kid: 'ms-key-1', use: 'sig', issuer: `${MICROSOFT}/{tenantid}/v2.0` };
    sign = (claims, nonce) => {
      const now = Math.floor(Date.now() / 1000);
      const payload: Claims = { aud: CLIENT_ID, iat: now, nbf: now, exp: now + 3600, nonce, ver: '2.0', ...claims };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: 'ms-key-1' }).sign(key.privateKey);
    };
    const stranger = await generateKeyPair('RS256');
    signForged = (claims, nonce) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ aud: CLIENT_ID, iat: now, nbf: now, exp: now + 3600, nonce, ver: '2.0', ...claims })
        .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: 'ms-key-1' })
        .sign(stranger.privateKey);
    };
    microsoft = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', MICROSOFT);
      asked.push(`${req.method} ${url.pathname}`);
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      // `common`, `consumers`, or one tenant by its id: each is its own issuer's discovery and endpoints under its own path.
      const tenant = /^\/(common|consumers|[0-9a-f-]{36})\//.exec(url.pathname)?.[1];
      if (tenant && url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`)
        return json(200, {
          token_endpoint: `${MICROSOFT}/${tenant}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          jwks_uri: `${MICROSOFT}/${tenant}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          issuer: tenant === 'common' ? `${MICROSOFT}/{tenantid}/v2.0` : tenantIssuer(tenant === 'consumers' ? CONSUMERS : tenant),
          request_uri_parameter_supported: false,
          userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
          authorization_endpoint: `${MICROSOFT}/${tenant}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${MICROSOFT}/${tenant}/oauth2/v2.0/logout`,
          claims_supported: [
            'sub',
            'iss',
            'aud',
            'exp',
            'iat',
            'auth_time',
            'acr',
            'nonce',
            'preferred_username',
            'name',
            'tid',
            'ver',
            'at_hash',
            'c_hash',
            'email',
          ],
          cloud_instance_name: 'microsoftonline.com',
        });
      if (tenant && url.pathname === `/${tenant}/discovery/v2.0/keys`) return json(200, { keys: [jwk] });
      if (tenant && url.pathname === `/${tenant}/oauth2/v2.0/token` && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const form = new URLSearchParams(body);
        // client_secret_basic: the id and secret form-encoded (RFC 6749 2.3.1), then base64.
        const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
          .toString()
          .split(':')
          .map((part) => decodeURIComponent(part.replaceAll('+', ' ')));
        if (id !== CLIENT_ID || secret !== 'ms-secret')
          return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!code || form.get('grant_type') !== 'authorization_code' || createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
          return json(400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.' });
        return json(200, {
          token_type: 'Bearer',
          scope: 'openid profile email',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik',
          id_token: await (forge ? signForged : sign)(code.claims, code.nonce),
        });
      }
      return json(404, { error: 'invalid_request' });
    });
    await new Promise<void>((resolve) => microsoft.listen(0, '127.0.0.1', resolve));
    local = `http://127.0.0.1:${(microsoft.address() as AddressInfo).port}`;
    gatehouse = await startTestServer({
      // Everything Gatehouse asks of login.microsoftonline.com reaches the fake; the path and query are kept.
      upstreamFetch: (url, init) => (url.startsWith(`${MICROSOFT}/`) ? fetch(`${local}${url.slice(MICROSOFT.length)}`, init) : fetch(url, init)),
    });
    await addMicrosoft('microsoft', 'Microsoft', `${MICROSOFT}/common/v2.0`);
  });
  after(async () => {
    await gatehouse?.close();
    await new Promise((resolve) => microsoft?.close(resolve));
  });

  /** A Microsoft provider as an operator adds it with `gatehouse providers add --kind oidc` (one app registration). */
  async function addMicrosoft(id: string, name: string, issuer: string, more: { domains?: string[] } = {}) {
    await gatehouse.core.identities.add({ id, kind: 'oidc', name, issuer, clientId: CLIENT_ID, clientSecret: 'ms-secret', ...more });
  }

  /**
   * From /account's "Continue with Microsoft" to Gatehouse's callback: Microsoft (played here) signs the person
   * in and sends the browser back with a code for an id_token of these claims (its nonce the request's).
   * Returns the browser at the page the callback ends on.
   */
  async function viaMicrosoft(claims: Claims, provider = 'microsoft', tenant = 'common'): Promise<FormBrowser> {
    const browser = new FormBrowser(gatehouse.url);
    await browser.request('GET', '/account?lang=en');
    const button = new RegExp(`href="([^"]*/account/idp/${provider}\\?[^"]*)"`).exec(browser.page)?.[1];
    assert.ok(button, `the sign-in page has the ${provider} button`);
    await browser.request('GET', button.replaceAll('&amp;', '&'));
    assert.equal(browser.status, 303);
    const authorize = new URL(browser.location!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${MICROSOFT}/${tenant}/oauth2/v2.0/authorize`, "the browser is sent to Microsoft's endpoint");
    assert.equal(authorize.searchParams.get('client_id'), CLIENT_ID);
    const code = `0.A${randomUUID()}`;
    codes.set(code, { claims, nonce: authorize.searchParams.get('nonce')!, challenge: authorize.searchParams.get('code_challenge')! });
    const back = new URL(authorize.searchParams.get('redirect_uri')!);
    await browser.request('GET', `${back.pathname}?${new URLSearchParams({ code, state: authorize.searchParams.get('state')!, session_state: randomUUID() })}`);
    return browser;
  }

  const heading = (browser: FormBrowser) => /<h1[^>]*>([^<]*)</.exec(browser.page)?.[1]?.trim();
  const refused = (browser: FormBrowser, what: string) => {
    assert.equal(browser.status, 400, `${what}: ${browser.page.slice(0, 200)}`);
    assert.match(browser.page, /could not be completed/, what);
  };
  const account = async (email: unknown) => gatehouse.core.accounts.findByEmail(String(email));

  test("a person of tenant A signs in through `common`: an account keyed by A's issuer and the oid, its email not verified even when a claim says so; Microsoft's discovery and token endpoints were asked", async () => {
    const ada = person(TENANT_A, { email_verified: true });
    const browser = await viaMicrosoft(ada);
    assert.equal(heading(browser), 'Your account');
    const made = await account(ada.email);
    assert.ok(made, 'an account with the email Microsoft gave');
    assert.equal(made.isEmailVerified, false, "Microsoft's email is never verified");
    const identities = await gatehouse.core.identities.identitiesOf(made.id);
    assert.deepEqual(
      identities.map((i) => [i.issuer, i.subject, i.emailVerified]),
      [[tenantIssuer(TENANT_A), ada.oid, false]],
      "keyed by the tenant's issuer and the oid, not the pairwise sub",
    );
    for (const endpoint of ['GET /common/v2.0/.well-known/openid-configuration', 'POST /common/oauth2/v2.0/token'])
      assert.ok(asked.includes(endpoint), endpoint);
  });

  test('the same person through another app registration (another sub, the same tid and oid) returns to the same account', async () => {
    const ada = person(TENANT_A);
    assert.equal(heading(await viaMicrosoft(ada)), 'Your account');
    const made = (await account(ada.email))!;
    const otherApp = { ...ada, sub: `pairwise-${randomUUID()}` };
    assert.equal(heading(await viaMicrosoft(otherApp)), 'Your account');
    const again = (await account(ada.email))!;
    assert.equal(again.id, made.id, 'the same account');
    assert.equal(again.loginCount, 2);
    assert.equal((await gatehouse.core.identities.identitiesOf(made.id)).length, 1, 'one identity');
  });

  test("the same oid in another tenant is another identity: it does not sign in as tenant A's account", async () => {
    const inA = person(TENANT_A);
    assert.equal(heading(await viaMicrosoft(inA)), 'Your account');
    const a = (await account(inA.email))!;
    const inB = person(TENANT_B, { oid: inA.oid });
    assert.equal(heading(await viaMicrosoft(inB)), 'Your account');
    const b = (await account(inB.email))!;
    assert.notEqual(b.id, a.id, 'another account');
    assert.equal((await gatehouse.core.accounts.findById(a.id))!.loginCount, 1, "A's account was not signed in");
    assert.deepEqual(
      (await gatehouse.core.identities.identitiesOf(b.id)).map((i) => [i.issuer, i.subject]),
      [[tenantIssuer(TENANT_B), inA.oid]],
    );
  });

  test('an id_token whose iss names tenant B while its tid says A is refused with a page; so is one without tid', async () => {
    const a = person(TENANT_A);
    const lying = { ...a, iss: tenantIssuer(TENANT_B) };
    refused(await viaMicrosoft(lying), 'iss of B, tid of A');
    refused(await viaMicrosoft({ ...a, tid: undefined }), 'no tid');
    assert.equal(await account(a.email), null, 'no account was made');
  });

  test("an id_token from the token endpoint signed by a key not in Microsoft's JWKS is refused with a page (the signature is checked, not only TLS)", async () => {
    const a = person(TENANT_A);
    forge = true;
    try {
      refused(await viaMicrosoft(a), 'a forged signature');
    } finally {
      forge = false;
    }
    assert.equal(await account(a.email), null, 'no account was made');
  });

  test('an id_token without oid is refused with a page (the sub is not taken in its place)', async () => {
    const a = person(TENANT_A, { oid: undefined });
    refused(await viaMicrosoft(a), 'no oid');
    assert.equal(await account(a.email), null, 'no account was made');
  });

  test("Microsoft's email of an existing Gatehouse account links nothing: the person must prove the account; not signed in as it", async () => {
    const owner = person(TENANT_A);
    await registerAndLogin(gatehouse.http, String(owner.email));
    const held = (await account(owner.email))!;
    const browser = await viaMicrosoft(owner);
    assert.equal(browser.status, 200);
    assert.equal(heading(browser), 'Sign in to your account', 'the sign-in page, asking for the account');
    assert.match(browser.page, /already exists/);
    assert.deepEqual(await gatehouse.core.identities.identitiesOf(held.id), [], 'nothing linked');
    assert.equal((await gatehouse.core.accounts.findById(held.id))!.loginCount, 1, 'not signed in by Microsoft');
    const nativeAnswer = await gatehouse.http('POST', '/api/v1/auth/idp/microsoft/token', { body: { id_token: await sign(owner, 'n-1'), nonce: 'n-1' } });
    assert.equal(nativeAnswer.status, 409, nativeAnswer.text);
    assert.equal(nativeAnswer.body.access_token, undefined);
  });

  test("the native endpoint takes a `common` id_token (checked with Microsoft's keys) whose iss is its tid's, keyed as the page's sign-in; refuses a mismatched one", async () => {
    const native = (claims: Claims) =>
      sign(claims, 'the-nonce').then((id_token) => gatehouse.http('POST', '/api/v1/auth/idp/microsoft/token', { body: { id_token, nonce: 'the-nonce' } }));
    const ada = person(TENANT_A);
    assert.equal(heading(await viaMicrosoft(ada)), 'Your account');
    const made = (await account(ada.email))!;
    const signedIn = await native({ ...ada, sub: `pairwise-${randomUUID()}` });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.ok(signedIn.body.access_token);
    assert.equal(signedIn.body.user.username, made.username, 'the account the page made: keyed by tid and oid');
    assert.ok(asked.includes('GET /common/discovery/v2.0/keys'), "verified with Microsoft's keys");

    const grace = person(TENANT_B);
    for (const [what, claims] of [
      ['iss of A, tid of B', { ...grace, iss: tenantIssuer(TENANT_A) }],
      ['no tid (iss as the template would make it of none)', { ...grace, tid: undefined, iss: tenantIssuer('undefined') }],
      ['no oid', { ...grace, oid: undefined }],
      ['an issuer of another origin', { ...grace, iss: `https://sts.example.com/${TENANT_B}/v2.0` }],
    ] as const) {
      const answer = await native(claims);
      assert.equal(answer.status, 400, `${what}: ${answer.text}`);
      assert.equal(answer.body.access_token, undefined, what);
    }
    assert.equal(await account(grace.email), null, 'no account was made');
    const right = await native(grace);
    assert.equal(right.status, 200, right.text);
    const made2 = (await account(grace.email))!;
    assert.deepEqual(
      (await gatehouse.core.identities.identitiesOf(made2.id)).map((i) => [i.issuer, i.subject]),
      [[tenantIssuer(TENANT_B), grace.oid]],
    );
  });

  test('--domain admits nobody through Microsoft: its email is never verified', async () => {
    await addMicrosoft('microsoft-corp', 'Microsoft (Contoso)', `${MICROSOFT}/common/v2.0`, { domains: ['contoso.example'] });
    const ada = person(TENANT_A);
    const id_token = await sign(ada, 'the-nonce');
    const answer = await gatehouse.http('POST', '/api/v1/auth/idp/microsoft-corp/token', { body: { id_token, nonce: 'the-nonce' } });
    assert.equal(answer.status, 403, answer.text);
    assert.equal(await account(ada.email), null, 'no account was made');
    await gatehouse.core.identities.remove('microsoft-corp');
  });

  test("one tenant's issuer (a GUID): its people are keyed as through `common` (the same account), another tenant's are refused, an id_token without tid is refused", async () => {
    await addMicrosoft('contoso', 'Contoso', tenantIssuer(TENANT_A));
    const ada = person(TENANT_A);
    assert.equal(heading(await viaMicrosoft(ada)), 'Your account');
    const made = (await account(ada.email))!;
    assert.equal(heading(await viaMicrosoft({ ...ada, sub: `pairwise-${randomUUID()}` }, 'contoso', TENANT_A)), 'Your account');
    assert.equal((await account(ada.email))!.loginCount, 2, 'the account `common` made: the same iss and oid');
    const grace = person(TENANT_B);
    refused(await viaMicrosoft(grace, 'contoso', TENANT_A), "another tenant's person");
    assert.equal(await account(grace.email), null, 'no account was made');
    // One tenant's issuer is checked as any issuer (openid-client, jose): only the tid rule refuses this one.
    const nobody = person(TENANT_A, { tid: undefined });
    const noTid = await gatehouse.http('POST', '/api/v1/auth/idp/contoso/token', { body: { id_token: await sign(nobody, 'the-nonce'), nonce: 'the-nonce' } });
    assert.equal(noTid.status, 400, noTid.text);
    assert.equal(await account(nobody.email), null, 'no account was made');
    assert.equal((await gatehouse.core.accounts.findById(made.id))!.loginCount, 2);
    await gatehouse.core.identities.remove('contoso');
  });

  test("`consumers` (personal Microsoft accounts): its issuer is the consumer tenant's; a personal account signs in, on the page and natively, keyed by that issuer and the oid; a work account is refused", async () => {
    await addMicrosoft('msa', 'Microsoft account', `${MICROSOFT}/consumers/v2.0`);
    const personal = person(CONSUMERS);
    assert.equal(heading(await viaMicrosoft(personal, 'msa', 'consumers')), 'Your account');
    const made = (await account(personal.email))!;
    assert.deepEqual(
      (await gatehouse.core.identities.identitiesOf(made.id)).map((i) => [i.issuer, i.subject]),
      [[tenantIssuer(CONSUMERS), personal.oid]],
    );
    const native = await gatehouse.http('POST', '/api/v1/auth/idp/msa/token', {
      body: { id_token: await sign({ ...personal, sub: `pairwise-${randomUUID()}` }, 'the-nonce'), nonce: 'the-nonce' },
    });
    assert.equal(native.status, 200, native.text);
    assert.equal(native.body.user.username, made.username);
    const work = person(TENANT_A);
    refused(await viaMicrosoft(work, 'msa', 'consumers'), 'a work account through consumers');
    assert.equal(await account(work.email), null);
    await gatehouse.core.identities.remove('msa');
  });
});
