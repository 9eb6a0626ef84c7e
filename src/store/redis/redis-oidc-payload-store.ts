import type { Redis } from 'ioredis';
import type { OidcPayload, OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';

// Marks an entry consumed only if it still exists, keeping its expiry.
const CONSUME = "if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], 'c', ARGV[1]) end return 0";

/**
 * The provider's entries in Redis: one hash per entry (p: payload, e: expiry,
 * c: consumed at) expiring with it, and index keys for grant, uid and user
 * code that expire no earlier than what they point to.
 */
export class RedisOidcPayloadStore implements OidcPayloadStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}oidc:`;
  }

  #key(model: string, id: string) {
    return `${this.#prefix}${model}:${id}`;
  }

  async upsert(model: string, id: string, entry: Parameters<OidcPayloadStore['upsert']>[2]): Promise<void> {
    const key = this.#key(model, id);
    const multi = this.#redis
      .multi()
      .del(key)
      .hset(key, 'p', JSON.stringify(entry.payload), 'e', entry.expiresAt === null ? '' : String(entry.expiresAt));
    if (entry.expiresAt !== null) multi.pexpireat(key, entry.expiresAt);
    const index = (indexKey: string, set: boolean) => {
      if (set) multi.sadd(indexKey, key);
      else multi.set(indexKey, id);
      // An index lives as long as the longest entry it names (GT: never shortened).
      if (entry.expiresAt === null) multi.persist(indexKey);
      else multi.pexpireat(indexKey, entry.expiresAt, 'GT');
    };
    if (entry.grantId) index(`${this.#prefix}grant:${entry.grantId}`, true);
    if (entry.uid) index(`${this.#prefix}uid:${model}:${entry.uid}`, false);
    if (entry.userCode) index(`${this.#prefix}usercode:${model}:${entry.userCode}`, false);
    await multi.exec();
  }

  async #read(key: string, now: number): Promise<OidcPayload | null> {
    const h = await this.#redis.hgetall(key);
    if (!h.p) return null;
    const expiresAt = h.e ? Number(h.e) : null;
    if (expiresAt !== null && expiresAt <= now) return null;
    return { payload: JSON.parse(h.p) as Record<string, unknown>, expiresAt, consumedAt: h.c ? Number(h.c) : null };
  }

  find(model: string, id: string, now: number): Promise<OidcPayload | null> {
    return this.#read(this.#key(model, id), now);
  }

  async findByUid(model: string, uid: string, now: number): Promise<OidcPayload | null> {
    const id = await this.#redis.get(`${this.#prefix}uid:${model}:${uid}`);
    return id ? this.find(model, id, now) : null;
  }

  async findByUserCode(model: string, userCode: string, now: number): Promise<OidcPayload | null> {
    const id = await this.#redis.get(`${this.#prefix}usercode:${model}:${userCode}`);
    return id ? this.find(model, id, now) : null;
  }

  async consume(model: string, id: string, now: number): Promise<void> {
    await this.#redis.eval(CONSUME, 1, this.#key(model, id), String(now));
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#redis.del(this.#key(model, id));
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    const grantKey = `${this.#prefix}grant:${grantId}`;
    const keys = await this.#redis.smembers(grantKey);
    if (model === undefined) {
      await this.#redis.del(grantKey, ...keys);
      return;
    }
    const ofModel = keys.filter((k) => k.startsWith(this.#key(model, '')));
    if (ofModel.length)
      await this.#redis
        .multi()
        .del(...ofModel)
        .srem(grantKey, ...ofModel)
        .exec();
  }

  /** Redis expires entries itself. */
  async purge(): Promise<number> {
    return 0;
  }
}
