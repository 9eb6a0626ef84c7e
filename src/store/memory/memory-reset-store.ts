import type { ResetToken, ResetTokenStore } from '../../core/ports/reset-token-store.ts';

/** Reset tokens in a Map; for unit tests and throwaway runs. */
export class MemoryResetStore implements ResetTokenStore {
  readonly #tokens = new Map<string, ResetToken & { used: boolean }>();

  async create(token: ResetToken): Promise<void> {
    this.#tokens.set(token.tokenHash, { ...token, used: false });
  }

  async consume(tokenHash: string, now: number): Promise<number | null> {
    const t = this.#tokens.get(tokenHash);
    if (!t || t.used || t.expiresAt <= now) return null;
    t.used = true;
    return t.userId;
  }

  async isLive(tokenHash: string, now: number): Promise<boolean> {
    const t = this.#tokens.get(tokenHash);
    return !!t && !t.used && t.expiresAt > now;
  }

  async revokeForUser(userId: number): Promise<void> {
    this.forgetUser(userId);
  }

  async purge(now: number): Promise<number> {
    let n = 0;
    for (const [hash, t] of this.#tokens) {
      if (t.used || t.expiresAt <= now) {
        this.#tokens.delete(hash);
        n++;
      }
    }
    return n;
  }

  /** Follows a user's deletion (the SQL foreign key does this). */
  forgetUser(userId: number): void {
    for (const [hash, t] of this.#tokens) if (t.userId === userId) this.#tokens.delete(hash);
  }
}
