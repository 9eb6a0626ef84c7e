import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createCore, type Core } from '../../src/core/core.ts';
import type { GatehouseError } from '../../src/core/errors.ts';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { Stores } from '../../src/core/ports/stores.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { KEY_POLL_MS, type JwtAlgorithm } from '../../src/core/signing-keys.ts';
import { memoryStores } from '../../src/store/memory/memory-stores.ts';
import { TEST_ENCRYPTION_KEY, TEST_SECRET } from '../helpers/core.ts';

const DAY = 24 * 3600_000;
/** The refresh-token lifetime (7 days): the longest token a core signs by default. */
const LONGEST = 7 * DAY;
const cores: Core[] = [];
after(async () => {
  for (const core of cores) await core.close();
});

/** A started core; cores given the same stores and clock behave like instances sharing one database. */
async function instance(options: {
  stores?: Stores;
  clock?: ManualClock;
  algorithm?: JwtAlgorithm;
  secret?: string | null;
  previous?: string[];
  key?: string;
}) {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 5, 1, 12));
  const core = createCore({
    stores: options.stores ?? memoryStores(),
    keys: { current: options.secret ?? null, previous: options.previous, algorithm: options.algorithm },
    secretBox: new SecretBox(options.key ?? TEST_ENCRYPTION_KEY),
    clock,
  });
  cores.push(core);
  await core.start();
  return { core, clock, stores: core.stores };
}

const issue = (core: Core, ttl = 60) => core.tokens.issue('access', 'u-1', 's-1', 'j-1', ttl).token;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as GatehouseError).code ?? (e as Error).message;
  }
  return 'accepted';
};
const kids = (core: Core) => core.signingKeys.publicJwks().keys.map((k) => k.kid);

describe('signing keys', () => {
  test('a new database signs ES256 by default; the token names its key; the JWKS has its public part only', async () => {
    const { core } = await instance({});
    const token = issue(core);
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'ES256');
    assert.equal(typeof header.kid, 'string');
    assert.equal(core.tokens.verify(token, 'access').sub, 'u-1');
    const { keys } = core.signingKeys.publicJwks();
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0]!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(keys[0]!.kid, header.kid);
    // Any standard library verifies it with the JWKS alone.
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys }), { currentDate: new Date(Date.UTC(2026, 5, 1, 12)) });
    assert.equal(payload.sub, 'u-1');
  });

  for (const algorithm of ['EdDSA', 'RS256'] as const) {
    test(`JWT_ALGORITHM=${algorithm} signs with a ${algorithm} key`, async () => {
      const { core } = await instance({ algorithm });
      const token = issue(core);
      assert.equal(decodeProtectedHeader(token).alg, algorithm);
      assert.equal(core.tokens.verify(token, 'access').sub, 'u-1');
      const { payload } = await jwtVerify(token, createLocalJWKSet(core.signingKeys.publicJwks()), { currentDate: new Date(Date.UTC(2026, 5, 1, 12)) });
      assert.equal(payload.jti, 'j-1');
    });
  }

  test('private keys are stored sealed; another MFA_ENCRYPTION_KEY cannot start on them', async () => {
    const { stores } = await instance({});
    const [record] = await stores.signingKeys.list();
    assert.ok(record);
    assert.match(record.sealedPrivateJwk, /^gh1\./);
    assert.ok(!record.sealedPrivateJwk.includes('"d"'));
    assert.ok(!('d' in JSON.parse(record.publicJwk)));
    await assert.rejects(instance({ stores, key: 'another-encryption-key-of-32-bytes-or-more' }), /MFA_ENCRYPTION_KEY is not the key it was sealed with/);
  });

  test('rotation: the new key signs, the old one verifies until its longest token has expired, then leaves the JWKS', async () => {
    const { core, clock } = await instance({});
    const old = issue(core, LONGEST / 1000);
    const oldKid = decodeProtectedHeader(old).kid;
    const [made] = await core.signingKeys.rotate();
    assert.ok(made);
    const fresh = issue(core);
    assert.equal(decodeProtectedHeader(fresh).kid, made.kid);
    assert.deepEqual(kids(core), [made.kid, oldKid], 'the signing key first');
    assert.equal(core.tokens.verify(old, 'access', true).sub, 'u-1');

    clock.advance(LONGEST - 1000);
    await core.signingKeys.refresh();
    assert.equal(core.tokens.verify(old, 'access').sub, 'u-1', 'still within its own lifetime');
    assert.deepEqual(kids(core), [made.kid, oldKid]);

    // The old key's window was set while it signed: the longest lifetime plus a margin of at most 20 minutes.
    clock.advance(21 * 60_000);
    await core.signingKeys.refresh();
    assert.deepEqual(kids(core), [made.kid]);
    assert.equal(
      code(() => core.tokens.verify(old, 'access', true)),
      'TOKEN_INVALID',
    );
    assert.equal(core.tokens.verify(issue(core), 'access').sub, 'u-1');
    const states = (await core.signingKeys.list()).map((k) => [k.kid, k.state]);
    assert.deepEqual(states, [
      [oldKid, 'expired'],
      [made.kid, 'signing'],
    ]);
  });

  test('a key that keeps signing keeps verifying, however long it lives', async () => {
    const { core, clock } = await instance({});
    const first = decodeProtectedHeader(issue(core)).kid;
    for (let day = 0; day < 30; day++) {
      clock.advance(DAY);
      await core.signingKeys.refresh();
    }
    const token = issue(core);
    assert.equal(decodeProtectedHeader(token).kid, first);
    assert.deepEqual(kids(core), [first]);
  });

  test('another instance picks a rotation up at its next poll, and a token naming a key it has not read yet makes it read at once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    const a = await instance({ clock });
    const b = await instance({ clock, stores: a.stores });
    assert.deepEqual(kids(b.core), kids(a.core), 'the first key is shared, not made twice');
    const [made] = await a.core.signingKeys.rotate();
    const fromA = issue(a.core);
    assert.equal(decodeProtectedHeader(fromA).kid, made?.kid);
    // B has not polled yet: the plain check refuses, the asynchronous paths read the key set and accept.
    assert.equal(
      code(() => b.core.tokens.verify(fromA, 'access')),
      'TOKEN_INVALID',
    );
    const error = (() => {
      try {
        b.core.tokens.verify(fromA, 'access');
      } catch (e) {
        return e;
      }
    })();
    assert.equal((await b.core.tokens.verifyWithNewKeys(fromA, 'access', false, error)).sub, 'u-1');
    // …and B now signs with it too, as it would after its next poll.
    assert.equal(decodeProtectedHeader(issue(b.core)).kid, made?.kid);
    // A made-up kid is refused, and does not turn into a read per request.
    const forged = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'made-up' })).toString('base64url')}.${fromA.split('.')[1]}.${fromA.split('.')[2]}`;
    await assert.rejects(b.core.tokens.verifyWithNewKeys(forged, 'access', false, error), (e: GatehouseError) => e.code === 'TOKEN_INVALID');
    assert.ok(KEY_POLL_MS * 2 <= 10_000, 'a rotation reaches every instance within 10 s');
  });

  test('HS256 to ES256: tokens already handed out (with or without a kid) stay valid until their own exp', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    const before = await instance({ clock, secret: TEST_SECRET });
    const hs = issue(before.core, 3600);
    assert.deepEqual(decodeProtectedHeader(hs).alg, 'HS256');
    assert.match(String(decodeProtectedHeader(hs).kid), /^hs256-/);
    assert.deepEqual(before.core.signingKeys.publicJwks(), { keys: [] }, 'HS256 secrets never appear in the JWKS');
    // A token signed before kids existed.
    const { createSigner } = await import('fast-jwt');
    const now = Math.floor(clock.now() / 1000);
    const legacy = createSigner({ key: TEST_SECRET, algorithm: 'HS256' })({ sub: 'u-1', sid: 's-1', jti: 'j-0', type: 'access', iat: now, exp: now + 3600 });

    const switched = await instance({ clock, stores: before.stores, secret: TEST_SECRET, algorithm: 'ES256' });
    assert.equal(decodeProtectedHeader(issue(switched.core)).alg, 'ES256');
    assert.equal(switched.core.tokens.verify(hs, 'access').sub, 'u-1');
    assert.equal(switched.core.tokens.verify(legacy, 'access').jti, 'j-0');
    clock.advance(3600_000);
    assert.equal(
      code(() => switched.core.tokens.verify(hs, 'access')),
      'TOKEN_EXPIRED',
    );
    // Once the operator drops the secret, nothing it signed is accepted.
    const dropped = await instance({ clock, stores: before.stores, algorithm: 'ES256' });
    assert.equal(
      code(() => dropped.core.tokens.verify(hs, 'access', true)),
      'TOKEN_INVALID',
    );
  });

  test('retire: not the key that signs; another key at once, out of the JWKS and refused', async () => {
    const { core } = await instance({});
    const old = issue(core);
    const oldKid = String(decodeProtectedHeader(old).kid);
    assert.equal(core.tokens.verify(old, 'access').sub, 'u-1', 'verified once: remembered');
    assert.equal(await core.signingKeys.retire(oldKid), 'signing');
    assert.equal(await core.signingKeys.retire('no-such-kid'), 'unknown');
    await core.signingKeys.rotate();
    assert.equal(await core.signingKeys.retire(oldKid), 'retired');
    assert.equal(await core.signingKeys.retire(oldKid), 'unknown', 'once');
    assert.ok(!kids(core).includes(oldKid));
    assert.equal(
      code(() => core.tokens.verify(old, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('privateJwks: an RS256 key always exists for the OpenID provider, made on first ask; ES256 and EdDSA on request', async () => {
    const { core } = await instance({});
    const { keys } = await core.signingKeys.privateJwks();
    const rs = keys.filter((k) => k.alg === 'RS256');
    assert.equal(rs.length, 1);
    for (const k of keys) {
      assert.equal(k.use, 'sig');
      assert.equal(typeof k.kid, 'string');
      assert.equal(typeof k.d, 'string', 'private');
    }
    assert.ok(keys.some((k) => k.alg === 'ES256'));
    // The RS256 key is public too, and id_tokens signed with it verify against the JWKS.
    assert.ok(core.signingKeys.publicJwks().keys.some((k) => k.kid === rs[0]!.kid && !('d' in k)));
    const again = await core.signingKeys.privateJwks();
    assert.equal(again.keys.filter((k) => k.alg === 'RS256').length, 1, 'made once');
    const more = await core.signingKeys.privateJwks(['RS256', 'EdDSA']);
    assert.deepEqual([...new Set(more.keys.map((k) => k.alg))].sort(), ['ES256', 'EdDSA', 'RS256']);
    // Gatehouse's own tokens still use JWT_ALGORITHM.
    assert.equal(decodeProtectedHeader(issue(core)).alg, 'ES256');
  });
});
