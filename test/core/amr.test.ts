// Which sign-ins showed a second factor, by their amr (RFC 8176): the rule
// behind the id_token's acr (and any other "was a second factor used" check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { showsSecondFactor } from '../../src/core/second-factors/amr.ts';

test('an authenticator or recovery code (otp, mfa) or a passkey (hwk, swk) shows a second factor; a password alone does not', () => {
  for (const amr of [['pwd', 'otp', 'mfa'], ['otp'], ['mfa'], ['hwk'], ['swk'], ['hwk', 'mfa'], ['pwd', 'swk']])
    assert.equal(showsSecondFactor(amr), true, amr.join(' '));
  for (const amr of [['pwd'], [], undefined, ['pwd', 'kba']]) assert.equal(showsSecondFactor(amr), false, String(amr));
});
