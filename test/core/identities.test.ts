// The identity providers' rules in the core, with a stand-in for the protocol (the real one, openid-client
// against a real provider, is tested end to end in test/surfaces/account/identity-providers.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdentityLinkRequired } from '../../src/core/identities.ts';
import type { ProvedIdentity } from '../../src/core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol } from '../../src/core/ports/upstream.ts';
import { testCore } from '../helpers/core.ts';
import { callerFor, enrolTotp } from '../helpers/factors.ts';

const ISSUER = 'https://sso.corp.example';
const PASSWORD = 'a-long-password-42';
const START = { accessTtl: 600, askSecondFactor: true };

/** The provider answers `next` to any callback whose code is `good`; it records the secret it was configured with. */
interface StandIn {
  next: ProvedIdentity;
  seen: UpstreamClientConfig[];
  protocol: UpstreamProtocol;
}

function standIn(): StandIn {
  const seen: UpstreamClientConfig[] = [];
  const upstream: StandIn = {
    next: { issuer: ISSUER, subject: 'sub-1', email: 'ann@corp.example', emailVerified: true, amr: ['pwd'], name: 'Ann' },
    seen,
    protocol: {
      authorizationUrl: async (config, secrets) => {
        seen.push(config);
        return new URL(`${ISSUER}/auth?state=${secrets.state}&nonce=${secrets.nonce}`);
      },
      finish: async (config, callback) => {
        seen.push(config);
        if (callback.searchParams.get('code') !== 'good') throw new Error('invalid_grant');
        return upstream.next;
      },
      verifyIdToken: async (_config, idToken, expected) => {
        if (idToken !== 'good' || !expected.audiences.includes('gh') || expected.nonce !== 'n') throw new Error('invalid');
        return upstream.next;
      },
    },
  };
  return upstream;
}

async function setUp(options: { signup?: boolean; domains?: string[]; trustMfa?: boolean } = {}) {
  const upstream = standIn();
  const core = testCore({ upstream: upstream.protocol });
  await core.identities.add({ id: 'corp', kind: 'oidc', name: 'Corp', issuer: ISSUER, clientId: 'gh', clientSecret: 'the-secret-0123', ...options });
  /** The browser `browser` presses the button and comes back with `code`: the callback's ticket. */
  const ticket = async (browser = 'browser-a', code = 'good', linkFor?: number) => {
    const url = new URL(await core.identities.begin('corp', { browser, returnTo: '/account', linkFor }));
    const outcome = await core.identities.callback(
      'corp',
      new URL(`https://id.example.com/idp/corp/callback?code=${code}&state=${url.searchParams.get('state')}`),
    );
    return outcome.ticket;
  };
  return { core, upstream, ticket };
}

const refusedWith = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

test('the client secret is sealed at rest and opened for the protocol only', async () => {
  const { core, upstream, ticket } = await setUp();
  const stored = (await core.stores.identities.provider('corp'))!;
  assert.ok(stored.sealedClientSecret?.startsWith('gh1.'));
  assert.ok(!stored.sealedClientSecret?.includes('the-secret-0123'));
  await ticket();
  assert.equal(upstream.seen[0]?.clientSecret, 'the-secret-0123');
  assert.equal(upstream.seen[0]?.redirectUri, 'https://id.example.com/idp/corp/callback');
  assert.equal(JSON.stringify(await core.identities.list()).includes('gh1.'), false, 'the list shows no sealed secret');
});

test('a ticket signs in only in the browser that pressed the button, once; a bad code or state is refused', async () => {
  const { core, ticket } = await setUp();
  const other = await ticket('browser-a');
  await assert.rejects(core.identities.signIn(other, 'browser-b', START), refusedWith('UPSTREAM_FAILED'));
  await assert.rejects(core.identities.signIn(other, 'browser-a', START), refusedWith('UPSTREAM_FAILED'), 'spent by the refused try');
  const mine = await ticket('browser-a');
  const grant = await core.identities.signIn(mine, 'browser-a', START);
  assert.equal(grant.user.email, 'ann@corp.example');
  await assert.rejects(core.identities.signIn(mine, 'browser-a', START), refusedWith('UPSTREAM_FAILED'), 'once');
  await assert.rejects(ticket('browser-a', 'replayed'), refusedWith('UPSTREAM_FAILED'));
  await assert.rejects(
    core.identities.callback('corp', new URL('https://id.example.com/idp/corp/callback?code=good&state=forged')),
    refusedWith('UPSTREAM_FAILED'),
  );
  // A state of another provider's request is not this provider's.
  await core.identities.add({ id: 'other', kind: 'oidc', name: 'Other', issuer: 'https://other.example', clientId: 'gh', clientSecret: null });
  const url = new URL(await core.identities.begin('corp', { browser: 'b', returnTo: '/account' }));
  await assert.rejects(
    core.identities.callback('other', new URL(`https://id.example.com/idp/other/callback?code=good&state=${url.searchParams.get('state')}`)),
    refusedWith('UPSTREAM_FAILED'),
  );
});

test('an existing email is never linked silently: only that account, proved in the same browser, gets the identity', async () => {
  const { core, ticket } = await setUp();
  const ann = await core.accounts.register({ email: 'ann@corp.example', password: PASSWORD });
  const bob = await core.accounts.register({ email: 'bob@corp.example', password: PASSWORD });
  let pending: IdentityLinkRequired | undefined;
  await assert.rejects(core.identities.signIn(await ticket(), 'browser-a', START), (e) => {
    pending = e as IdentityLinkRequired;
    return e instanceof IdentityLinkRequired && e.email === 'ann@corp.example';
  });
  assert.deepEqual(await core.identities.identitiesOf(ann.id), []);
  assert.equal(await core.identities.completeLink(pending!.linkToken, 'browser-a', bob), false, 'another account gets nothing');
  await assert.rejects(core.identities.signIn(await ticket(), 'browser-a', START), (e) => {
    pending = e as IdentityLinkRequired;
    return true;
  });
  assert.equal(await core.identities.completeLink(pending!.linkToken, 'browser-b', ann), false, 'another browser gets nothing');
  await assert.rejects(core.identities.signIn(await ticket(), 'browser-a', START), (e) => {
    pending = e as IdentityLinkRequired;
    return true;
  });
  assert.equal(await core.identities.completeLink(pending!.linkToken, 'browser-a', ann), true);
  const grant = await core.identities.signIn(await ticket(), 'browser-a', START);
  assert.equal(grant.user.id, ann.id);
  assert.equal(core.tokens.verify(grant.accessToken, 'access').amr?.join(' '), 'fed');
});

test('--no-signup makes no account; --domain wants a verified email of its domains', async () => {
  const closed = await setUp({ signup: false });
  await assert.rejects(closed.core.identities.signIn(await closed.ticket(), 'browser-a', START), refusedWith('IDENTITY_NOT_ALLOWED'));
  assert.equal(await closed.core.accounts.findByEmail('ann@corp.example'), null);

  const domains = await setUp({ domains: ['corp.example'] });
  domains.upstream.next = { ...domains.upstream.next, emailVerified: false };
  await assert.rejects(domains.core.identities.signIn(await domains.ticket(), 'browser-a', START), refusedWith('IDENTITY_NOT_ALLOWED'));
  domains.upstream.next = { ...domains.upstream.next, subject: 'sub-2', email: 'eve@elsewhere.example', emailVerified: true };
  await assert.rejects(domains.core.identities.signIn(await domains.ticket(), 'browser-a', START), refusedWith('IDENTITY_NOT_ALLOWED'));
  domains.upstream.next = { ...domains.upstream.next, subject: 'sub-3', email: 'cy@corp.example', emailVerified: true };
  assert.equal((await domains.core.identities.signIn(await domains.ticket(), 'browser-a', START)).user.email, 'cy@corp.example');
});

test("the account's second factor is asked, unless a provider trusted for it says its sign-in had one", async () => {
  for (const trustMfa of [false, true]) {
    const { core, upstream, ticket } = await setUp({ trustMfa });
    const ann = await core.accounts.register({ email: 'ann@corp.example', password: PASSWORD });
    const pending = (await core.identities.signIn(await ticket(), 'browser-a', START).catch((e: unknown) => e)) as IdentityLinkRequired;
    assert.equal(await core.identities.completeLink(pending.linkToken, 'browser-a', ann), true);
    await enrolTotp(core, ann, PASSWORD);
    upstream.next = { ...upstream.next, amr: ['pwd', 'mfa'] };
    if (!trustMfa) await assert.rejects(core.identities.signIn(await ticket(), 'browser-a', START), refusedWith('MFA_REQUIRED'));
    else {
      const grant = await core.identities.signIn(await ticket(), 'browser-a', START);
      assert.deepEqual(core.tokens.verify(grant.accessToken, 'access').amr, ['fed', 'mfa']);
    }
  }
});

test('unlinking keeps a way in; deleting the provider removes its identities', async () => {
  const { core, upstream, ticket } = await setUp();
  upstream.next = { ...upstream.next, emailVerified: false };
  const made = (await core.identities.signIn(await ticket(), 'browser-a', START)).user;
  await assert.rejects(core.identities.unlink(made, ISSUER, 'sub-1'), refusedWith('LAST_WAY_IN'));
  const verified = await core.accounts.setVerified(made, 'email', true);
  await core.identities.unlink(verified, ISSUER, 'sub-1');
  assert.deepEqual(await core.identities.identitiesOf(made.id), []);
  const again = await core.identities.signIn(await ticket(), 'browser-a', START).catch((e: unknown) => e);
  assert.ok(again instanceof IdentityLinkRequired, 'unlinked: the email now names an account to prove');
  await core.identities.remove('corp');
  assert.deepEqual(await core.identities.list(), []);
});

test('two first sign-ins of one identity at once (two tabs, a double click) make one account, with an email and without one', async () => {
  for (const email of ['ann@corp.example', null]) {
    const { core, upstream, ticket } = await setUp();
    upstream.next = { ...upstream.next, email, emailVerified: email !== null };
    const [a, b] = [await ticket('browser-a'), await ticket('browser-b')];
    const outcomes = await Promise.allSettled([core.identities.signIn(a, 'browser-a', START), core.identities.signIn(b, 'browser-b', START)]);
    const accounts = await core.stores.users.search({ text: '', limit: 10, offset: 0 });
    assert.equal(accounts.length, 1, `${email}: no second account is left behind`);
    const [only] = accounts;
    assert.deepEqual((await core.identities.identitiesOf(only!.id)).length, 1, `${email}: the identity is the account's`);
    for (const outcome of outcomes) {
      // Either signed in to that account, or (the email taken a moment before the link) asked to prove it: never another.
      if (outcome.status === 'fulfilled') assert.equal(outcome.value.user.id, only!.id, String(email));
      else assert.ok(outcome.reason instanceof IdentityLinkRequired, `${email}: ${outcome.reason}`);
    }
    assert.ok(
      outcomes.some((o) => o.status === 'fulfilled'),
      `${email}: one of them signed in`,
    );
    if (email === null)
      assert.ok(
        outcomes.every((o) => o.status === 'fulfilled'),
        'without an email both sign in',
      );
  }
});

test('a passkey is a way in of its own: with one, the only identity may be unlinked', async () => {
  const { core, upstream, ticket } = await setUp();
  upstream.next = { ...upstream.next, emailVerified: false };
  const made = (await core.identities.signIn(await ticket(), 'browser-a', START)).user;
  await assert.rejects(core.identities.unlink(made, ISSUER, 'sub-1'), refusedWith('LAST_WAY_IN'));
  const passkey = { id: 'cred-1', userId: made.id, publicKey: 'pk', counter: 0, transports: [], name: 'phone', backedUp: true, createdAt: 0, lastUsedAt: null };
  await core.stores.factors.addPasskey(passkey);
  await core.identities.unlink(made, ISSUER, 'sub-1');
  assert.deepEqual(await core.identities.identitiesOf(made.id), []);
  // And the other way round: the passkey is now the last way in, so it stays (refused before any step-up).
  await assert.rejects(core.secondFactors.passkeys.remove(await callerFor(core, made), 'cred-1', {}), refusedWith('LAST_WAY_IN'));
  assert.equal((await core.stores.factors.listPasskeys(made.id)).length, 1);
});

test("a provider's audiences and domains are as many as the admin API allows, whichever way it is added (CLI, console, API)", async () => {
  const core = testCore();
  const base = { kind: 'oidc', name: 'Corp', issuer: ISSUER, clientId: 'gh', clientSecret: 's' };
  const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));
  const refusedOn = (field: string) => (error: unknown) =>
    (error as { code?: string; field?: string }).code === 'VALIDATION_FAILED' && (error as { field?: string }).field === field;
  await assert.rejects(core.identities.add({ ...base, id: 'a', audiences: many(21, (i) => `app-${i}`) }), refusedOn('audiences'));
  await assert.rejects(core.identities.add({ ...base, id: 'b', audiences: ['x'.repeat(513)] }), refusedOn('audiences'));
  await assert.rejects(core.identities.add({ ...base, id: 'c', domains: many(51, (i) => `d${i}.example`) }), refusedOn('domains'));
  await core.identities.add({ ...base, id: 'd', audiences: many(20, (i) => `app-${i}`), domains: many(50, (i) => `d${i}.example`) });
  assert.deepEqual(
    (await core.identities.list()).map((p) => p.id),
    ['d'],
  );
});
