import type { SigningKeyRecord, SigningKeyStore } from '../../core/ports/signing-key-store.ts';

/** Signing keys in memory (tests, `DATABASE_URL=memory:`): each process has its own. */
export class MemorySigningKeyStore implements SigningKeyStore {
  readonly #keys = new Map<string, SigningKeyRecord>();

  async list(): Promise<SigningKeyRecord[]> {
    return [...this.#keys.values()].map((k) => ({ ...k })).sort((a, b) => a.createdAt - b.createdAt || a.kid.localeCompare(b.kid));
  }

  async add(key: SigningKeyRecord): Promise<void> {
    if (!this.#keys.has(key.kid)) this.#keys.set(key.kid, { ...key });
  }

  async addFirst(key: SigningKeyRecord): Promise<boolean> {
    for (const k of this.#keys.values()) if (k.alg === key.alg && k.retiredAt === null) return false;
    this.#keys.set(key.kid, { ...key });
    return true;
  }

  async extend(kid: string, until: number): Promise<void> {
    const key = this.#keys.get(kid);
    if (key && key.verifyUntil < until) key.verifyUntil = until;
  }

  async retire(kid: string, at: number): Promise<boolean> {
    const key = this.#keys.get(kid);
    if (!key || key.retiredAt !== null) return false;
    key.retiredAt = at;
    return true;
  }
}
