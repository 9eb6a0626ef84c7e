// The per-request cache of sessions and users fails closed: an entry is re-read once
// it is 60 s old whatever the freshness signals say, and what it hands out is frozen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/ports/clock.ts';
import type { Session } from '../../src/core/ports/session-store.ts';
import { AuthReadCache, CACHE_MAX_AGE_MS } from '../../src/store/cache/auth-read-cache.ts';

const session = (id: string): Session => ({
  id,
  userId: 7,
  createdAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
  accessJti: 'jti',
  previousAccessJti: null,
  rotatedAt: 0,
  refreshHash: null,
  rememberMe: false,
  ip: null,
  userAgent: null,
  lastSeenAt: 0,
});

// Freshness that never signals a change: only the age bound can make the cache re-read.
const silent = { generation: () => 'g' };

test('an entry older than 60 s is re-read, even when nothing signalled a change', async () => {
  assert.equal(CACHE_MAX_AGE_MS, 60_000);
  const clock = new ManualClock(1_000_000);
  const cache = new AuthReadCache(silent, clock);
  let loads = 0;
  const load = async () => {
    loads++;
    return session('s1');
  };
  await cache.session('s1', load);
  await cache.session('s1', load);
  assert.equal(loads, 1, 'served from memory while young');
  clock.advance(CACHE_MAX_AGE_MS - 1);
  await cache.session('s1', load);
  assert.equal(loads, 1);
  clock.advance(1);
  await cache.session('s1', load);
  assert.equal(loads, 2, 're-read at 60 s');
  // a session that ended in the store meanwhile is then gone
  clock.advance(CACHE_MAX_AGE_MS);
  assert.equal(await cache.session('s1', async () => null), null);
  // users too
  let userLoads = 0;
  const loadUser = async () => {
    userLoads++;
    return { id: 7 } as never;
  };
  await cache.user(7, loadUser);
  clock.advance(CACHE_MAX_AGE_MS);
  await cache.user(7, loadUser);
  assert.equal(userLoads, 2);
});

test('cached objects are frozen: writing into one throws and changes nothing for the next reader', async () => {
  const cache = new AuthReadCache(silent, new ManualClock());
  const first = (await cache.session('s2', async () => session('s2')))!;
  assert.ok(Object.isFrozen(first));
  assert.throws(() => {
    (first as { userId: number }).userId = 666;
  }, TypeError);
  const again = (await cache.session('s2', async () => session('s2')))!;
  assert.equal(again.userId, 7);
  // a touch replaces the entry instead of writing into the object others hold
  cache.touched('s2', 123);
  assert.equal(first.lastSeenAt, 0);
  const touched = (await cache.session('s2', async () => session('s2')))!;
  assert.equal(touched.lastSeenAt, 123);
  assert.ok(Object.isFrozen(touched));
  const user = await cache.user(9, async () => ({ id: 9, status: 'active' }) as never);
  assert.throws(() => {
    (user as { status: string }).status = 'disabled';
  }, TypeError);
});
