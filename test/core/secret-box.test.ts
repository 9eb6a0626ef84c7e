import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SecretBox } from '../../src/core/secret-box.ts';
import { TEST_ENCRYPTION_KEY } from '../helpers/core.ts';

describe('SecretBox', () => {
  const box = new SecretBox(TEST_ENCRYPTION_KEY);

  test('opens what it sealed, for the same context; each seal is different (fresh IV) and hides the text', () => {
    const a = box.seal('the private key', 'signing-key:k1');
    const b = box.seal('the private key', 'signing-key:k1');
    assert.notEqual(a, b);
    assert.ok(!a.includes('private'));
    assert.match(a, /^gh1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(box.open(a, 'signing-key:k1'), 'the private key');
    assert.equal(box.open(b, 'signing-key:k1'), 'the private key');
    assert.equal(box.open(box.seal('', 'empty'), 'empty'), '');
  });

  test('refuses another key, another context, an altered value, another format', () => {
    const sealed = box.seal('totp secret', 'totp:user-1');
    assert.throws(() => new SecretBox('another-key-that-is-also-32-bytes-long!').open(sealed, 'totp:user-1'), /MFA_ENCRYPTION_KEY is not the key/);
    assert.throws(() => box.open(sealed, 'totp:user-2'), /does not open/);
    const [format, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    assert.throws(() => box.open([format, iv, flipped.toString('base64url'), tag].join('.'), 'totp:user-1'), /does not open/);
    assert.throws(() => box.open(`gh0.${iv}.${body}.${tag}`, 'totp:user-1'), /not in the gh1 format/);
    assert.throws(() => box.open('plain text', 'totp:user-1'), /not in the gh1 format/);
  });

  test('a key shorter than 32 bytes is refused', () => {
    assert.throws(() => new SecretBox('short'), /at least 32 bytes/);
  });
});
