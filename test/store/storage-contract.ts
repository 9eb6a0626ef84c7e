import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProductInput } from '../../src/core/ports/product-store.ts';
import type { Session } from '../../src/core/ports/session-store.ts';
import type { Stores } from '../../src/core/ports/stores.ts';
import { UniqueViolation, type NewUser, type User } from '../../src/core/ports/user-store.ts';
import { identityContract } from './identity-contract.ts';
import type { OutboxEvent, WebhookEndpoint, WebhookSecret } from '../../src/core/ports/webhook-store.ts';
import type { Invitation, Membership, Organization } from '../../src/core/ports/organization-store.ts';

// In the future of the real clock: Redis expires keys by real time.
const T0 = Date.now() + 24 * 3600_000;
const RULE = { maxFailures: 3, windowMs: 60_000, lockMs: 120_000 };
let seq = 0;

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  seq += 1;
  return {
    uuid: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    email: `u${seq}@example.com`,
    username: `User${seq}`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    createdAt: T0,
    ...overrides,
  };
}

function endpoint(id: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id,
    url: `https://hooks.example.com/${id}`,
    description: '',
    eventTypes: [],
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

const secretOf = (endpointId: string, id = `wsk_${endpointId}`, createdAt = T0): WebhookSecret => ({
  id,
  endpointId,
  sealedSecret: `gh1.sealed.${id}`,
  createdAt,
  expiresAt: null,
});

function event(type: string, at = T0): OutboxEvent {
  seq += 1;
  return { id: `msg_${seq}`, type, createdAt: at, body: JSON.stringify({ type, n: seq }) };
}

/** The events of a user write: made from the row the store wrote. */
const eventsFor =
  (type: string) =>
  (user: User): OutboxEvent[] => [{ ...event(type), body: JSON.stringify({ type, id: user.id, email: user.email }) }];

function session(userId: number, overrides: Partial<Session> = {}): Session {
  seq += 1;
  return {
    id: `s${seq}`,
    userId,
    createdAt: T0,
    expiresAt: T0 + 3600_000,
    accessJti: `j${seq}`,
    previousAccessJti: null,
    rotatedAt: T0,
    refreshHash: null,
    rememberMe: false,
    ip: '127.0.0.1',
    userAgent: 'test',
    lastSeenAt: T0,
    ...overrides,
  };
}

/**
 * The behaviour every storage adapter must show. Each adapter's test file calls
 * this with a factory that returns fresh, empty stores.
 */
export interface StoreTraits {
  /** Sessions and reset tokens expire by themselves (Redis): purge has nothing to do. */
  selfExpiring?: boolean;
}

export function storageContract(name: string, open: () => Promise<Stores>, traits: StoreTraits = {}): void {
  describe(`storage contract: ${name}`, () => {
    const withStores = (fn: (s: Stores) => Promise<void>) => async () => {
      const stores = await open();
      try {
        await fn(stores);
      } finally {
        await stores.close();
      }
    };

    test(
      'users: create applies defaults and finds by id, uuid, email, username (any case)',
      withStores(async ({ users }) => {
        const made = await users.create(newUser({ email: 'alice@example.com', username: 'Alice' }));
        assert.equal(typeof made.id, 'number');
        assert.equal(made.status, 'active');
        assert.equal(made.language, 'zh');
        assert.equal(made.timezone, 'Asia/Shanghai');
        assert.equal(made.theme, 'light');
        assert.deepEqual(made.notifications, { email: true, push: false });
        assert.equal(made.loginCount, 0);
        assert.equal(made.isSuperuser, false);
        assert.equal(made.updatedAt, T0);
        assert.deepEqual(await users.findById(made.id), made);
        assert.deepEqual(await users.findByUuid(made.uuid), made);
        assert.deepEqual(await users.findByEmail('alice@example.com'), made);
        assert.deepEqual(await users.findByUsername('aLiCe'), made);
        assert.equal(await users.findById(made.id + 1000), null);
        assert.equal(await users.findByEmail('nobody@example.com'), null);
      }),
    );

    test(
      'users: email and username are unique (usernames case-insensitively); nulls are not',
      withStores(async ({ users }) => {
        await users.create(newUser({ email: 'dup@example.com', username: 'Dup' }));
        await assert.rejects(users.create(newUser({ email: 'dup@example.com' })), (e: UniqueViolation) => e.field === 'email');
        await assert.rejects(users.create(newUser({ username: 'DUP' })), (e: UniqueViolation) => e.field === 'username');
        await users.create(newUser({ email: null }));
        await users.create(newUser({ email: null }));
        await users.create(newUser({ username: null }));
        await users.create(newUser({ username: null }));
      }),
    );

    test(
      'users: concurrent creates of one email make exactly one account',
      withStores(async ({ users }) => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => users.create(newUser({ email: 'race@example.com' }))));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof UniqueViolation);
      }),
    );

    test(
      'users: an explicit id is kept',
      withStores(async ({ users }) => {
        const made = await users.create(newUser({ id: 4242 }));
        assert.equal(made.id, 4242);
        await assert.rejects(users.create(newUser({ id: 4242 })), UniqueViolation);
        const next = await users.create(newUser());
        assert.notEqual(next.id, 4242);
      }),
    );

    test(
      'users: update changes only what is given and returns the record',
      withStores(async ({ users }) => {
        const made = await users.create(newUser({ firstName: 'A', phone: '1' }));
        const updated = await users.update(made.id, { nickname: 'nick', notifications: { email: false, push: true }, age: 30, updatedAt: T0 + 5 });
        assert.equal(updated?.nickname, 'nick');
        assert.equal(updated?.firstName, 'A');
        assert.equal(updated?.phone, '1');
        assert.equal(updated?.age, 30);
        assert.deepEqual(updated?.notifications, { email: false, push: true });
        assert.equal(updated?.updatedAt, T0 + 5);
        assert.deepEqual(await users.findById(made.id), updated);
        assert.equal(await users.update(made.id + 1000, { nickname: 'x', updatedAt: T0 }), null);
      }),
    );

    test(
      'users: update to a taken email or username is refused and changes nothing',
      withStores(async ({ users }) => {
        await users.create(newUser({ email: 'taken@example.com', username: 'Taken' }));
        const me = await users.create(newUser());
        await assert.rejects(users.update(me.id, { email: 'taken@example.com', updatedAt: T0 }), (e: UniqueViolation) => e.field === 'email');
        await assert.rejects(users.update(me.id, { username: 'taken', updatedAt: T0 }), (e: UniqueViolation) => e.field === 'username');
        assert.deepEqual(await users.findById(me.id), me);
      }),
    );

    test(
      'users: recordLogin bumps the count, sets the time, and may replace the hash',
      withStores(async ({ users }) => {
        const made = await users.create(newUser());
        await users.recordLogin(made.id, T0 + 10);
        await users.recordLogin(made.id, T0 + 20, '$argon2id$new');
        const after = await users.findById(made.id);
        assert.equal(after?.loginCount, 2);
        assert.equal(after?.lastLoginAt, T0 + 20);
        assert.equal(after?.passwordHash, '$argon2id$new');
      }),
    );

    test(
      'users: list pages in id order and searches email/username',
      withStores(async ({ users }) => {
        const a = await users.create(newUser({ email: 'find-me@example.com' }));
        const b = await users.create(newUser({ username: 'FindMeToo' }));
        await users.create(newUser());
        const all = await users.list({ limit: 10, offset: 0 });
        assert.equal(all.length, 3);
        assert.deepEqual(
          all.map((u) => u.id),
          [...all.map((u) => u.id)].sort((x, y) => x - y),
        );
        assert.equal((await users.list({ limit: 1, offset: 1 }))[0]?.id, all[1]?.id);
        assert.deepEqual(
          (await users.list({ limit: 10, offset: 0, search: 'find' })).map((u) => u.id),
          [a.id, b.id],
        );
        assert.deepEqual(await users.list({ limit: 10, offset: 0, search: '%' }), []);
      }),
    );

    test(
      'users: delete removes the user',
      withStores(async ({ users }) => {
        const made = await users.create(newUser());
        assert.equal(await users.delete(made.id), true);
        assert.equal(await users.findById(made.id), null);
        assert.equal(await users.delete(made.id), false);
      }),
    );

    test(
      'sessions: create, get, delete',
      withStores(async ({ users, sessions }) => {
        const u = await users.create(newUser());
        const s = session(u.id, { rememberMe: true, refreshHash: 'fp' });
        await sessions.create(s);
        assert.deepEqual(await sessions.get(s.id), s);
        assert.equal(await sessions.delete(s.id), true);
        assert.equal(await sessions.get(s.id), null);
        assert.equal(await sessions.delete(s.id), false);
      }),
    );

    test(
      'sessions: rotate is a compare-and-set on the current jti',
      withStores(async ({ users, sessions }) => {
        const u = await users.create(newUser());
        const s = session(u.id, { accessJti: 'a1', refreshHash: 'r1' });
        await sessions.create(s);
        assert.equal(await sessions.rotate(s.id, { expectedJti: 'a1', newJti: 'a2', at: T0 + 1, keepPrevious: true }), true);
        assert.equal(await sessions.rotate(s.id, { expectedJti: 'a1', newJti: 'a3', at: T0 + 2, keepPrevious: true }), false);
        let now = await sessions.get(s.id);
        assert.equal(now?.accessJti, 'a2');
        assert.equal(now?.previousAccessJti, 'a1');
        assert.equal(now?.rotatedAt, T0 + 1);
        assert.equal(now?.refreshHash, 'r1');
        assert.equal(
          await sessions.rotate(s.id, { expectedJti: 'a2', newJti: 'a3', at: T0 + 3, keepPrevious: false, expectedRefreshHash: 'other', newRefreshHash: 'r2' }),
          false,
        );
        assert.equal(
          await sessions.rotate(s.id, { expectedJti: 'a2', newJti: 'a3', at: T0 + 3, keepPrevious: false, expectedRefreshHash: 'r1', newRefreshHash: 'r2' }),
          true,
        );
        now = await sessions.get(s.id);
        assert.equal(now?.accessJti, 'a3');
        assert.equal(now?.previousAccessJti, null);
        assert.equal(now?.refreshHash, 'r2');
        assert.equal(await sessions.rotate('missing', { expectedJti: 'a3', newJti: 'a4', at: T0, keepPrevious: true }), false);
      }),
    );

    test(
      'sessions: concurrent rotations of one jti let exactly one through',
      withStores(async ({ users, sessions }) => {
        const u = await users.create(newUser());
        const s = session(u.id, { accessJti: 'c0' });
        await sessions.create(s);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => sessions.rotate(s.id, { expectedJti: 'c0', newJti: `c${i + 1}`, at: T0, keepPrevious: true })),
        );
        assert.equal(results.filter(Boolean).length, 1);
      }),
    );

    test(
      'sessions: end all of a user, optionally but one; list; purge expired',
      withStores(async ({ users, sessions }) => {
        const u = await users.create(newUser());
        const other = await users.create(newUser());
        const [a, b, c] = [session(u.id), session(u.id, { expiresAt: T0 + 10 }), session(u.id)];
        const theirs = session(other.id);
        for (const s of [a, b, c, theirs]) await sessions.create(s);
        assert.deepEqual((await sessions.listForUser(u.id)).map((s) => s.id).sort(), [a.id, b.id, c.id].sort());
        if (!traits.selfExpiring) {
          assert.equal(await sessions.purgeExpired(T0 + 10), 1);
          assert.equal(await sessions.get(b.id), null);
        } else {
          await sessions.delete(b.id);
        }
        assert.equal(await sessions.deleteForUser(u.id, a.id), 1);
        assert.deepEqual(
          (await sessions.listForUser(u.id)).map((s) => s.id),
          [a.id],
        );
        assert.equal(await sessions.deleteForUser(u.id), 1);
        assert.ok(await sessions.get(theirs.id));
      }),
    );

    test(
      'attempt budgets: slots within the window, a lock when the last slot fails, start over after it',
      withStores(async ({ lockouts }) => {
        const key = `password:${++seq}`;
        assert.equal(await lockouts.get(key), null);
        assert.deepEqual(await lockouts.reserve(key, T0, RULE), { granted: true });
        assert.equal(await lockouts.fail(key, T0, RULE), false, 'one failure of three does not lock');
        assert.deepEqual(await lockouts.reserve(key, T0 + 1000, RULE), { granted: true });
        await lockouts.release(key);
        assert.deepEqual(await lockouts.get(key), { count: 1, lockedUntil: null }, 'a released slot is given back');
        assert.deepEqual(await lockouts.reserve(key, T0 + 1000, RULE), { granted: true });
        assert.deepEqual(await lockouts.reserve(key, T0 + 2000, RULE), { granted: true });
        assert.deepEqual(await lockouts.reserve(key, T0 + 2000, RULE), { granted: false, locked: false, retryAt: T0 + RULE.windowMs }, 'every slot is taken');
        assert.equal(await lockouts.fail(key, T0 + 2000, RULE), true, 'the failure that fills the window locks');
        assert.equal(await lockouts.fail(key, T0 + 2000, RULE), false, 'and only that one reports it');
        assert.deepEqual(await lockouts.get(key), { count: 3, lockedUntil: T0 + 2000 + RULE.lockMs });
        assert.deepEqual(await lockouts.reserve(key, T0 + 3000, RULE), { granted: false, locked: true, retryAt: T0 + 2000 + RULE.lockMs });
        // after the lock has passed, counting starts over
        assert.deepEqual(await lockouts.reserve(key, T0 + 2000 + RULE.lockMs, RULE), { granted: true });
        assert.deepEqual(await lockouts.get(key), { count: 1, lockedUntil: null });
        // a stale window starts over too
        assert.deepEqual(await lockouts.reserve(key, T0 + 2000 + RULE.lockMs + RULE.windowMs, RULE), { granted: true });
        assert.deepEqual(await lockouts.get(key), { count: 1, lockedUntil: null });
        await lockouts.clear(key);
        assert.equal(await lockouts.get(key), null);
        assert.equal(await lockouts.fail(key, T0, RULE), false, 'a failure after a clear locks nothing');
      }),
    );

    test(
      "attempt budgets: 40 concurrent reservations get exactly the rule's slots, and one lock is reported",
      withStores(async ({ lockouts }) => {
        const key = `password:${++seq}`;
        const rule = { ...RULE, maxFailures: 5 };
        const answers = await Promise.all(Array.from({ length: 40 }, () => lockouts.reserve(key, T0, rule)));
        assert.equal(answers.filter((a) => a.granted).length, 5);
        const locks = await Promise.all(Array.from({ length: 5 }, () => lockouts.fail(key, T0, rule)));
        assert.equal(locks.filter(Boolean).length, 1);
        assert.deepEqual(await lockouts.get(key), { count: 5, lockedUntil: T0 + rule.lockMs });
        const other = `email-code:${seq}`;
        assert.deepEqual(await lockouts.reserve(other, T0, rule), { granted: true }, 'budgets are apart');
      }),
    );

    test(
      'resets: a token is spent once, and not after it expires',
      withStores(async ({ users, resets }) => {
        const u = await users.create(newUser());
        await resets.create({ tokenHash: 'h1', userId: u.id, createdAt: T0, expiresAt: T0 + 1000 });
        await resets.create({ tokenHash: 'h2', userId: u.id, createdAt: T0, expiresAt: T0 + 1000 });
        assert.equal(await resets.consume('h1', T0 + 10), u.id);
        assert.equal(await resets.consume('h1', T0 + 20), null);
        assert.equal(await resets.consume('h2', T0 + 1000), null);
        assert.equal(await resets.consume('unknown', T0), null);
        if (!traits.selfExpiring) assert.equal(await resets.purge(T0 + 2000), 2);
      }),
    );

    test(
      'resets: concurrent spends of one token let exactly one through',
      withStores(async ({ users, resets }) => {
        const u = await users.create(newUser());
        await resets.create({ tokenHash: 'race', userId: u.id, createdAt: T0, expiresAt: T0 + 1000 });
        const results = await Promise.all(Array.from({ length: 10 }, () => resets.consume('race', T0 + 1)));
        assert.equal(results.filter((r) => r === u.id).length, 1);
      }),
    );

    test(
      'resets: a live token can be checked without spending it; every token of a user can be ended at once',
      withStores(async ({ users, resets }) => {
        const u = await users.create(newUser());
        const other = await users.create(newUser());
        for (const hash of ['a1', 'a2', 'a3']) await resets.create({ tokenHash: hash, userId: u.id, createdAt: T0, expiresAt: T0 + 1000 });
        await resets.create({ tokenHash: 'b1', userId: other.id, createdAt: T0, expiresAt: T0 + 1000 });
        assert.equal(await resets.isLive('a1', T0), true);
        assert.equal(await resets.isLive('a1', T0), true, 'checking spends nothing');
        assert.equal(await resets.isLive('a1', T0 + 1000), false, 'expired');
        assert.equal(await resets.isLive('unknown', T0), false);
        assert.equal(await resets.consume('a3', T0), u.id);
        assert.equal(await resets.isLive('a3', T0), false, 'used');
        await resets.revokeForUser(u.id);
        assert.equal(await resets.consume('a1', T0), null);
        assert.equal(await resets.consume('a2', T0), null);
        assert.equal(await resets.consume('b1', T0), other.id, "another user's token lives on");
        // tokens made after the revocation work
        await resets.create({ tokenHash: 'a4', userId: u.id, createdAt: T0, expiresAt: T0 + 1000 });
        assert.equal(await resets.consume('a4', T0), u.id);
      }),
    );

    test(
      "verifications: cancelling ends the user's challenges on every channel, and no one else's",
      withStores(async ({ users, verifications }) => {
        const u = await users.create(newUser());
        const other = await users.create(newUser());
        const base = { createdAt: T0, expiresAt: T0 + 1000, attemptsLeft: 3 };
        await verifications.put({ ...base, userId: u.id, channel: 'email', target: u.email!, tokenHash: `ve${u.id}`, codeHash: 'c' });
        await verifications.put({ ...base, userId: u.id, channel: 'phone', target: '+8613800000000', tokenHash: `vp${u.id}`, codeHash: 'c' });
        await verifications.put({ ...base, userId: other.id, channel: 'email', target: other.email!, tokenHash: `ve${other.id}`, codeHash: 'c' });
        await verifications.cancelForUser(u.id);
        assert.deepEqual(await verifications.tryCode(u.id, 'email', 'c', T0), { result: 'none' });
        assert.deepEqual(await verifications.tryCode(u.id, 'phone', 'c', T0), { result: 'none' });
        assert.equal((await verifications.tryCode(other.id, 'email', 'c', T0)).result, 'ok');
      }),
    );

    test(
      'outbox: add, then list newest first',
      withStores(async ({ outbox }) => {
        const a = await outbox.add({ to: 'a@example.com', subject: 's1', text: 'body 1\nline 2' }, T0);
        const b = await outbox.add({ to: 'b@example.com', subject: 's2', text: 'body 2' }, T0 + 1);
        assert.ok(b.id > a.id);
        assert.deepEqual(await outbox.list(10), [
          { id: b.id, to: 'b@example.com', subject: 's2', text: 'body 2', createdAt: T0 + 1 },
          { id: a.id, to: 'a@example.com', subject: 's1', text: 'body 1\nline 2', createdAt: T0 },
        ]);
        assert.equal((await outbox.list(1)).length, 1);
      }),
    );

    test(
      'products: upsert by id keeps views; popular order; disabled hidden; views add up',
      withStores(async ({ products }) => {
        const p = (id: number, extra: Partial<ProductInput> = {}): ProductInput => ({
          id,
          model: `M${id}`,
          quantity: 1,
          image: `catalog/${id}.png`,
          price: 1.25,
          name: `P${id}`,
          description: '<b>x</b>',
          featuredRank: null,
          status: 'enabled',
          ...extra,
        });
        assert.deepEqual(
          await products.upsertMany([p(1), p(2, { featuredRank: 2 }), p(3, { featuredRank: 1 }), p(4), p(5, { status: 'disabled', featuredRank: 1 })], T0),
          { inserted: 5, updated: 0 },
        );
        assert.equal(await products.count(), 5);
        await products.addViews(
          new Map([
            [4, 3],
            [1, 1],
            [999, 5],
          ]),
        );
        assert.deepEqual(
          (await products.popular(10)).map((x) => x.id),
          [3, 2, 4, 1],
        );
        assert.deepEqual(await products.upsertMany([p(4, { name: 'renamed', price: 9.99 }), p(6)], T0), { inserted: 1, updated: 1 });
        const four = await products.get(4);
        assert.deepEqual([four?.name, four?.price, four?.viewed, four?.description], ['renamed', 9.99, 3, '<b>x</b>']);
        assert.deepEqual(
          (await products.popular(2)).map((x) => x.id),
          [3, 2],
        );
        assert.equal(await products.get(404), null);
      }),
    );

    test(
      'products: an import of many rows in one call',
      withStores(async ({ products }) => {
        const many = Array.from(
          { length: 1234 },
          (_, i): ProductInput => ({
            id: i + 1,
            model: `M${i}`,
            quantity: i,
            image: `catalog/${i}.png`,
            price: i / 100,
            name: `P${i}`,
            description: '',
            featuredRank: null,
            status: 'enabled',
          }),
        );
        assert.deepEqual(await products.upsertMany(many, T0), { inserted: 1234, updated: 0 });
        assert.equal(await products.count(), 1234);
      }),
    );

    test(
      'verifications: one per user and channel; a token is spent once; codes count tries atomically',
      withStores(async (stores) => {
        const user = await stores.users.create(newUser());
        const { verifications } = stores;
        const challenge = (n: string, overrides = {}) => ({
          userId: user.id,
          channel: 'email' as const,
          target: user.email!,
          tokenHash: `t${n}`,
          codeHash: `c${n}`,
          createdAt: T0,
          expiresAt: T0 + 1000,
          attemptsLeft: 3,
          ...overrides,
        });
        await verifications.put(challenge('1'));
        await verifications.put(challenge('2'));
        assert.equal(await verifications.consumeToken('t1', T0), null, 'replaced by the second');
        assert.equal((await verifications.consumeToken('t2', T0))?.userId, user.id);
        assert.equal(await verifications.consumeToken('t2', T0), null, 'spent');
        await verifications.put(challenge('3'));
        assert.equal(await verifications.consumeToken('t3', T0 + 1000), null, 'expired');
        await verifications.put(challenge('4'));
        assert.deepEqual(await verifications.tryCode(user.id, 'email', 'wrong', T0), { result: 'wrong', attemptsLeft: 2 });
        assert.equal((await verifications.tryCode(user.id, 'email', 'c4', T0)).result, 'ok');
        assert.deepEqual(await verifications.tryCode(user.id, 'email', 'c4', T0), { result: 'none' });
        await verifications.put(challenge('5', { attemptsLeft: 5 }));
        const tries = await Promise.all(Array.from({ length: 8 }, () => verifications.tryCode(user.id, 'email', 'wrong', T0)));
        assert.equal(tries.filter((t) => t.result === 'wrong').length, 5, 'exactly five tries, however many race');
        assert.deepEqual(await verifications.tryCode(user.id, 'email', 'c5', T0), { result: 'none' });
        await verifications.put(challenge('6', { channel: 'phone', target: '+1555' }));
        assert.deepEqual(await verifications.tryCode(user.id, 'email', 'c6', T0), { result: 'none' }, 'channels apart');
        assert.equal((await verifications.tryCode(user.id, 'phone', 'c6', T0)).result, 'ok');
      }),
    );

    test(
      'second factors: one TOTP (pending, then confirmed, never overwritten), recovery codes spent once in parallel, passkeys per owner',
      withStores(async (stores) => {
        const user = await stores.users.create(newUser());
        const other = await stores.users.create(newUser());
        const { factors } = stores;
        assert.equal(await factors.getTotp(user.id), null);
        assert.equal(await factors.putPendingTotp({ userId: user.id, sealedSecret: 's1', createdAt: T0, confirmedAt: null }), true);
        assert.equal(
          await factors.putPendingTotp({ userId: user.id, sealedSecret: 's2', createdAt: T0 + 1, confirmedAt: null }),
          true,
          'a pending one is replaced',
        );
        assert.deepEqual(await factors.getTotp(user.id), { userId: user.id, sealedSecret: 's2', createdAt: T0 + 1, confirmedAt: null });
        assert.equal(await factors.confirmTotp(user.id, T0 + 2), true);
        assert.equal(await factors.confirmTotp(user.id, T0 + 3), false, 'confirmed once');
        assert.equal(
          await factors.putPendingTotp({ userId: user.id, sealedSecret: 's3', createdAt: T0 + 4, confirmedAt: null }),
          false,
          'a confirmed one stays',
        );
        assert.deepEqual(await factors.getTotp(user.id), { userId: user.id, sealedSecret: 's2', createdAt: T0 + 1, confirmedAt: T0 + 2 });
        assert.equal(await factors.getTotp(other.id), null);

        await factors.replaceRecoveryCodes(user.id, ['h1', 'h2', 'h3'], T0);
        await factors.replaceRecoveryCodes(other.id, ['h1'], T0);
        assert.equal(await factors.countRecoveryCodes(user.id), 3);
        const spent = await Promise.all(Array.from({ length: 8 }, () => factors.useRecoveryCode(user.id, 'h2')));
        assert.equal(spent.filter(Boolean).length, 1, 'one of eight parallel uses wins');
        assert.equal(await factors.countRecoveryCodes(user.id), 2);
        assert.equal(await factors.countRecoveryCodes(other.id), 1, 'the same hash of another account is its own');
        await factors.replaceRecoveryCodes(user.id, ['h4'], T0);
        assert.equal(await factors.useRecoveryCode(user.id, 'h1'), false, 'replaced codes stop working');
        assert.equal(await factors.useRecoveryCode(user.id, 'h4'), true);

        const key = {
          userId: user.id,
          publicKey: 'pk',
          counter: 0,
          transports: ['internal', 'hybrid'],
          name: 'phone',
          backedUp: true,
          createdAt: T0,
          lastUsedAt: null,
        };
        await factors.addPasskey({ ...key, id: 'cred-a' });
        await factors.addPasskey({ ...key, id: 'cred-b', backedUp: false, transports: [] });
        assert.deepEqual(await factors.findPasskey('cred-a'), { ...key, id: 'cred-a' });
        await factors.usePasskey('cred-a', 7, T0 + 9);
        assert.deepEqual(await factors.findPasskey('cred-a'), { ...key, id: 'cred-a', counter: 7, lastUsedAt: T0 + 9 });
        assert.equal(await factors.renamePasskey(other.id, 'cred-a', 'stolen'), false, 'only its owner renames it');
        assert.equal(await factors.renamePasskey(user.id, 'cred-a', 'laptop'), true);
        assert.equal(await factors.deletePasskey(other.id, 'cred-b'), false, 'only its owner removes it');
        assert.deepEqual(
          (await factors.listPasskeys(user.id)).map((p) => [p.id, p.name, p.backedUp]),
          [
            ['cred-a', 'laptop', true],
            ['cred-b', 'phone', false],
          ],
        );
        assert.equal(await factors.deletePasskey(user.id, 'cred-b'), true);
        assert.equal(await factors.findPasskey('cred-b'), null);

        await factors.deleteAllForUser(user.id);
        assert.equal(await factors.getTotp(user.id), null);
        assert.equal(await factors.countRecoveryCodes(user.id), 0);
        assert.deepEqual(await factors.listPasskeys(user.id), []);
        assert.equal(await factors.countRecoveryCodes(other.id), 1);
      }),
    );

    test(
      'mfa challenges: tries taken atomically, spent once; a TOTP step claimed once per account; ceremonies single use',
      withStores(async (stores) => {
        const user = await stores.users.create(newUser());
        const { mfaChallenges: store } = stores;
        const challenge = { tokenHash: 'm1', userId: user.id, expiresAt: T0 + 300_000, attemptsLeft: 5, rememberMe: true, firstFactor: 'sms' };
        await store.put(challenge);
        assert.deepEqual(await store.takeTry('m1', T0), { ...challenge, attemptsLeft: 4 });
        const tries = await Promise.all(Array.from({ length: 8 }, () => store.takeTry('m1', T0)));
        assert.equal(tries.filter(Boolean).length, 4, 'never more tries than were left, however many race');
        assert.equal(await store.takeTry('m1', T0), null, 'out of tries');
        assert.equal(await store.takeTry('unknown', T0), null);
        await store.put({ ...challenge, tokenHash: 'm2' });
        assert.equal(await store.takeTry('m2', T0 + 300_000), null, 'expired');
        await store.put({ ...challenge, tokenHash: 'm3' });
        const spends = await Promise.all(Array.from({ length: 5 }, () => store.consume('m3')));
        assert.equal(spends.filter(Boolean).length, 1, 'spent by one');
        assert.equal(await store.takeTry('m3', T0), null);

        const steps = await Promise.all(Array.from({ length: 6 }, () => store.claimStep(user.id, 1000, T0 + 90_000)));
        assert.equal(steps.filter(Boolean).length, 1, 'a step is accepted once, however many race');
        assert.equal(await store.claimStep(user.id, 1001, T0 + 90_000), true);
        assert.equal(await store.claimStep(user.id + 1, 1000, T0 + 90_000), true, 'steps are per account');

        await store.putCeremony({ id: 'c1', challenge: 'abc', userId: user.id, expiresAt: T0 + 60_000 });
        await store.putCeremony({ id: 'c2', challenge: 'def', userId: null, expiresAt: T0 + 60_000 });
        assert.deepEqual(await store.takeCeremony('c1', T0), { id: 'c1', challenge: 'abc', userId: user.id, expiresAt: T0 + 60_000 });
        assert.equal(await store.takeCeremony('c1', T0), null, 'single use');
        assert.equal(await store.takeCeremony('c2', T0 + 60_000), null, 'expired');
      }),
    );

    test(
      'users: a verified phone number (its normalised copy) belongs to one account; found by it only while verified',
      withStores(async ({ users }) => {
        const a = await users.create(newUser({ phone: '13800138000', phoneNormalized: '+8613800138000', isPhoneVerified: true }));
        assert.equal(a.phone, '13800138000', 'the number as given');
        assert.equal(a.phoneNormalized, '+8613800138000');
        assert.deepEqual(await users.findByVerifiedPhone('+8613800138000'), a);
        const b = await users.create(newUser({ phone: '+86 138 0013 8000', phoneNormalized: '+8613800138000' }));
        assert.equal((await users.findByVerifiedPhone('+8613800138000'))?.id, a.id, 'an unverified holder is not found');
        await assert.rejects(
          users.update(b.id, { isPhoneVerified: true, updatedAt: T0 + 1 }),
          (e: unknown) => e instanceof UniqueViolation && e.field === 'phone',
        );
        await assert.rejects(
          users.create(newUser({ phoneNormalized: '+8613800138000', isPhoneVerified: true })),
          (e: unknown) => e instanceof UniqueViolation && e.field === 'phone',
        );
        assert.equal((await users.findById(b.id))?.isPhoneVerified, false, 'nothing changed');
        await users.update(a.id, { isPhoneVerified: false, updatedAt: T0 + 2 });
        assert.equal(await users.findByVerifiedPhone('+8613800138000'), null);
        await users.update(b.id, { isPhoneVerified: true, updatedAt: T0 + 3 });
        assert.equal((await users.findByVerifiedPhone('+8613800138000'))?.id, b.id, 'free once the other gave it up');
        const c = await users.create(newUser({ phone: 'not a number', phoneNormalized: null, isPhoneVerified: true }));
        assert.equal((await users.findById(c.id))?.phoneNormalized, null, 'no copy for what is not a number');
      }),
    );

    test(
      'one-time codes: one per target; tries taken atomically, the right code spent once, the last wrong try voids it; links read without spending, spent once',
      withStores(async ({ users, oneTimeCodes: store }) => {
        const user = await users.create(newUser());
        const code = {
          target: 'email:a@example.com',
          codeHash: 'right',
          tokenHash: 'link-1',
          browserHash: 'browser',
          userId: user.id,
          createdAt: T0,
          expiresAt: T0 + 300_000,
          attemptsLeft: 5,
        };
        await store.put(code);
        assert.deepEqual(await store.tryCode('email:a@example.com', 'wrong', T0), { result: 'wrong', attemptsLeft: 4 });
        assert.deepEqual(await store.findByToken('link-1', T0), { ...code, attemptsLeft: 4 }, 'a link is read without spending');
        assert.deepEqual(await store.findByToken('link-1', T0), { ...code, attemptsLeft: 4 });
        const tries = await Promise.all(Array.from({ length: 8 }, () => store.tryCode('email:a@example.com', 'wrong', T0)));
        assert.equal(tries.filter((t) => t.result === 'wrong').length, 4, 'never more tries than were left, however many race');
        assert.deepEqual(await store.tryCode('email:a@example.com', 'right', T0), { result: 'none' }, 'void after its last try');
        assert.equal(await store.findByToken('link-1', T0), null, 'its link goes with it');

        await store.put({ ...code, tokenHash: null, browserHash: null, userId: null, target: 'phone:+8613800138000' });
        const rights = await Promise.all(Array.from({ length: 6 }, () => store.tryCode('phone:+8613800138000', 'right', T0)));
        assert.equal(rights.filter((t) => t.result === 'ok').length, 1, 'the right code signs in once, however many race');
        const ok = rights.find((t) => t.result === 'ok');
        assert.ok(ok?.result === 'ok');
        assert.deepEqual(
          { ...ok.code, attemptsLeft: 0 },
          { ...code, tokenHash: null, browserHash: null, userId: null, target: 'phone:+8613800138000', attemptsLeft: 0 },
          'the code as it was put (its tries left are whatever the race left)',
        );

        await store.put(code);
        await store.put({ ...code, tokenHash: 'link-2', codeHash: 'newer' });
        assert.equal(await store.findByToken('link-1', T0), null, 'a new code replaces the pending one and its link');
        assert.deepEqual(await store.tryCode('email:a@example.com', 'right', T0), { result: 'wrong', attemptsLeft: 4 }, "the old code's hash is gone");
        const spent = await Promise.all(Array.from({ length: 5 }, () => store.consumeToken('link-2', T0)));
        assert.equal(spent.filter(Boolean).length, 1, 'a link is spent by one');
        assert.deepEqual(await store.tryCode('email:a@example.com', 'newer', T0), { result: 'none' }, 'spending the link spends the code');

        await store.put({ ...code, target: 'email:b@example.com', tokenHash: 'link-3' });
        assert.deepEqual(await store.tryCode('email:b@example.com', 'right', T0 + 300_000), { result: 'none' }, 'expired');
        assert.equal(await store.findByToken('link-3', T0 + 300_000), null);
        assert.equal(await store.consumeToken('link-3', T0 + 300_000), null);
        assert.equal(await store.consumeToken('unknown', T0), null);
      }),
    );

    test(
      'oidc payloads: upsert, find, replace, expiry, and the uid and user-code lookups',
      withStores(async ({ oidcPayloads }) => {
        await oidcPayloads.upsert('Session', 's1', { payload: { jti: 's1', uid: 'u1', nested: { a: [1, 'b'] } }, expiresAt: T0 + 1000, uid: 'u1' });
        assert.deepEqual(await oidcPayloads.find('Session', 's1', T0), {
          payload: { jti: 's1', uid: 'u1', nested: { a: [1, 'b'] } },
          expiresAt: T0 + 1000,
          consumedAt: null,
        });
        assert.equal(await oidcPayloads.find('Grant', 's1', T0), null, 'models apart');
        assert.equal((await oidcPayloads.findByUid('Session', 'u1', T0))?.payload.jti, 's1');
        assert.equal(await oidcPayloads.findByUid('Session', 'u2', T0), null);
        assert.equal(await oidcPayloads.find('Session', 's1', T0 + 1000), null, 'gone at its expiry');
        await oidcPayloads.upsert('Session', 's1', { payload: { jti: 's1', v: 2 }, expiresAt: T0 + 5000 });
        assert.deepEqual((await oidcPayloads.find('Session', 's1', T0 + 2000))?.payload, { jti: 's1', v: 2 }, 'replaced');
        await oidcPayloads.upsert('DeviceCode', 'd1', { payload: { userCode: 'ABCD' }, expiresAt: null, userCode: 'ABCD' });
        assert.deepEqual(await oidcPayloads.findByUserCode('DeviceCode', 'ABCD', T0 + 10 ** 9), {
          payload: { userCode: 'ABCD' },
          expiresAt: null,
          consumedAt: null,
        });
        await oidcPayloads.destroy('DeviceCode', 'd1');
        assert.equal(await oidcPayloads.find('DeviceCode', 'd1', T0), null);
      }),
    );

    test(
      'oidc payloads: a consumed code is still found, marked; a grant revocation removes every entry of the grant',
      withStores(async ({ oidcPayloads }) => {
        await oidcPayloads.upsert('AuthorizationCode', 'c1', { payload: { grantId: 'g1' }, expiresAt: T0 + 60_000, grantId: 'g1' });
        await oidcPayloads.upsert('AccessToken', 'a1', { payload: { grantId: 'g1' }, expiresAt: T0 + 3_600_000, grantId: 'g1' });
        await oidcPayloads.upsert('RefreshToken', 'r1', { payload: { grantId: 'g1' }, expiresAt: T0 + 86_400_000, grantId: 'g1' });
        await oidcPayloads.upsert('AccessToken', 'a2', { payload: { grantId: 'g2' }, expiresAt: T0 + 3_600_000, grantId: 'g2' });
        await oidcPayloads.consume('AuthorizationCode', 'c1', T0 + 5);
        assert.equal((await oidcPayloads.find('AuthorizationCode', 'c1', T0 + 10))?.consumedAt, T0 + 5);
        await oidcPayloads.consume('AuthorizationCode', 'unknown', T0 + 5);
        assert.equal(await oidcPayloads.find('AuthorizationCode', 'unknown', T0 + 10), null, 'consuming nothing creates nothing');
        await oidcPayloads.revokeByGrantId('g1', 'AccessToken');
        assert.equal(await oidcPayloads.find('AccessToken', 'a1', T0), null, 'that model revoked');
        assert.ok(await oidcPayloads.find('RefreshToken', 'r1', T0), 'the other models kept');
        await oidcPayloads.revokeByGrantId('g1');
        for (const [model, id] of [
          ['AuthorizationCode', 'c1'],
          ['AccessToken', 'a1'],
          ['RefreshToken', 'r1'],
        ] as const)
          assert.equal(await oidcPayloads.find(model, id, T0), null, `${model} revoked`);
        assert.ok(await oidcPayloads.find('AccessToken', 'a2', T0), 'another grant kept');
      }),
    );

    test(
      'oidc payloads: purge removes what expired, keeps the rest',
      withStores(async ({ oidcPayloads }) => {
        await oidcPayloads.upsert('Interaction', 'i1', { payload: {}, expiresAt: T0 + 10 });
        await oidcPayloads.upsert('Interaction', 'i2', { payload: {}, expiresAt: T0 + 10_000 });
        await oidcPayloads.upsert('Client', 'forever', { payload: {}, expiresAt: null });
        if (!traits.selfExpiring) assert.equal(await oidcPayloads.purge(T0 + 20), 1);
        assert.equal(await oidcPayloads.find('Interaction', 'i1', T0 + 20), null);
        assert.ok(await oidcPayloads.find('Interaction', 'i2', T0 + 20));
        assert.ok(await oidcPayloads.find('Client', 'forever', T0 + 20));
      }),
    );

    test(
      'apps: create, find, list oldest first, new secret, remove; API scopes kept in order',
      withStores(async ({ apps }) => {
        const a = {
          clientId: 'app-a',
          name: 'A',
          secretHash: 'h1',
          redirectUris: ['https://a.example/cb', 'http://127.0.0.1:9/cb'],
          idTokenAlg: 'RS256' as const,
          scopes: ['notes:write', 'notes:read', 'billing.read'],
          createdAt: T0,
        };
        const b = {
          clientId: 'app-b',
          name: '应用 B',
          secretHash: null,
          redirectUris: ['https://b.example/cb'],
          idTokenAlg: 'EdDSA' as const,
          scopes: [],
          createdAt: T0 + 1,
        };
        await apps.create(b);
        await apps.create(a);
        assert.deepEqual(await apps.find('app-a'), a);
        assert.equal(await apps.find('nope'), null);
        assert.deepEqual(await apps.list(), [a, b]);
        assert.equal(await apps.setSecretHash('app-a', 'h2'), true);
        assert.equal((await apps.find('app-a'))?.secretHash, 'h2');
        assert.equal(await apps.setSecretHash('nope', 'h2'), false);
        assert.equal(await apps.delete('app-b'), true);
        assert.equal(await apps.delete('app-b'), false);
        assert.deepEqual(await apps.list(), [{ ...a, secretHash: 'h2' }]);
      }),
    );

    test(
      'signing keys: listed oldest first; a kid is added once; verify_until only moves forward; retired once',
      withStores(async ({ signingKeys }) => {
        const key = (kid: string, createdAt: number) => ({
          kid,
          alg: 'ES256' as const,
          sealedPrivateJwk: `gh1.sealed.${kid}`,
          publicJwk: JSON.stringify({ kty: 'EC', kid }),
          createdAt,
          verifyUntil: createdAt + 1000,
          retiredAt: null,
        });
        assert.deepEqual(await signingKeys.list(), []);
        await signingKeys.add(key('k-new', T0 + 10));
        await signingKeys.add(key('k-old', T0));
        await Promise.all([signingKeys.add({ ...key('k-old', T0 + 99), alg: 'RS256' }), signingKeys.add(key('k-old', T0))]);
        assert.deepEqual(await signingKeys.list(), [key('k-old', T0), key('k-new', T0 + 10)], 'the first add of a kid stands');
        await signingKeys.extend('k-old', T0 + 5000);
        await signingKeys.extend('k-old', T0 + 2000);
        await signingKeys.extend('nobody', T0 + 2000);
        assert.equal((await signingKeys.list())[0]?.verifyUntil, T0 + 5000);
        const retired = await Promise.all([signingKeys.retire('k-new', T0 + 20), signingKeys.retire('k-new', T0 + 30)]);
        assert.deepEqual(retired.sort(), [false, true], 'exactly one retirement, however many race');
        assert.equal(await signingKeys.retire('nobody', T0), false);
        const [, newer] = await signingKeys.list();
        assert.ok(newer?.retiredAt === T0 + 20 || newer?.retiredAt === T0 + 30);
        assert.equal(newer?.sealedPrivateJwk, 'gh1.sealed.k-new');
      }),
    );

    test(
      'signing keys: instances racing to make the first key of an algorithm store one; a retired key does not count, another algorithm does not',
      withStores(async ({ signingKeys }) => {
        const key = (kid: string, alg: 'ES256' | 'EdDSA' = 'ES256') => ({
          kid,
          alg,
          sealedPrivateJwk: `gh1.sealed.${kid}`,
          publicJwk: JSON.stringify({ kty: 'EC', kid }),
          createdAt: T0,
          verifyUntil: T0 + 1000,
          retiredAt: null,
        });
        // Rounds of 16 racers, the key of each round retired before the next: a race has several chances to show.
        for (let round = 0; round < 5; round++) {
          const added = await Promise.all(Array.from({ length: 16 }, (_, i) => signingKeys.addFirst(key(`race-${round}-${i}`))));
          assert.equal(added.filter(Boolean).length, 1, `round ${round}: exactly one of 16 racing first keys is stored`);
          const live = (await signingKeys.list()).filter((k) => k.retiredAt === null);
          assert.equal(live.length, 1);
          assert.equal(await signingKeys.retire(live[0]!.kid, T0), true);
        }
        assert.equal(await signingKeys.addFirst(key('first')), true);
        assert.equal(await signingKeys.addFirst(key('ed-first', 'EdDSA')), true, 'another algorithm has no key yet');
        const stored = (await signingKeys.list()).find((k) => k.alg === 'ES256' && k.retiredAt === null);
        assert.equal(await signingKeys.retire(stored!.kid, T0 + 1), true);
        assert.equal(await signingKeys.addFirst(key('after-retirement')), true, 'a retired key is no key');
        assert.equal(await signingKeys.addFirst(key('one-more')), false);
        assert.deepEqual(
          (await signingKeys.list())
            .filter((k) => !k.kid.startsWith('race-'))
            .map((k) => k.kid)
            .sort(),
          ['after-retirement', 'ed-first', 'first'],
        );
      }),
    );

    test(
      'users: search matches a uuid exactly, or a prefix of email, username (any case) or phone; by id, paginated',
      withStores(async ({ users }) => {
        const a = await users.create(newUser({ email: 'kim.lee@example.com', username: 'KimL', phone: '+8613800000001' }));
        const b = await users.create(newUser({ email: 'kimberly@example.org', username: 'berry', phone: '+8613900000002' }));
        const c = await users.create(newUser({ email: 'zed@example.com', username: 'Kimchi', phone: null }));
        await users.create(newUser({ email: 'akim@example.com', username: 'x_kim' }));
        const ids = (list: { id: number }[]) => list.map((u) => u.id);
        assert.deepEqual(ids(await users.search({ text: 'kim', limit: 10, offset: 0 })), [a.id, b.id, c.id], 'prefixes only, never a substring');
        assert.deepEqual(ids(await users.search({ text: 'KIMBERLY@', limit: 10, offset: 0 })), [b.id], 'email any case');
        assert.deepEqual(ids(await users.search({ text: 'kimc', limit: 10, offset: 0 })), [c.id], 'username any case');
        assert.deepEqual(ids(await users.search({ text: '+86139', limit: 10, offset: 0 })), [b.id], 'phone');
        assert.deepEqual(ids(await users.search({ text: b.uuid.toUpperCase(), limit: 10, offset: 0 })), [b.id], 'uuid exactly');
        assert.deepEqual(ids(await users.search({ text: 'kim', limit: 2, offset: 2 })), [c.id], 'second page');
        assert.deepEqual(await users.search({ text: 'nobody', limit: 10, offset: 0 }), []);
        assert.deepEqual(await users.search({ text: '%', limit: 10, offset: 0 }), [], 'no wildcards');
        assert.equal((await users.search({ text: '', limit: 10, offset: 0 })).length, 4, 'empty text: every account');
        const found = (await users.search({ text: 'kim.lee@example.com', limit: 10, offset: 0 }))[0];
        assert.deepEqual(found, await users.findById(a.id), 'whole records');
      }),
    );

    test(
      'audit: events keep their actor; filtered by account, type and time, newest first, paged by id; counted by type since a time',
      withStores(async ({ audit }) => {
        const event = (type: 'login.failed' | 'user.disabled', userId: number, at: number, actorId: number | null = null) =>
          audit.add({ at, type, userId, ip: '127.0.0.1', userAgent: 'test', actorId, detail: null });
        await event('login.failed', 1, T0);
        await event('user.disabled', 1, T0 + 1000, 9);
        await event('login.failed', 2, T0 + 2000);
        await event('login.failed', 1, T0 + 3000);
        const all = await audit.query({ limit: 10 });
        assert.deepEqual(
          all.map((e) => [e.type, e.userId, e.at, e.actorId]),
          [
            ['login.failed', 1, T0 + 3000, null],
            ['login.failed', 2, T0 + 2000, null],
            ['user.disabled', 1, T0 + 1000, 9],
            ['login.failed', 1, T0, null],
          ],
        );
        assert.equal((await audit.query({ limit: 10, userId: 1, type: 'login.failed' })).length, 2);
        assert.deepEqual(
          (await audit.query({ limit: 10, from: T0 + 1000, to: T0 + 3000 })).map((e) => e.at),
          [T0 + 2000, T0 + 1000],
        );
        const page = await audit.query({ limit: 10, beforeId: all[1]!.id });
        assert.deepEqual(
          page.map((e) => e.id),
          [all[2]!.id, all[3]!.id],
        );
        assert.deepEqual(await audit.countSince(T0 + 1000), { 'user.disabled': 1, 'login.failed': 2 });
      }),
    );

    test(
      'webhooks: endpoints are added with a secret, listed oldest first, enabled and disabled, removed with their secrets and deliveries',
      withStores(async ({ webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep_b', { createdAt: T0 + 1, eventTypes: ['user.created', 'user.deleted'] }), secretOf('ep_b'));
        await webhooks.addEndpoint(endpoint('ep_a'), secretOf('ep_a'));
        assert.deepEqual(
          (await webhooks.endpoints()).map((e) => [e.id, e.eventTypes]),
          [
            ['ep_a', []],
            ['ep_b', ['user.created', 'user.deleted']],
          ],
        );
        assert.deepEqual(await webhooks.endpoint('ep_a'), endpoint('ep_a'));
        assert.equal(await webhooks.endpoint('nobody'), null);
        assert.deepEqual(await webhooks.secrets('ep_a', T0), [secretOf('ep_a')]);
        assert.equal(await webhooks.setEnabled('ep_a', false, 'operator', T0 + 5), true);
        assert.deepEqual(await webhooks.endpoint('ep_a'), endpoint('ep_a', { enabled: false, disabledReason: 'operator', updatedAt: T0 + 5 }));
        assert.deepEqual(
          await Promise.all([webhooks.disableIfEnabled('ep_b', 'gone', T0), webhooks.disableIfEnabled('ep_b', 'gone', T0)]).then((r) => r.sort()),
          [false, true],
          'one caller disables (and reports it)',
        );
        assert.equal(await webhooks.setEnabled('nobody', true, null, T0), false);
        await webhooks.setEnabled('ep_b', true, null, T0);
        await webhooks.publish([event('user.created')]);
        assert.equal((await webhooks.deliveries('ep_b', 10)).length, 1);
        assert.equal(await webhooks.removeEndpoint('ep_b'), true);
        assert.equal(await webhooks.removeEndpoint('ep_b'), false);
        assert.deepEqual(await webhooks.deliveries('ep_b', 10), []);
        assert.deepEqual(await webhooks.secrets('ep_b', T0), []);
        assert.equal(await webhooks.pendingCount(), 0);
      }),
    );

    test(
      'webhooks: a user write with events puts them in the outbox with it, one delivery per enabled endpoint wanting the type; a refused write puts none',
      withStores(async ({ users, webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep_all'), secretOf('ep_all'));
        await webhooks.addEndpoint(endpoint('ep_deleted', { eventTypes: ['user.deleted'] }), secretOf('ep_deleted'));
        await webhooks.addEndpoint(endpoint('ep_off', { enabled: false }), secretOf('ep_off'));
        const made = await users.create(newUser({ email: 'w@example.com' }), eventsFor('user.created'));
        await assert.rejects(users.create(newUser({ email: 'w@example.com' }), eventsFor('user.created')), UniqueViolation);
        assert.equal(await users.update(made.id + 1000, { bio: 'x', updatedAt: T0 }, eventsFor('user.updated')), null);
        await users.update(made.id, { bio: 'x', updatedAt: T0 }, eventsFor('user.updated'));
        const other = await users.create(newUser());
        await assert.rejects(users.update(other.id, { email: 'w@example.com', updatedAt: T0 }, eventsFor('user.updated')), UniqueViolation);
        assert.equal(await users.delete(made.id, eventsFor('user.deleted')), true);
        assert.equal(await users.delete(made.id, eventsFor('user.deleted')), false);
        const claimed = await webhooks.claim(T0 + 1, T0 + 60_000, 100, 'c1');
        const seen = claimed.map((d) => [d.endpointId, d.eventType, JSON.parse(d.body).id]).sort();
        assert.deepEqual(seen, [
          ['ep_all', 'user.created', made.id],
          ['ep_all', 'user.deleted', made.id],
          ['ep_all', 'user.updated', made.id],
          ['ep_deleted', 'user.deleted', made.id],
        ]);
        const deleted = claimed.find((d) => d.eventType === 'user.deleted')!;
        assert.equal(JSON.parse(deleted.body).email, 'w@example.com', "a deletion's events are made from the record as it was");
        assert.equal(deleted.url, 'https://hooks.example.com/ep_all'.replace('ep_all', deleted.endpointId));
        assert.deepEqual(await webhooks.deliveries('ep_off', 10), [], 'a disabled endpoint gets nothing');
      }),
    );

    test(
      'webhooks: a factor change with events writes them only when it changed something',
      withStores(async ({ users, factors, webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep'), secretOf('ep'));
        const u = await users.create(newUser());
        assert.equal(await factors.confirmTotp(u.id, T0, [event('mfa.enrolled')]), false, 'nothing pending');
        await factors.putPendingTotp({ userId: u.id, sealedSecret: 's', createdAt: T0, confirmedAt: null });
        assert.equal(await factors.confirmTotp(u.id, T0, [event('mfa.enrolled')]), true);
        await factors.addPasskey(
          { id: 'pk1', userId: u.id, publicKey: 'k', counter: 0, transports: [], name: 'key', backedUp: false, createdAt: T0, lastUsedAt: null },
          [event('mfa.enrolled')],
        );
        assert.equal(await factors.deletePasskey(u.id, 'nope', [event('mfa.removed')]), false);
        assert.equal(await factors.deletePasskey(u.id, 'pk1', [event('mfa.removed')]), true);
        assert.equal(await factors.deleteTotp(u.id, [event('mfa.removed')]), true);
        assert.equal(await factors.deleteAllForUser(u.id, [event('mfa.removed')]), false, 'nothing left');
        const types = (await webhooks.deliveries('ep', 10)).map((d) => d.eventType).sort();
        assert.deepEqual(types, ['mfa.enrolled', 'mfa.enrolled', 'mfa.removed', 'mfa.removed']);
      }),
    );

    test(
      'webhooks: each due delivery is claimed by one caller; a claim lapses at its lease; only its holder settles it; replay makes it due',
      withStores(async ({ webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep'), secretOf('ep'));
        await webhooks.addEndpoint(endpoint('ep_off'), secretOf('ep_off'));
        await webhooks.publish(Array.from({ length: 30 }, () => event('user.created')));
        await webhooks.publish([event('user.created', T0 + 50_000)]);
        await webhooks.setEnabled('ep_off', false, 'operator', T0);
        assert.equal(await webhooks.pendingCount(), 62);
        const claims = await Promise.all(['a', 'b', 'c'].map((c) => webhooks.claim(T0, T0 + 10_000, 25, c)));
        const ids = claims.flat().map((d) => d.id);
        assert.equal(ids.length, 30, 'every due delivery of the enabled endpoint, none not yet due');
        assert.equal(new Set(ids).size, 30, 'none twice');
        assert.deepEqual(await webhooks.claim(T0 + 9_999, T0 + 20_000, 100, 'd'), [], 'claimed ones wait for their lease');
        const [first, second] = claims.flat();
        const ok = { at: T0 + 1, status: 'delivered' as const, nextAttemptAt: null, responseStatus: 204, error: null, durationMs: 12.4 };
        assert.equal(await webhooks.settle(first!.id, 'someone else', ok), false);
        assert.equal(await webhooks.settle(first!.id, first!.claim, ok), true);
        assert.equal(await webhooks.settle(first!.id, first!.claim, ok), false, 'settled once');
        const again = { ...ok, status: 'pending' as const, nextAttemptAt: T0 + 5_000, responseStatus: null, error: 'ECONNREFUSED' };
        assert.equal(await webhooks.settle(second!.id, second!.claim, again), true);
        const done = await webhooks.delivery(first!.id);
        assert.deepEqual([done?.status, done?.attempts, done?.lastStatus, done?.lastDurationMs, done?.nextAttemptAt], ['delivered', 1, 204, 12, null]);
        const retry = await webhooks.delivery(second!.id);
        assert.deepEqual([retry?.status, retry?.attempts, retry?.lastError, retry?.nextAttemptAt], ['pending', 1, 'ECONNREFUSED', T0 + 5_000]);
        const lapsed = await webhooks.claim(T0 + 10_000, T0 + 20_000, 100, 'e');
        assert.equal(lapsed.length, 28 + 1, 'lapsed claims and the retry that is due');
        assert.equal(await webhooks.replay(first!.id, T0 + 10_000), true);
        assert.equal(await webhooks.replay(999_999, T0), false);
        const replayed = await webhooks.claim(T0 + 10_000, T0 + 20_000, 100, 'f');
        assert.deepEqual(
          replayed.map((d) => [d.id, d.attempts, d.eventId]),
          [[first!.id, 1, first!.eventId]],
        );
        assert.deepEqual(
          await webhooks.claim(T0 + 60_000, T0 + 70_000, 100, 'g').then((r) => r.some((d) => d.endpointId === 'ep_off')),
          false,
          "a disabled endpoint's deliveries wait",
        );
      }),
    );

    test(
      'webhooks: a test event goes to the one endpoint named; a rotated secret signs beside the new one until it retires',
      withStores(async ({ webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep1', { eventTypes: ['user.deleted'] }), secretOf('ep1'));
        await webhooks.addEndpoint(endpoint('ep2'), secretOf('ep2'));
        await webhooks.publish([event('webhook.test')], 'ep1');
        assert.deepEqual(
          (await webhooks.deliveries('ep1', 10)).map((d) => d.eventType),
          ['webhook.test'],
        );
        assert.deepEqual(await webhooks.deliveries('ep2', 10), []);
        const next = secretOf('ep1', 'wsk_2', T0 + 100);
        assert.equal(await webhooks.rotateSecret(next, T0 + 1000), true);
        assert.equal(await webhooks.rotateSecret(secretOf('nobody'), T0), false);
        assert.deepEqual(
          (await webhooks.secrets('ep1', T0 + 999)).map((s) => [s.id, s.expiresAt]),
          [
            ['wsk_2', null],
            ['wsk_ep1', T0 + 1000],
          ],
        );
        assert.deepEqual(
          (await webhooks.secrets('ep1', T0 + 1000)).map((s) => s.id),
          ['wsk_2'],
        );
        await webhooks.rotateSecret(secretOf('ep1', 'wsk_3', T0 + 2000), T0 + 3000);
        assert.deepEqual(
          (await webhooks.secrets('ep1', T0 + 2000)).map((s) => s.id),
          ['wsk_3', 'wsk_2'],
          'the expired one is gone',
        );
      }),
    );

    test(
      'webhooks: purge forgets finished deliveries past their keep, and events no delivery refers to',
      withStores(async ({ webhooks }) => {
        await webhooks.addEndpoint(endpoint('ep', { eventTypes: ['user.created'] }), secretOf('ep'));
        await webhooks.publish([event('user.created'), event('user.created'), event('user.deleted')]);
        const claimed = await webhooks.claim(T0, T0 + 1000, 1, 'c');
        assert.equal(claimed.length, 1, 'at most the limit');
        const [a] = claimed;
        await webhooks.settle(a!.id, 'c', { at: T0, status: 'delivered', nextAttemptAt: null, responseStatus: 200, error: null, durationMs: 1 });
        assert.equal(await webhooks.purge(T0, T0), 0, 'nothing older');
        assert.equal(await webhooks.purge(T0 + 1, T0 + 1), 3, 'the delivered one, its event, and the event no endpoint wanted');
        assert.equal(await webhooks.pendingCount(), 1);
        assert.equal((await webhooks.claim(T0, T0 + 1000, 10, 'd')).length, 1, 'a pending delivery and its event stay');
      }),
    );

    test(
      'users: superusers lists the active ones',
      withStores(async ({ users }) => {
        const a = await users.create(newUser({ isSuperuser: true }));
        await users.create(newUser({ isSuperuser: true, status: 'disabled' }));
        await users.create(newUser({ isStaff: true }));
        assert.deepEqual(
          (await users.superusers(10)).map((u) => u.id),
          [a.id],
        );
      }),
    );

    // Organisations (issue 35): memberships, the last-owner rule in the store's transaction, single-use invitations.
    describe('organizations', () => {
      const org = (id: string, slug: string, createdBy: number | null = null): Organization => ({
        id,
        name: slug.toUpperCase(),
        slug,
        createdBy,
        createdAt: T0,
        updatedAt: T0,
      });
      const member = (orgId: string, userId: number, roles: string[]): Membership => ({ orgId, userId, roles, createdAt: T0, updatedAt: T0 });
      const invitation = (id: string, orgId: string, overrides: Partial<Invitation> = {}): Invitation => ({
        id,
        orgId,
        email: 'bob@example.com',
        roles: ['admin'],
        tokenHash: `hash-${id}`,
        invitedBy: null,
        createdAt: T0,
        expiresAt: T0 + 1000,
        ...overrides,
      });

      test(
        'an organisation is made with its owner, unique by slug, found by id and slug, renamed, listed and deleted with its members',
        withStores(async ({ users, organizations, webhooks }) => {
          await webhooks.addEndpoint(endpoint('ep'), secretOf('ep'));
          const ann = await users.create(newUser());
          const a = org('00000000-0000-4000-8000-00000000000a', 'acme', ann.id);
          assert.equal(await organizations.create(a, member(a.id, ann.id, ['owner']), [event('organization.created')]), true);
          assert.equal(
            await organizations.create(org('00000000-0000-4000-8000-00000000000b', 'acme'), member('00000000-0000-4000-8000-00000000000b', ann.id, ['owner']), [
              event('organization.created'),
            ]),
            false,
          );
          assert.equal((await webhooks.deliveries('ep', 10)).length, 1, 'the refused one wrote no event');
          assert.deepEqual(await organizations.get(a.id), a);
          assert.deepEqual(await organizations.bySlug('acme'), a);
          const b = org('00000000-0000-4000-8000-00000000000b', 'beta');
          await organizations.create(b, member(b.id, ann.id, ['owner']), []);
          assert.equal(await organizations.update(b.id, { slug: 'acme' }, T0 + 1, []), 'slug_taken');
          assert.deepEqual(await organizations.update(b.id, { name: 'Beta Ltd' }, T0 + 1, []), { ...b, name: 'Beta Ltd', updatedAt: T0 + 1 });
          assert.equal(await organizations.update('00000000-0000-4000-8000-0000000000ff', { name: 'x' }, T0, []), null);
          assert.deepEqual(
            (await organizations.list(10, 0)).map((o) => o.slug),
            ['acme', 'beta'],
          );
          assert.deepEqual(
            (await organizations.list(10, 0, 'BET')).map((o) => o.slug),
            ['beta'],
          );
          assert.deepEqual(
            (await organizations.ofUser(ann.id, 10, 0)).map((m) => [m.organization.slug, m.roles]),
            [
              ['acme', ['owner']],
              ['beta', ['owner']],
            ],
          );
          assert.deepEqual(
            (await organizations.ofUser(ann.id, 1, 1)).map((m) => m.organization.slug),
            ['beta'],
          );
          assert.equal(await organizations.remove(a.id, []), true);
          assert.equal(await organizations.remove(a.id, []), false);
          assert.equal(await organizations.membership(a.id, ann.id), null);
          assert.deepEqual(
            (await organizations.ofUser(ann.id, 10, 0)).map((m) => m.organization.slug),
            ['beta'],
          );
        }),
      );

      test(
        'members: added once, roles set, removed; the last owner is neither demoted nor removed, even by two owners at once',
        withStores(async ({ users, organizations }) => {
          const [ann, bob, carol] = [await users.create(newUser()), await users.create(newUser()), await users.create(newUser())];
          const a = org('00000000-0000-4000-8000-0000000000a1', 'acme');
          await organizations.create(a, member(a.id, ann.id, ['owner']), []);
          assert.equal(await organizations.addMember(member(a.id, bob.id, ['owner']), []), true);
          assert.equal(await organizations.addMember(member(a.id, bob.id, ['member']), []), false);
          assert.equal(await organizations.addMember(member(a.id, carol.id, ['member', 'billing']), []), true);
          assert.deepEqual(
            (await organizations.members(a.id, 10, 0)).map((m) => [m.userId, m.roles]),
            [
              [ann.id, ['owner']],
              [bob.id, ['owner']],
              [carol.id, ['member', 'billing']],
            ],
          );
          assert.deepEqual(
            (await organizations.members(a.id, 1, 1)).map((m) => m.userId),
            [bob.id],
          );
          // Two owners demoting each other at once: one wins, the other is the last owner.
          const results = await Promise.all([
            organizations.setRoles(a.id, ann.id, ['admin'], T0 + 1, []),
            organizations.setRoles(a.id, bob.id, ['admin'], T0 + 1, []),
          ]);
          assert.deepEqual(results.sort(), ['done', 'last_owner']);
          const owner = results[0] === 'done' ? bob : ann;
          assert.deepEqual(await organizations.soleOwnerships(owner.id), [a.id]);
          assert.equal(await organizations.removeMember(a.id, owner.id, []), 'last_owner');
          assert.equal(await organizations.setRoles(a.id, owner.id, ['member'], T0, []), 'last_owner');
          assert.equal(await organizations.setRoles(a.id, owner.id, ['owner', 'admin'], T0 + 2, []), 'done');
          assert.equal(await organizations.removeMember(a.id, carol.id, []), 'done');
          assert.equal(await organizations.removeMember(a.id, carol.id, []), 'missing');
          assert.equal(await organizations.setRoles(a.id, carol.id, ['member'], T0, []), 'missing');
          // A deleted account's memberships go with it.
          const other = owner.id === ann.id ? bob : ann;
          await users.delete(other.id);
          assert.equal(await organizations.membership(a.id, other.id), null);
          assert.deepEqual(
            (await organizations.members(a.id, 10, 0)).map((m) => m.userId),
            [owner.id],
          );
        }),
      );

      test(
        'eight owners leaving at once, five rounds: each time exactly one stays (LAST_OWNER for the last)',
        withStores(async ({ users, organizations }) => {
          const owners: User[] = [];
          for (let i = 0; i < 8; i++) owners.push(await users.create(newUser()));
          for (let round = 0; round < 5; round++) {
            const o = org(`00000000-0000-4000-8000-0000000001${String(round).padStart(2, '0')}`, `race-${round}`);
            await organizations.create(o, member(o.id, owners[0]!.id, ['owner']), []);
            for (const owner of owners.slice(1)) await organizations.addMember(member(o.id, owner.id, ['owner']), []);
            const results: string[] = await Promise.all(
              owners.map((owner, i) =>
                i % 2 === 0 ? organizations.removeMember(o.id, owner.id, []) : organizations.setRoles(o.id, owner.id, ['admin'], T0, []),
              ),
            );
            assert.equal(results.filter((r) => r === 'last_owner').length, 1, `round ${round}: ${results.join(',')}`);
            const left = (await organizations.members(o.id, 20, 0)).filter((m) => m.roles.includes('owner'));
            assert.equal(left.length, 1, `round ${round}: one owner stays`);
          }
        }),
      );

      test(
        'custom roles: defined, redefined, listed by name; removing one takes it from members and invitations',
        withStores(async ({ users, organizations }) => {
          const ann = await users.create(newUser());
          const a = org('00000000-0000-4000-8000-0000000000a2', 'acme');
          await organizations.create(a, member(a.id, ann.id, ['owner', 'billing', 'reader']), []);
          await organizations.addInvitation(invitation('inv_r', a.id, { roles: ['member', 'billing'] }), []);
          await organizations.putRole({ name: 'reader', description: '', permissions: ['docs:read'], createdAt: T0, updatedAt: T0 });
          await organizations.putRole({ name: 'billing', description: 'pays', permissions: ['invoices:read'], createdAt: T0, updatedAt: T0 });
          await organizations.putRole({
            name: 'billing',
            description: 'pays',
            permissions: ['invoices:read', 'invoices:write'],
            createdAt: T0,
            updatedAt: T0 + 1,
          });
          assert.deepEqual(await organizations.roles(), [
            { name: 'billing', description: 'pays', permissions: ['invoices:read', 'invoices:write'], createdAt: T0, updatedAt: T0 + 1 },
            { name: 'reader', description: '', permissions: ['docs:read'], createdAt: T0, updatedAt: T0 },
          ]);
          assert.equal(await organizations.removeRole('billing'), true);
          assert.equal(await organizations.removeRole('billing'), false);
          assert.deepEqual((await organizations.membership(a.id, ann.id))!.roles, ['owner', 'reader']);
          assert.deepEqual((await organizations.invitationByHash('hash-inv_r'))!.roles, ['member']);
        }),
      );

      test(
        'invitations: listed while live, newest first; revoked; accepted once of parallel accepts, adding its roles to a member',
        withStores(async ({ users, organizations, webhooks }) => {
          await webhooks.addEndpoint(endpoint('ep'), secretOf('ep'));
          const [ann, bob] = [await users.create(newUser()), await users.create(newUser())];
          const a = org('00000000-0000-4000-8000-0000000000a3', 'acme');
          await organizations.create(a, member(a.id, ann.id, ['owner']), []);
          await organizations.addInvitation(invitation('inv_1', a.id), [event('organization.invitation.created')]);
          await organizations.addInvitation(invitation('inv_2', a.id, { createdAt: T0 + 1, email: 'carol@example.com' }), []);
          await organizations.addInvitation(invitation('inv_old', a.id, { expiresAt: T0 }), []);
          assert.deepEqual(
            (await organizations.invitations(a.id, T0, 10, 0)).map((i) => i.id),
            ['inv_2', 'inv_1'],
          );
          assert.deepEqual(
            (await organizations.invitationsFor('bob@example.com', T0)).map((i) => i.id),
            ['inv_1'],
          );
          assert.deepEqual(await organizations.invitationByHash('hash-inv_1'), invitation('inv_1', a.id));
          assert.equal(await organizations.revokeInvitation(a.id, 'inv_2', []), true);
          assert.equal(await organizations.revokeInvitation(a.id, 'inv_2', []), false);
          assert.equal(await organizations.accept('hash-inv_old', bob.id, T0, () => []), null, 'expired');
          const accepts = await Promise.all(
            Array.from({ length: 5 }, () =>
              organizations.accept('hash-inv_1', bob.id, T0 + 2, (m) => [event(`organization.member.added`), event(m.roles.join())]),
            ),
          );
          const won = accepts.filter((m) => m !== null);
          assert.equal(won.length, 1, 'one accept wins');
          assert.deepEqual(won[0], { orgId: a.id, userId: bob.id, roles: ['admin'], createdAt: T0 + 2, updatedAt: T0 + 2 });
          assert.equal((await webhooks.deliveries('ep', 10)).length, 3, "the invitation, and the winning accept's two events");
          assert.equal(await organizations.invitationByHash('hash-inv_1'), null);
          // An invitation to someone already a member adds its roles.
          await organizations.addInvitation(invitation('inv_3', a.id, { roles: ['billing', 'member'] }), []);
          const merged = await organizations.accept('hash-inv_3', bob.id, T0 + 3, () => []);
          assert.deepEqual(merged?.roles, ['admin', 'member', 'billing']);
          assert.deepEqual((await organizations.membership(a.id, bob.id))?.roles, ['admin', 'member', 'billing']);
        }),
      );
    });
    // Upstream identity providers (issue 34): a block of their own.
    identityContract(withStores);

    test(
      'ping answers',
      withStores(async (stores) => {
        await stores.ping();
      }),
    );
  });
}
