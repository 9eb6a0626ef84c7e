// --kind github against a local server that answers as GitHub documents its OAuth app endpoints and REST API
// (these machines reach no provider): /login/oauth/authorize (here it approves at once, as for an app the
// person already authorised), /login/oauth/access_token (its 200 with {"error": "bad_verification_code"} for a
// wrong code), GET /api/v3/user and /api/v3/user/emails (a GitHub Enterprise Server's API path).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { chromiumPath } from '../../helpers/browser.ts';
import { type ProviderBed, pressProvider, startProviderBed } from '../../helpers/provider-bed.ts';
import type { TestServer } from '../../helpers/test-server.ts';

const executablePath = chromiumPath();

describe('--kind github', { skip: executablePath ? false : 'Chromium is not installed' }, () => {
  let github: Server;
  let bed: ProviderBed;
  let gatehouse: TestServer;
  /** What the fake GitHub does next: approve with a good code, or a code it refuses, or the person says no. */
  let next: 'approve' | 'bad-code' | 'deny' = 'approve';
  let emails = [{ email: 'Octo@Users.Example', primary: true, verified: true, visibility: null }];
  const seen: { verifier?: string; challenge?: string } = {};

  before(async () => {
    github = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://github.local');
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/login/oauth/authorize') {
        seen.challenge = url.searchParams.get('code_challenge') ?? undefined;
        const back = new URL(url.searchParams.get('redirect_uri')!);
        if (next === 'deny') back.searchParams.set('error', 'access_denied');
        else back.searchParams.set('code', next === 'approve' ? 'good-code' : 'stale-code');
        back.searchParams.set('state', url.searchParams.get('state')!);
        return res.writeHead(302, { location: back.href }).end();
      }
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const form = new URLSearchParams(body);
        seen.verifier = form.get('code_verifier') ?? undefined;
        if (req.headers.authorization !== `Basic ${Buffer.from('gh-client:gh-secret').toString('base64')}`)
          return json(401, { error: 'incorrect_client_credentials' });
        if (form.get('code') !== 'good-code')
          return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
        return json(200, { access_token: 'gho_test', token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (req.headers.authorization !== 'Bearer gho_test') return json(401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user') return json(200, { id: 4242, login: 'octocat', name: 'The Octocat', email: null });
      if (url.pathname === '/api/v3/user/emails') return json(200, emails);
      return json(404, { message: 'Not Found' });
    });
    bed = await startProviderBed(
      github,
      (issuer) => ({ id: 'github', kind: 'github', name: 'GitHub', issuer, clientId: 'gh-client', clientSecret: 'gh-secret' }),
      executablePath!,
    );
    gatehouse = bed.gatehouse;
  });
  after(() => bed?.close());

  const viaGitHub = () => pressProvider(bed, 'GitHub', (r) => r.url().includes('/idp/github/callback'));

  test("a first sign-in makes an account keyed by GitHub's numeric id, with its verified primary email; PKCE is sent", async () => {
    next = 'approve';
    const { heading } = await viaGitHub();
    assert.equal(heading, 'Your account');
    const made = (await gatehouse.core.accounts.findByEmail('octo@users.example'))!;
    assert.equal(made.isEmailVerified, true);
    assert.equal(made.fullName, 'The Octocat');
    const [identity] = await gatehouse.core.identities.identitiesOf(made.id);
    assert.equal(identity?.subject, '4242');
    assert.ok(seen.challenge && seen.verifier, 'the code challenge went to the authorize endpoint and the verifier to the token endpoint');
    // The login changes nothing: the id keys the account; an unverified primary email is not verified here.
    emails = [{ email: 'octo@users.example', primary: true, verified: false, visibility: null }];
    assert.equal((await viaGitHub()).heading, 'Your account');
    assert.equal((await gatehouse.core.accounts.findByEmail('octo@users.example'))!.id, made.id);
    assert.equal((await gatehouse.core.identities.identitiesOf(made.id))[0]?.emailVerified, false, 'as GitHub says now');
  });

  test("GitHub's error answers are pages, not 500s: a refused code, the person saying no", async () => {
    for (const answer of ['bad-code', 'deny'] as const) {
      next = answer;
      const { heading, text } = await viaGitHub();
      assert.equal(heading, 'Sign in to your account', answer);
      assert.match(text, /could not be completed/, answer);
    }
    next = 'approve';
  });
});
