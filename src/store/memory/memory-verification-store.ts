import type { CodeAttempt, VerificationChallenge, VerificationChannel, VerificationStore } from '../../core/ports/verification-store.ts';

/** Pending verifications in memory (tests, `DATABASE_URL=memory:`). */
export class MemoryVerificationStore implements VerificationStore {
  readonly #byUser = new Map<string, VerificationChallenge>();

  async put(challenge: VerificationChallenge): Promise<void> {
    this.#byUser.set(`${challenge.userId}:${challenge.channel}`, { ...challenge });
  }

  async consumeToken(tokenHash: string, now: number): Promise<VerificationChallenge | null> {
    for (const [key, c] of this.#byUser) {
      if (c.tokenHash !== tokenHash) continue;
      this.#byUser.delete(key);
      return c.expiresAt > now ? c : null;
    }
    return null;
  }

  async cancelForUser(userId: number): Promise<void> {
    for (const [key, c] of this.#byUser) if (c.userId === userId) this.#byUser.delete(key);
  }

  async tryCode(userId: number, channel: VerificationChannel, codeHash: string, now: number): Promise<CodeAttempt> {
    const key = `${userId}:${channel}`;
    const c = this.#byUser.get(key);
    if (!c || c.expiresAt <= now || c.attemptsLeft <= 0) return { result: 'none' };
    if (c.codeHash === codeHash) {
      this.#byUser.delete(key);
      return { result: 'ok', challenge: c };
    }
    c.attemptsLeft--;
    if (c.attemptsLeft === 0) this.#byUser.delete(key);
    return { result: 'wrong', attemptsLeft: c.attemptsLeft };
  }
}
