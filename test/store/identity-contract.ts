import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdentityProvider, LinkedIdentity } from '../../src/core/ports/identity-store.ts';
import type { Stores } from '../../src/core/ports/stores.ts';

const T0 = Date.now() + 24 * 3600_000;
let seq = 0;

export const providerRecord = (id: string, overrides: Partial<IdentityProvider> = {}): IdentityProvider => ({
  id,
  kind: 'oidc',
  name: `Provider ${id}`,
  issuer: `https://${id}.example.com`,
  clientId: `client-${id}`,
  sealedClientSecret: `gh1.sealed.${id}`,
  audiences: [],
  signup: true,
  domains: [],
  trustMfa: false,
  enabled: true,
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

const identityOf = (providerId: string, userId: number, subject: string, overrides: Partial<LinkedIdentity> = {}): LinkedIdentity => ({
  providerId,
  issuer: `https://${providerId}.example.com`,
  subject,
  userId,
  email: null,
  emailVerified: false,
  createdAt: T0,
  lastUsedAt: null,
  ...overrides,
});

async function user(stores: Stores): Promise<number> {
  seq += 1;
  const made = await stores.users.create({
    uuid: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    email: `idp${seq}@example.com`,
    username: `idp${seq}`,
    passwordHash: 'x',
    createdAt: T0,
  });
  return made.id;
}

/** The identity providers' part of the storage contract (issue 34), run inside storageContract. */
export function identityContract(withStores: (fn: (s: Stores) => Promise<void>) => () => Promise<void>): void {
  test(
    'identities: providers are added once, listed oldest first, read back whole, removed with their identities',
    withStores(async (stores) => {
      const { identities } = stores;
      const corp = providerRecord('corp', { audiences: ['ios-app'], domains: ['corp.example'], signup: false, trustMfa: true });
      assert.equal(await identities.addProvider(corp), true);
      assert.equal(await identities.addProvider(providerRecord('corp', { name: 'again' })), false, 'an id is taken once');
      await identities.addProvider(providerRecord('later', { createdAt: T0 + 1, enabled: false, sealedClientSecret: null }));
      assert.deepEqual(await identities.provider('corp'), corp);
      assert.deepEqual(
        (await identities.providers()).map((p) => [p.id, p.enabled, p.sealedClientSecret]),
        [
          ['corp', true, 'gh1.sealed.corp'],
          ['later', false, null],
        ],
      );
      const id = await user(stores);
      assert.equal(await identities.link(identityOf('corp', id, 'sub-1')), true);
      assert.equal(await identities.removeProvider('corp'), true);
      assert.equal(await identities.removeProvider('corp'), false);
      assert.equal(await identities.provider('corp'), null);
      assert.deepEqual(await identities.identitiesOf(id), [], 'its identities went with it');
    }),
  );

  test(
    'identities: a link to a provider removed a moment before (its sign-in in flight) is refused (false), not an error',
    withStores(async (stores) => {
      const { identities } = stores;
      const id = await user(stores);
      await identities.addProvider(providerRecord('going'));
      await identities.removeProvider('going');
      assert.equal(await identities.link(identityOf('going', id, 'sub-1')), false);
      assert.deepEqual(await identities.identitiesOf(id), []);
    }),
  );

  test(
    'identities: keyed by issuer and subject (one account each), listed per account, touched, unlinked only by their account',
    withStores(async (stores) => {
      const { identities } = stores;
      await identities.addProvider(providerRecord('a'));
      await identities.addProvider(providerRecord('b'));
      const alice = await user(stores);
      const bob = await user(stores);
      const first = identityOf('a', alice, 'same-sub', { email: 'alice@a.example', emailVerified: true });
      assert.equal(await identities.link(first), true);
      assert.equal(await identities.link(identityOf('a', bob, 'same-sub')), false, 'the same issuer and subject is linked to one account');
      assert.equal(await identities.link(identityOf('b', bob, 'same-sub', { createdAt: T0 + 5 })), true, 'another issuer, the same subject: another identity');
      assert.equal(await identities.link(identityOf('b', alice, 'alice-at-b', { createdAt: T0 + 9 })), true);
      assert.deepEqual(await identities.identity('https://a.example.com', 'same-sub'), first);
      assert.equal(await identities.identity('https://a.example.com', 'other'), null);
      assert.deepEqual(
        (await identities.identitiesOf(alice)).map((i) => [i.providerId, i.subject]),
        [
          ['a', 'same-sub'],
          ['b', 'alice-at-b'],
        ],
      );
      await identities.touch('https://a.example.com', 'same-sub', T0 + 100, 'new@a.example', false);
      const touched = await identities.identity('https://a.example.com', 'same-sub');
      assert.deepEqual([touched?.lastUsedAt, touched?.email, touched?.emailVerified], [T0 + 100, 'new@a.example', false]);
      assert.equal(await identities.unlink(bob, 'https://a.example.com', 'same-sub'), false, "another account's identity is not unlinked");
      assert.equal(await identities.unlink(alice, 'https://a.example.com', 'same-sub'), true);
      assert.equal(await identities.identity('https://a.example.com', 'same-sub'), null);
    }),
  );

  test(
    'identities: deleting an account removes its identities',
    withStores(async (stores) => {
      const { identities, users } = stores;
      await identities.addProvider(providerRecord('gone'));
      const id = await user(stores);
      await identities.link(identityOf('gone', id, 'sub'));
      assert.equal(await users.delete(id), true);
      assert.equal(await identities.identity('https://gone.example.com', 'sub'), null);
      assert.deepEqual(await identities.identitiesOf(id), []);
    }),
  );

  test(
    'identities: an upstream request is taken once, not after it expired, and a proved one is saved over it',
    withStores(async ({ identities }) => {
      await identities.addProvider(providerRecord('req'));
      const request = {
        id: 'state-1',
        providerId: 'req',
        nonce: 'n',
        codeVerifier: 'v',
        linkFor: null,
        returnTo: '/account',
        browser: 'b',
        proved: null,
        expiresAt: T0 + 1000,
      };
      await identities.saveRequest(request);
      const proved = { issuer: 'https://req.example.com', subject: 's', email: 'e@x.example', emailVerified: true, amr: ['pwd'], name: 'E' };
      await identities.saveRequest({ ...request, proved, expiresAt: T0 + 2000 });
      assert.deepEqual(await identities.takeRequest('state-1', T0), { ...request, proved, expiresAt: T0 + 2000 });
      assert.equal(await identities.takeRequest('state-1', T0), null, 'taken once');
      await identities.saveRequest({ ...request, id: 'state-2' });
      assert.equal(await identities.takeRequest('state-2', T0 + 1000), null, 'expired');
      await identities.saveRequest({ ...request, id: 'state-3' });
      await identities.saveRequest({ ...request, id: 'state-4', expiresAt: T0 + 5000 });
      assert.equal(await identities.purgeRequests(T0 + 1000), 1);
      assert.equal((await identities.takeRequest('state-4', T0))?.id, 'state-4');
    }),
  );
}
