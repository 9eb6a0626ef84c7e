import type { AccessRotation, Session, SessionStore } from '../../core/ports/session-store.ts';

/** Sessions in a Map; for unit tests and throwaway runs. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Session>();

  async create(session: Session): Promise<void> {
    this.#sessions.set(session.id, { ...session });
  }

  async get(id: string): Promise<Session | null> {
    const s = this.#sessions.get(id);
    return s ? { ...s } : null;
  }

  async rotate(id: string, r: AccessRotation): Promise<boolean> {
    const s = this.#sessions.get(id);
    if (!s || s.accessJti !== r.expectedJti) return false;
    if (r.expectedRefreshHash !== undefined && s.refreshHash !== r.expectedRefreshHash) return false;
    s.previousAccessJti = r.keepPrevious ? s.accessJti : null;
    s.accessJti = r.newJti;
    s.rotatedAt = r.at;
    if (r.newRefreshHash !== undefined) s.refreshHash = r.newRefreshHash;
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.#sessions.delete(id);
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    let n = 0;
    for (const [id, s] of this.#sessions) {
      if (s.userId === userId && id !== exceptId) {
        this.#sessions.delete(id);
        n++;
      }
    }
    return n;
  }

  async listForUser(userId: number): Promise<Session[]> {
    return [...this.#sessions.values()].filter((s) => s.userId === userId).map((s) => ({ ...s }));
  }

  async touch(id: string, at: number): Promise<void> {
    const s = this.#sessions.get(id);
    if (s) s.lastSeenAt = at;
  }

  async purgeExpired(now: number): Promise<number> {
    let n = 0;
    for (const [id, s] of this.#sessions) {
      if (s.expiresAt <= now) {
        this.#sessions.delete(id);
        n++;
      }
    }
    return n;
  }
}
