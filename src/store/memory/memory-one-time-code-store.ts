import type { OneTimeCode, OneTimeCodeStore, OneTimeCodeTry } from '../../core/ports/one-time-code-store.ts';

/** Sign-in codes in a Map; each method runs without awaiting, so it is atomic. */
export class MemoryOneTimeCodeStore implements OneTimeCodeStore {
  readonly #byTarget = new Map<string, OneTimeCode>();

  async put(code: OneTimeCode): Promise<void> {
    this.#byTarget.set(code.target, { ...code });
  }

  async tryCode(target: string, codeHash: string, now: number): Promise<OneTimeCodeTry> {
    const code = this.#byTarget.get(target);
    if (!code || code.expiresAt <= now || code.attemptsLeft <= 0) return { result: 'none' };
    code.attemptsLeft -= 1;
    if (code.codeHash === codeHash) {
      this.#byTarget.delete(target);
      return { result: 'ok', code: { ...code } };
    }
    if (code.attemptsLeft <= 0) this.#byTarget.delete(target);
    return { result: 'wrong', attemptsLeft: code.attemptsLeft };
  }

  async findByToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    const code = this.#byToken(tokenHash, now);
    return code ? { ...code } : null;
  }

  async consumeToken(tokenHash: string, now: number): Promise<OneTimeCode | null> {
    const code = this.#byToken(tokenHash, now);
    if (!code) return null;
    this.#byTarget.delete(code.target);
    return { ...code };
  }

  #byToken(tokenHash: string, now: number): OneTimeCode | null {
    for (const code of this.#byTarget.values()) if (code.tokenHash === tokenHash && code.expiresAt > now && code.attemptsLeft > 0) return code;
    return null;
  }
}
