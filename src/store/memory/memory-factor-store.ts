import type { Ceremony, FactorStore, MfaChallenge, MfaChallengeStore, Passkey, TotpFactor } from '../../core/ports/factor-store.ts';
import type { OutboxEvent } from '../../core/ports/webhook-store.ts';

/** Second factors in memory (tests, `DATABASE_URL=memory:`). Each method runs without awaiting: atomic. */
export class MemoryFactorStore implements FactorStore {
  /** Writes events to the outbox beside a change (set by memoryStores). */
  events: (events: readonly OutboxEvent[]) => void = () => {};
  readonly #totp = new Map<number, TotpFactor>();
  readonly #codes = new Map<number, Set<string>>();
  readonly #passkeys = new Map<string, Passkey>();

  async getTotp(userId: number): Promise<TotpFactor | null> {
    const f = this.#totp.get(userId);
    return f ? { ...f } : null;
  }

  async putPendingTotp(factor: TotpFactor): Promise<boolean> {
    if (this.#totp.get(factor.userId)?.confirmedAt != null) return false;
    this.#totp.set(factor.userId, { ...factor, confirmedAt: null });
    return true;
  }

  #changed(changed: boolean, events: readonly OutboxEvent[] = []): boolean {
    if (changed) this.events(events);
    return changed;
  }

  async confirmTotp(userId: number, at: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    const f = this.#totp.get(userId);
    if (!f || f.confirmedAt != null) return false;
    f.confirmedAt = at;
    return this.#changed(true, events);
  }

  async deleteTotp(userId: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changed(this.#totp.delete(userId), events);
  }

  async replaceRecoveryCodes(userId: number, hashes: string[]): Promise<void> {
    this.#codes.set(userId, new Set(hashes));
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    return this.#codes.get(userId)?.delete(hash) ?? false;
  }

  async countRecoveryCodes(userId: number): Promise<number> {
    return this.#codes.get(userId)?.size ?? 0;
  }

  async addPasskey(passkey: Passkey, events?: readonly OutboxEvent[]): Promise<void> {
    this.#passkeys.set(passkey.id, { ...passkey, transports: [...passkey.transports] });
    this.#changed(true, events);
  }

  async listPasskeys(userId: number): Promise<Passkey[]> {
    return [...this.#passkeys.values()].filter((p) => p.userId === userId).map((p) => ({ ...p }));
  }

  async findPasskey(id: string): Promise<Passkey | null> {
    const p = this.#passkeys.get(id);
    return p ? { ...p } : null;
  }

  async usePasskey(id: string, counter: number, at: number): Promise<void> {
    const p = this.#passkeys.get(id);
    if (p) Object.assign(p, { counter, lastUsedAt: at });
  }

  async renamePasskey(userId: number, id: string, name: string): Promise<boolean> {
    const p = this.#passkeys.get(id);
    if (!p || p.userId !== userId) return false;
    p.name = name;
    return true;
  }

  async deletePasskey(userId: number, id: string, events?: readonly OutboxEvent[]): Promise<boolean> {
    if (this.#passkeys.get(id)?.userId !== userId) return false;
    return this.#changed(this.#passkeys.delete(id), events);
  }

  async deleteAllForUser(userId: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    let changed = this.#totp.delete(userId);
    changed = this.#codes.delete(userId) || changed;
    for (const [id, p] of this.#passkeys) if (p.userId === userId) changed = this.#passkeys.delete(id) || changed;
    return this.#changed(changed, events);
  }
}

/** Short-lived second-factor state in memory. */
export class MemoryMfaChallengeStore implements MfaChallengeStore {
  readonly #challenges = new Map<string, MfaChallenge>();
  readonly #steps = new Map<string, number>();
  readonly #ceremonies = new Map<string, Ceremony>();

  async put(challenge: MfaChallenge): Promise<void> {
    this.#challenges.set(challenge.tokenHash, { ...challenge });
  }

  async takeTry(tokenHash: string, now: number): Promise<MfaChallenge | null> {
    const c = this.#challenges.get(tokenHash);
    if (!c || c.expiresAt <= now || c.attemptsLeft <= 0) return null;
    c.attemptsLeft--;
    return { ...c };
  }

  async consume(tokenHash: string): Promise<boolean> {
    return this.#challenges.delete(tokenHash);
  }

  async claimStep(userId: number, step: number, expiresAt: number): Promise<boolean> {
    const key = `${userId}:${step}`;
    if (this.#steps.has(key)) return false;
    this.#steps.set(key, expiresAt);
    return true;
  }

  async putCeremony(ceremony: Ceremony): Promise<void> {
    this.#ceremonies.set(ceremony.id, { ...ceremony });
  }

  async takeCeremony(id: string, now: number): Promise<Ceremony | null> {
    const c = this.#ceremonies.get(id);
    if (!c) return null;
    this.#ceremonies.delete(id);
    return c.expiresAt > now ? c : null;
  }
}
