// Every surface answers every core error code on purpose: the maps are total
// (checked by tsc, proven below with @ts-expect-error) and every answer is a
// deliberate 4xx or 503, never a 500 by omission.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { SURFACES } from '../../src/surfaces/registry.ts';
import type { ErrorMap } from '../../src/surfaces/shared/error-map.ts';

describe('error maps: surfaces x codes', () => {
  test('a map that forgets a code does not type-check', () => {
    // @ts-expect-error RATE_LIMITED (and every other code) is missing: an incomplete map is a compile error
    const incomplete: ErrorMap = { STORE_UNAVAILABLE: [503, 'x'] };
    assert.ok(incomplete);
  });

  const codes = Object.keys(ERROR_CODES).filter((c) => c !== 'VALIDATION_FAILED') as Array<keyof ErrorMap>;
  for (const surface of SURFACES) {
    for (const [name, map] of Object.entries(surface.errors)) {
      test(`${name}: every code has a 4xx or 503 answer with a message`, () => {
        for (const code of codes) {
          const answer = map[code];
          assert.ok(answer, `${name} has no answer for ${code}`);
          const [status, message] = answer;
          assert.ok((status >= 400 && status < 500) || status === 503, `${name} ${code}: ${status}`);
          assert.ok(message.length > 0, `${name} ${code}: empty message`);
        }
        // the shared meanings hold on every surface
        assert.equal(map.RATE_LIMITED[0], 429, name);
        assert.equal(map.STORE_UNAVAILABLE[0], 503, name);
        assert.equal(map.TOKEN_MISSING[0], 401, name);
        assert.equal(map.USER_DISABLED[0], 403, name);
        assert.equal(map.ACCOUNT_LOCKED[0], 423, name);
      });
    }
  }

  test('envelope maps name a code for every answer', () => {
    for (const surface of SURFACES) {
      for (const [name, map] of Object.entries(surface.errors)) {
        if (!name.includes('envelope') && name !== 'v1-users') continue;
        for (const code of codes) assert.match(map[code][2] ?? '', /^[A-Z_]+$/, `${name} ${code}`);
      }
    }
  });
});
