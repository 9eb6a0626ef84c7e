import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { naiveUtc, zuluOrNull, zuluUtc } from '../../../src/surfaces/shared/timestamps.ts';

test('timestamps are UTC to the second, with and without the zone', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
      const d = new Date(ms);
      const pad = (n: number, width = 2) => String(n).padStart(width, '0');
      const expected = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      assert.equal(naiveUtc(ms), expected);
      assert.equal(zuluUtc(ms), `${expected}Z`);
    }),
  );
  assert.equal(zuluOrNull(null), null);
  assert.equal(zuluOrNull(Date.UTC(2024, 0, 1, 12)), '2024-01-01T12:00:00Z');
});
