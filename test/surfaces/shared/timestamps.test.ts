import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { naiveUtc, zuluOrNull, zuluUtc } from '../../../src/surfaces/shared/timestamps.ts';

test('timestamps read the same the first time, when remembered, and after the memory is emptied', () => {
  const instant = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) });
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 6000 }), (list) => {
      for (const ms of [...list, ...list]) {
        const iso = new Date(ms).toISOString().slice(0, 19);
        assert.equal(naiveUtc(ms), iso);
        assert.equal(zuluUtc(ms), `${iso}Z`);
      }
    }),
    { numRuns: 20 },
  );
  assert.equal(zuluOrNull(null), null);
  assert.equal(zuluOrNull(Date.UTC(2024, 0, 1, 12)), '2024-01-01T12:00:00Z');
});
