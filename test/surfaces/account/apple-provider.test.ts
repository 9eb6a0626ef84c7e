// --kind apple against a local server that answers as Apple documents Sign in with Apple for the web
// (these machines reach no provider): /.well-known/openid-configuration, /auth/authorize with
// response_mode=form_post (a page that POSTs code, state and — on the person's first sign-in only — the `user`
// JSON with the name to the redirect URI, cross-site: Apple is served on localhost, Gatehouse on 127.0.0.1),
// /auth/token (client_secret_post, the client secret a JWT it verifies with the team key's public key; its
// 400 {"error": "invalid_grant"} for a bad code), /auth/keys (the JWKS the id_token is signed with). The
// id_token carries email_verified and is_private_email as the strings Apple sends.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { chromiumPath } from '../../helpers/browser.ts';
import { type ProviderBed, pressProvider, startProviderBed } from '../../helpers/provider-bed.ts';
import type { TestServer } from '../../helpers/test-server.ts';

const executablePath = chromiumPath();
const TEAM = 'TEAM123456';
const KEY_ID = 'KEY7654321';
const SERVICES_ID = 'com.example.gatehouse.web';

describe('--kind apple', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let apple: Server;
  let issuer: string;
  let bed: ProviderBed;
  let gatehouse: TestServer;
  /** What the fake Apple does next: approve, hand out a code it then refuses, or the person cancels. */
  let next: 'approve' | 'bad-code' | 'cancel' = 'approve';
  /** Apple sends the `user` field the first time a person signs in to this app only. */
  const signedInBefore = new Set<string>();
  const codes = new Map<string, { nonce: string; sub: string }>();
  const secrets: Array<{ header: Record<string, unknown>; claims: Record<string, unknown> }> = [];
  const seen: { responseMode?: string; scope?: string; challenge?: string | null } = {};
  const person = { sub: '001234.abcdef0123456789.1234', email: 'x7dk2@privaterelay.appleid.com' };

  before(async () => {
    const teamKey = await generateKeyPair('ES256', { extractable: true });
    const appleKey = await generateKeyPair('RS256', { extractable: true });
    const appleJwk = { ...(await exportJWK(appleKey.publicKey)), kid: 'apple-1', alg: 'RS256', use: 'sig' };
    apple = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/.well-known/openid-configuration')
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/auth/authorize`,
          token_endpoint: `${issuer}/auth/token`,
          revocation_endpoint: `${issuer}/auth/revoke`,
          jwks_uri: `${issuer}/auth/keys`,
          response_types_supported: ['code'],
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'email', 'name'],
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          claims_supported: ['aud', 'email', 'email_verified', 'exp', 'iat', 'is_private_email', 'iss', 'nonce', 'nonce_supported', 'real_user_status', 'sub'],
        });
      if (url.pathname === '/auth/keys') return json(200, { keys: [appleJwk] });
      if (url.pathname === '/auth/authorize') {
        seen.responseMode = url.searchParams.get('response_mode') ?? undefined;
        seen.scope = url.searchParams.get('scope') ?? undefined;
        seen.challenge = url.searchParams.get('code_challenge');
        const fields: Record<string, string> = { state: url.searchParams.get('state')! };
        if (next === 'cancel') fields.error = 'user_cancelled_authorize';
        else {
          const code = `c${codes.size}.0.abcd.${next === 'approve' ? 'good' : 'stale'}`;
          codes.set(code, { nonce: url.searchParams.get('nonce')!, sub: person.sub });
          fields.code = code;
          if (!signedInBefore.has(person.sub)) fields.user = JSON.stringify({ name: { firstName: 'Jane', lastName: 'Appleseed' }, email: person.email });
        }
        const inputs = Object.entries(fields)
          .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">`)
          .join('');
        return res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<form method="post" action="${url.searchParams.get('redirect_uri')}">${inputs}</form><script>document.forms[0].submit()</script>`);
      }
      if (url.pathname === '/auth/token' && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== SERVICES_ID) return json(400, { error: 'invalid_client' });
        try {
          const secret = form.get('client_secret') ?? '';
          const { payload } = await jwtVerify(secret, teamKey.publicKey, { audience: 'https://appleid.apple.com', issuer: TEAM, subject: SERVICES_ID });
          secrets.push({ header: decodeProtectedHeader(secret) as Record<string, unknown>, claims: payload as Record<string, unknown> });
        } catch {
          return json(400, { error: 'invalid_client' });
        }
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!code || !form.get('code')!.endsWith('good') || form.get('grant_type') !== 'authorization_code')
          return json(400, { error: 'invalid_grant', error_description: 'The code has expired or has been revoked.' });
        signedInBefore.add(code.sub);
        const now = Math.floor(Date.now() / 1000);
        const idToken = await new SignJWT({
          nonce: code.nonce,
          nonce_supported: true,
          email: person.email,
          email_verified: 'true',
          is_private_email: 'true',
          auth_time: now,
        })
          .setProtectedHeader({ alg: 'RS256', kid: 'apple-1' })
          .setIssuer(issuer)
          .setAudience(SERVICES_ID)
          .setSubject(code.sub)
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .sign(appleKey.privateKey);
        return json(200, { access_token: 'a0b1c2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'r0b1c2', id_token: idToken });
      }
      return json(404, { error: 'not_found' });
    });
    const privateKey = await exportPKCS8(teamKey.privateKey);
    bed = await startProviderBed(
      apple,
      (at) => ({
        id: 'apple',
        kind: 'apple',
        name: 'Apple',
        issuer: at,
        clientId: SERVICES_ID,
        clientSecret: null,
        apple: { teamId: TEAM, keyId: KEY_ID, privateKey },
      }),
      executablePath!,
    );
    issuer = bed.issuer;
    gatehouse = bed.gatehouse;
  });
  after(() => bed?.close());

  // The page that shows the outcome: the POST callback's own (a refusal) or the same-site GET it sends the browser to.
  const viaApple = () =>
    pressProvider(
      bed,
      'Apple',
      (r) => (r.url().includes('/idp/apple/callback') && r.request().method() === 'POST' && r.status() !== 303) || r.url().includes('/idp/apple/return'),
    );

  test("a form_post first sign-in makes an account with Apple's verified (private relay) email and the name sent that once; the client secret is an ES256 JWT by the team key", async () => {
    next = 'approve';
    const { heading } = await viaApple();
    assert.equal(heading, 'Your account');
    assert.equal(seen.responseMode, 'form_post');
    assert.match(seen.scope ?? '', /\bname\b/);
    assert.match(seen.scope ?? '', /\bemail\b/);
    const made = (await gatehouse.core.accounts.findByEmail(person.email))!;
    assert.ok(made, 'the account has the email of the id_token');
    assert.equal(made.isEmailVerified, true, 'email_verified "true" (a string) is verified');
    assert.equal(made.fullName, 'Jane Appleseed', "the first sign-in's `user` name");
    const [identity] = await gatehouse.core.identities.identitiesOf(made.id);
    assert.equal(identity?.issuer, issuer);
    assert.equal(identity?.subject, person.sub);

    const { header, claims } = secrets.at(-1)!;
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, KEY_ID);
    assert.equal(claims.iss, TEAM);
    assert.equal(claims.sub, SERVICES_ID);
    assert.equal(claims.aud, 'https://appleid.apple.com');
    const now = Date.now() / 1000;
    assert.ok(typeof claims.iat === 'number' && Math.abs(claims.iat - now) < 120, 'iat is now');
    assert.ok(typeof claims.exp === 'number' && claims.exp > now && claims.exp - claims.iat <= 15_777_000, 'exp within six months');

    // The second sign-in carries no `user`: the same account, its name kept.
    assert.equal((await viaApple()).heading, 'Your account');
    assert.equal(signedInBefore.size, 1);
    const again = (await gatehouse.core.accounts.findByEmail(person.email))!;
    assert.equal(again.id, made.id);
    assert.equal(again.fullName, 'Jane Appleseed');
    assert.equal((await gatehouse.core.identities.identitiesOf(made.id)).length, 1);
  });

  test("Apple's error answers are pages, not 500s: invalid_grant for the code, the person cancelling", async () => {
    for (const answer of ['bad-code', 'cancel'] as const) {
      next = answer;
      const { heading, text } = await viaApple();
      assert.equal(heading, 'Sign in to your account', answer);
      assert.match(text, /could not be completed/, answer);
    }
    next = 'approve';
  });

  test('a POST to the callback is verified by its state alone: a forged one (no such state) is refused, never a sign-in', async () => {
    const forged = await fetch(`${bed.base}/idp/apple/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example' },
      body: new URLSearchParams({ code: 'c0.0.abcd.good', state: 'not-a-state', user: '{"name":{"firstName":"Eve"}}' }).toString(),
      redirect: 'manual',
    });
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /could not be completed/);
  });

  test('providers add --kind apple checks the key: a PKCS#8 P-256 key with 10-character team and key ids, no client secret', async () => {
    const good = { id: 'apple2', kind: 'apple', name: 'Apple', issuer: '', clientId: SERVICES_ID, clientSecret: null };
    const p256 = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const rsa = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
    const refused = async (input: object, field: string) =>
      assert.rejects(
        gatehouse.core.identities.add({ ...good, ...input }),
        (e: { code?: string; field?: string }) => e.code === 'VALIDATION_FAILED' && e.field === field,
      );
    await refused({ apple: { teamId: TEAM, keyId: KEY_ID, privateKey: rsa } }, 'private_key');
    await refused({ apple: { teamId: TEAM, keyId: KEY_ID, privateKey: 'not a key' } }, 'private_key');
    await refused({ apple: { teamId: 'short', keyId: KEY_ID, privateKey: p256 } }, 'team_id');
    await refused({ apple: { teamId: TEAM, keyId: '', privateKey: p256 } }, 'key_id');
    await refused({ clientSecret: 's', apple: { teamId: TEAM, keyId: KEY_ID, privateKey: p256 } }, 'client_secret');
    const added = await gatehouse.core.identities.add({ ...good, apple: { teamId: TEAM, keyId: KEY_ID, privateKey: p256 } });
    assert.equal(added.issuer, 'https://appleid.apple.com', "Apple's issuer when none is named");
    assert.equal(added.hasClientSecret, true, 'the key is kept sealed');
    assert.doesNotMatch(JSON.stringify(await gatehouse.core.identities.list()), /PRIVATE KEY/);
    await gatehouse.core.identities.remove('apple2');
  });
});
