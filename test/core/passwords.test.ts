import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { checkPasswordPolicy, isSupportedHash, PasswordHasher } from '../../src/core/passwords.ts';
import { GatehouseError } from '../../src/core/errors.ts';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  test('hashes with argon2id at the OWASP settings by default', async () => {
    const stored = await hasher.hash('correct-horse-42');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await hasher.verify(stored, 'correct-horse-42'), { ok: true, needsRehash: false });
    assert.deepEqual(await hasher.verify(stored, 'wrong-horse-42'), { ok: false, needsRehash: false });
  });

  test('PASSWORD_HASH=argon2i makes argon2i hashes', async () => {
    const legacy = new PasswordHasher({ algorithm: 'argon2i', memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.match(await legacy.hash('pw-123456'), /^\$argon2i\$/);
  });

  test('verifies argon2i hashes made elsewhere and asks for a re-hash', async () => {
    const legacy = await hash('old-secret-1', { algorithm: 1 as never, memoryCost: 65536, timeCost: 3, parallelism: 4 });
    assert.match(legacy, /^\$argon2i\$v=19\$m=65536,t=3,p=4\$/);
    assert.deepEqual(await hasher.verify(legacy, 'old-secret-1'), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(legacy, 'old-secret-2'), { ok: false, needsRehash: false });
  });

  test('an argon2id hash with other costs needs a re-hash too', async () => {
    const cheap = await hash('pw-123456', { algorithm: 2 as never, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    assert.deepEqual(await hasher.verify(cheap, 'pw-123456'), { ok: true, needsRehash: true });
  });

  test('bcrypt hashes from other systems verify and ask for a re-hash; over 72 bytes never matches', async () => {
    const stored = bcrypt.hashSync('imported-pass-1', 4);
    assert.deepEqual(await hasher.verify(stored, 'imported-pass-1'), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(stored, 'imported-pass-2'), { ok: false, needsRehash: false });
    const long = 'x'.repeat(72);
    const longHash = bcrypt.hashSync(long, 4);
    assert.equal((await hasher.verify(longHash, `${long}anything-after-72-bytes`)).ok, false);
    assert.ok(isSupportedHash(stored));
    assert.ok(!isSupportedHash('$2b$04$short'));
  });

  test('damaged or foreign hash strings never match', async () => {
    for (const stored of ['', 'plaintext', '$argon2id$v=19$garbage', '$2b$12$abcdefghijklmnopqrstuv', '$argon2i$v=19$m=65536,t=3,p=4$AAAA$BBBB']) {
      assert.deepEqual(await hasher.verify(stored, 'anything'), { ok: false, needsRehash: false }, stored);
    }
  });
});

describe('password policy', () => {
  test('8 to 128 characters', () => {
    assert.throws(
      () => checkPasswordPolicy('1234567'),
      (e: GatehouseError) => e.code === 'VALIDATION_FAILED' && e.field === 'password',
    );
    checkPasswordPolicy('12345678');
    checkPasswordPolicy('x'.repeat(128));
    assert.throws(() => checkPasswordPolicy('x'.repeat(129)), GatehouseError);
  });

  test('counts characters, not UTF-16 units', () => {
    checkPasswordPolicy('🔑'.repeat(8));
    assert.throws(() => checkPasswordPolicy('🔑'.repeat(7)), GatehouseError);
  });

  test('the letter-and-digit rule, when asked for', () => {
    assert.throws(() => checkPasswordPolicy('abcdefgh', { requireLetterAndDigit: true }), GatehouseError);
    assert.throws(() => checkPasswordPolicy('12345678', { requireLetterAndDigit: true }), GatehouseError);
    checkPasswordPolicy('abcdefg1', { requireLetterAndDigit: true });
    checkPasswordPolicy('abcdefgh');
  });
});
