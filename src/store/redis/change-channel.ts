import type { Redis } from 'ioredis';
import { fail } from '../../core/errors.ts';
import type { AuthReadCache, ChangeNotices } from '../cache/auth-read-cache.ts';

/**
 * The revocation channel of several instances: every write that can end or
 * change a session or a user is published on one Redis channel before it is
 * acknowledged, and every instance evicts what a message names. While this
 * instance's subscription is down nothing is served from memory (generation
 * null), and a reconnection starts from an empty cache (messages may have been
 * missed meanwhile).
 */
export class ChangeChannel implements ChangeNotices {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  #connections = 0;
  #current = 'c0';
  #subscribed = false;

  constructor(redis: Redis, prefix: string, cache: () => AuthReadCache | undefined) {
    this.#publisher = redis;
    this.#channel = `${prefix}changes`;
    this.#subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    this.#subscriber.on('error', () => {
      // reported through generation(): nothing is cached while the subscription is down
    });
    this.#subscriber.on('ready', () => {
      this.#subscriber.subscribe(this.#channel).then(
        () => {
          this.#connections++;
          this.#current = `c${this.#connections}`;
          this.#subscribed = true;
        },
        () => {},
      );
    });
    for (const gone of ['close', 'end', 'reconnecting'] as const) this.#subscriber.on(gone, () => (this.#subscribed = false));
    this.#subscriber.on('message', (_channel: string, message: string) => {
      const c = cache();
      if (!c) return;
      if (message.startsWith('s:')) c.evictSession(message.slice(2));
      else if (message.startsWith('u:')) c.evictUser(Number(message.slice(2)));
    });
  }

  /** Null while not subscribed; otherwise changes with each (re)connection. */
  generation(): string | null {
    // One string per connection, not one per request: this is read by every authenticated request.
    return this.#subscribed ? this.#current : null;
  }

  async session(id: string): Promise<void> {
    await this.#publish(`s:${id}`);
  }

  async user(id: number): Promise<void> {
    await this.#publish(`u:${id}`);
  }

  /**
   * A publish that fails fails the write it belongs to (STORE_UNAVAILABLE: 503): this
   * instance may not reach Redis while the others still do, and they would go on
   * serving what it changed from memory (bounded by CACHE_MAX_AGE_MS, but a
   * revocation must not be acknowledged on that promise).
   */
  async #publish(message: string): Promise<void> {
    try {
      await this.#publisher.publish(this.#channel, message);
    } catch (error) {
      throw fail('STORE_UNAVAILABLE', 'the change could not be announced to the other instances', undefined, { cause: error });
    }
  }

  close(): void {
    this.#subscriber.disconnect();
  }
}
