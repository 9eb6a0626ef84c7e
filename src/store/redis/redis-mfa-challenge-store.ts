import type { Redis } from 'ioredis';
import type { Ceremony, MfaChallenge, MfaChallengeStore } from '../../core/ports/factor-store.ts';

/** Takes one try of a live challenge: decrements `left` only while it is above 0; returns the fields after. */
const TAKE_TRY = `
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
if not left or left <= 0 then return nil end
redis.call('HINCRBY', KEYS[1], 'left', -1)
return redis.call('HMGET', KEYS[1], 'user', 'exp', 'left', 'remember', 'first')
`;

/** mfa tokens, used TOTP steps and WebAuthn ceremonies in Redis: every key expires with what it holds. */
export class RedisMfaChallengeStore implements MfaChallengeStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async put(c: MfaChallenge): Promise<void> {
    const key = `${this.#prefix}mfa:${c.tokenHash}`;
    await this.#redis
      .multi()
      .hset(key, { user: c.userId, exp: c.expiresAt, left: c.attemptsLeft, remember: c.rememberMe ? 1 : 0, first: c.firstFactor })
      .pexpireat(key, c.expiresAt)
      .exec();
  }

  async takeTry(tokenHash: string, now: number): Promise<MfaChallenge | null> {
    const fields = (await this.#redis.eval(TAKE_TRY, 1, `${this.#prefix}mfa:${tokenHash}`)) as Array<string | null> | null;
    if (!fields) return null;
    const [user, exp, left, remember] = fields.slice(0, 4).map(Number) as [number, number, number, number];
    if (exp <= now) return null;
    // A challenge written before the first factor was kept is a password's.
    return { tokenHash, userId: user, expiresAt: exp, attemptsLeft: left, rememberMe: remember === 1, firstFactor: fields[4] || 'pwd' };
  }

  async consume(tokenHash: string): Promise<boolean> {
    return (await this.#redis.del(`${this.#prefix}mfa:${tokenHash}`)) === 1;
  }

  async claimStep(userId: number, step: number, expiresAt: number): Promise<boolean> {
    return (await this.#redis.set(`${this.#prefix}totp:${userId}:${step}`, '1', 'PXAT', expiresAt, 'NX')) === 'OK';
  }

  async putCeremony(c: Ceremony): Promise<void> {
    await this.#redis.set(`${this.#prefix}wa:${c.id}`, JSON.stringify(c), 'PXAT', c.expiresAt);
  }

  async takeCeremony(id: string, now: number): Promise<Ceremony | null> {
    const value = await this.#redis.getdel(`${this.#prefix}wa:${id}`);
    if (!value) return null;
    const c = JSON.parse(value) as Ceremony;
    return c.expiresAt > now ? c : null;
  }
}
