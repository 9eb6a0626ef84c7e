import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { ManualClock } from '../../src/core/ports/clock.ts';
import { TokenIssuer } from '../../src/core/tokens.ts';
import type { GatehouseError } from '../../src/core/errors.ts';
import { TEST_ENCRYPTION_KEY, TEST_SECRET } from '../helpers/core.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import { SigningKeys } from '../../src/core/signing-keys.ts';
import { MemorySigningKeyStore } from '../../src/store/memory/memory-signing-key-store.ts';

/** An HS256 issuer: its secrets are settings, so it needs no start(). */
function hs256Issuer(secrets: { current: string; previous?: string[] }, clock: Clock): TokenIssuer {
  const keys = new SigningKeys({
    store: new MemorySigningKeyStore(),
    box: new SecretBox(TEST_ENCRYPTION_KEY),
    clock,
    algorithm: 'HS256',
    secrets: { current: secrets.current, previous: secrets.previous ?? [] },
    longestTokenSeconds: 3600,
  });
  return new TokenIssuer(keys, clock);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as GatehouseError).code;
  }
  return 'accepted';
};

describe('TokenIssuer', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const tokens = hs256Issuer({ current: TEST_SECRET }, clock);
  const now = Math.floor(clock.now() / 1000);
  const claims = { sub: 'u-1', sid: 's-1', jti: 'j-1', type: 'access', iat: now, exp: now + 60 };

  test('round trip carries sub, sid, jti, type, iat and exp', () => {
    const { token } = tokens.issue('access', 'u-1', 's-1', 'j-1', 60);
    assert.deepEqual(tokens.verify(token, 'access'), claims);
  });

  test('expiry follows the injected clock', () => {
    const { token } = tokens.issue('access', 'u-1', 's-1', 'j-1', 60);
    const later = hs256Issuer({ current: TEST_SECRET }, { now: () => clock.now() + 60_000 });
    assert.equal(
      code(() => later.verify(token, 'access')),
      'TOKEN_EXPIRED',
    );
    assert.equal(later.verify(token, 'access', true).sub, 'u-1');
  });

  test('a refresh token is not an access token, and the reverse', () => {
    const refresh = tokens.issue('refresh', 'u-1', 's-1', 'r-1', 60).token;
    const access = tokens.issue('access', 'u-1', 's-1', 'j-1', 60).token;
    assert.equal(
      code(() => tokens.verify(refresh, 'access')),
      'TOKEN_WRONG_TYPE',
    );
    assert.equal(
      code(() => tokens.verify(access, 'refresh')),
      'TOKEN_WRONG_TYPE',
    );
  });

  test('alg none is refused', () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    assert.equal(
      code(() => tokens.verify(unsigned, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('a token signed with another key is refused', () => {
    const forged = createSigner({ key: 'another-secret-of-at-least-32-bytes!!' })(claims);
    assert.equal(
      code(() => tokens.verify(forged, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('a modified payload is refused', () => {
    const [head, , sig] = tokens.issue('access', 'u-1', 's-1', 'j-1', 60).token.split('.');
    const tampered = `${head}.${b64({ ...claims, sub: 'admin' })}.${sig}`;
    assert.equal(
      code(() => tokens.verify(tampered, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('HS384/HS512 with the right key are refused (only HS256 is ours)', () => {
    const header = b64({ alg: 'HS512', typ: 'JWT' });
    const body = b64(claims);
    const sig = createHmac('sha512', TEST_SECRET).update(`${header}.${body}`).digest('base64url');
    assert.equal(
      code(() => tokens.verify(`${header}.${body}.${sig}`, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('a signed token without our claims is refused', () => {
    const partial = createSigner({ key: TEST_SECRET })({ sub: 'u-1' });
    assert.equal(
      code(() => tokens.verify(partial, 'access')),
      'TOKEN_INVALID',
    );
  });

  test('garbage is refused', () => {
    for (const junk of ['', 'a.b.c', 'not-a-token', 'eyJ.eyJ.', '...'])
      assert.equal(
        code(() => tokens.verify(junk, 'access')),
        'TOKEN_INVALID',
        junk,
      );
  });

  test('a previous key still verifies, but new tokens use the current one', () => {
    const old = hs256Issuer({ current: 'the-old-secret-of-at-least-32-bytes!!' }, clock);
    const rotated = hs256Issuer({ current: TEST_SECRET, previous: ['the-old-secret-of-at-least-32-bytes!!'] }, clock);
    const oldToken = old.issue('access', 'u-1', 's-1', 'j-1', 60).token;
    assert.equal(rotated.verify(oldToken, 'access').sub, 'u-1');
    const fresh = rotated.issue('access', 'u-1', 's-1', 'j-1', 60).token;
    assert.equal(tokens.verify(fresh, 'access').sub, 'u-1');
  });

  test('a token seen before is still checked for expiry and type, and its altered copies are still refused', () => {
    const moving = new ManualClock(Date.UTC(2026, 0, 1));
    const issuer = hs256Issuer({ current: TEST_SECRET }, moving);
    const { token } = issuer.issue('access', 'u-1', 's-1', 'j-1', 60);
    assert.equal(issuer.verify(token, 'access').sub, 'u-1');
    assert.equal(issuer.verify(token, 'access').sub, 'u-1');
    assert.equal(
      code(() => issuer.verify(token, 'refresh')),
      'TOKEN_WRONG_TYPE',
    );
    const [header, body, signature] = token.split('.') as [string, string, string];
    const flipped = signature.at(-2) === 'A' ? 'B' : 'A';
    assert.equal(
      code(() => issuer.verify(`${header}.${body}.${signature.slice(0, -2)}${flipped}${signature.at(-1)}`, 'access')),
      'TOKEN_INVALID',
    );
    moving.advance(60_000);
    assert.equal(
      code(() => issuer.verify(token, 'access')),
      'TOKEN_EXPIRED',
    );
  });

  test('more tokens than are remembered: the first ones still verify, forgeries still fail', () => {
    const issued = Array.from({ length: 10_050 }, (_, i) => tokens.issue('access', `u-${i}`, 's-1', `j-${i}`, 60).token);
    for (const token of issued) tokens.verify(token, 'access');
    assert.equal(tokens.verify(issued[0]!, 'access').sub, 'u-0');
    assert.equal(tokens.verify(issued[10_049]!, 'access').sub, 'u-10049');
    const forged = createSigner({ key: 'another-secret-of-at-least-32-bytes!!', algorithm: 'HS256' })({ ...claims });
    assert.equal(
      code(() => tokens.verify(forged, 'access')),
      'TOKEN_INVALID',
    );
  });
});
