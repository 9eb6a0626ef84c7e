import type { OidcPayload, OidcPayloadStore } from '../../core/ports/oidc-payload-store.ts';

interface Entry extends OidcPayload {
  grantId?: string;
  userCode?: string;
  uid?: string;
}

const live = (e: Entry | undefined, now: number): OidcPayload | null =>
  e && (e.expiresAt === null || e.expiresAt > now) ? { payload: structuredClone(e.payload), expiresAt: e.expiresAt, consumedAt: e.consumedAt } : null;

/** The provider's entries in a Map (one process only); for tests and throwaway runs. */
export class MemoryOidcPayloadStore implements OidcPayloadStore {
  readonly #entries = new Map<string, Entry>();

  async upsert(model: string, id: string, entry: Parameters<OidcPayloadStore['upsert']>[2]): Promise<void> {
    this.#entries.set(`${model}\0${id}`, { ...entry, payload: structuredClone(entry.payload), consumedAt: null });
  }

  async find(model: string, id: string, now: number): Promise<OidcPayload | null> {
    return live(this.#entries.get(`${model}\0${id}`), now);
  }

  async findByUid(model: string, uid: string, now: number): Promise<OidcPayload | null> {
    return this.#findBy(model, now, (e) => e.uid === uid);
  }

  async findByUserCode(model: string, userCode: string, now: number): Promise<OidcPayload | null> {
    return this.#findBy(model, now, (e) => e.userCode === userCode);
  }

  #findBy(model: string, now: number, match: (e: Entry) => boolean): OidcPayload | null {
    for (const [key, e] of this.#entries) if (key.startsWith(`${model}\0`) && match(e)) return live(e, now);
    return null;
  }

  async consume(model: string, id: string, now: number): Promise<void> {
    const e = this.#entries.get(`${model}\0${id}`);
    if (e) e.consumedAt = now;
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#entries.delete(`${model}\0${id}`);
  }

  async revokeByGrantId(grantId: string, model?: string): Promise<void> {
    for (const [key, e] of this.#entries) if (e.grantId === grantId && (model === undefined || key.startsWith(`${model}\0`))) this.#entries.delete(key);
  }

  async purge(now: number): Promise<number> {
    let n = 0;
    for (const [key, e] of this.#entries) {
      if (e.expiresAt !== null && e.expiresAt <= now) {
        this.#entries.delete(key);
        n++;
      }
    }
    return n;
  }
}
