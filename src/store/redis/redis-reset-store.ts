import type { Redis } from 'ioredis';
import type { ResetToken, ResetTokenStore } from '../../core/ports/reset-token-store.ts';

/** Password-reset tokens in Redis: `GETDEL` spends a token atomically; keys expire with the token. */
export class RedisResetStore implements ResetTokenStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(hash: string) {
    return `${this.#prefix}rt:${hash}`;
  }

  async create(t: ResetToken): Promise<void> {
    await this.#redis.set(this.#key(t.tokenHash), `${t.userId}:${t.expiresAt}`, 'PXAT', t.expiresAt);
  }

  async consume(tokenHash: string, now: number): Promise<number | null> {
    const value = await this.#redis.getdel(this.#key(tokenHash));
    if (!value) return null;
    const [userId, expiresAt] = value.split(':').map(Number);
    return expiresAt! > now ? userId! : null;
  }

  /** Redis expires tokens itself. */
  async purge(): Promise<number> {
    return 0;
  }
}
