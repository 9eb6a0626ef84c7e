import { createCore, type Core } from '../../src/core/core.ts';
import type { HashSettings } from '../../src/core/passwords.ts';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { Stores } from '../../src/core/ports/stores.ts';
import type { UpstreamProtocol } from '../../src/core/ports/upstream.ts';
import { SecretBox } from '../../src/core/secret-box.ts';
import type { SecondFactorSettings } from '../../src/core/second-factors/settings.ts';
import { memoryStores } from '../../src/store/memory/memory-stores.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-at-least-32-bytes-long';

/** A core over memory stores with a manual clock. */
export function testCore(
  options: {
    stores?: Stores;
    hash?: HashSettings;
    secret?: string;
    secondFactors?: Partial<SecondFactorSettings>;
    upstream?: UpstreamProtocol;
    consoleProviders?: boolean;
  } = {},
): Core & { clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const core = createCore({
    stores: options.stores ?? memoryStores(),
    keys: { current: options.secret ?? TEST_SECRET },
    secretBox: new SecretBox(TEST_ENCRYPTION_KEY),
    clock,
    hash: options.hash,
    secondFactors: options.secondFactors,
    upstream: options.upstream,
    consoleProviders: options.consoleProviders,
    publicUrl: 'https://id.example.com',
  });
  return { ...core, clock };
}
