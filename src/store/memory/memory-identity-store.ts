import type { IdentityProvider, IdentityStore, LinkedIdentity, UpstreamRequest } from '../../core/ports/identity-store.ts';

const keyOf = (issuer: string, subject: string) => JSON.stringify([issuer, subject]);

/** Providers, identities and upstream requests in process memory. */
export class MemoryIdentityStore implements IdentityStore {
  readonly #providers = new Map<string, IdentityProvider>();
  readonly #identities = new Map<string, LinkedIdentity>();
  readonly #requests = new Map<string, UpstreamRequest>();

  async addProvider(provider: IdentityProvider): Promise<boolean> {
    if (this.#providers.has(provider.id)) return false;
    this.#providers.set(provider.id, structuredClone(provider));
    return true;
  }

  async providers(): Promise<IdentityProvider[]> {
    return [...this.#providers.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map((p) => structuredClone(p));
  }

  async provider(id: string): Promise<IdentityProvider | null> {
    const found = this.#providers.get(id);
    return found ? structuredClone(found) : null;
  }

  async removeProvider(id: string): Promise<boolean> {
    if (!this.#providers.delete(id)) return false;
    for (const [key, identity] of this.#identities) if (identity.providerId === id) this.#identities.delete(key);
    return true;
  }

  async link(identity: LinkedIdentity): Promise<boolean> {
    const key = keyOf(identity.issuer, identity.subject);
    if (this.#identities.has(key) || !this.#providers.has(identity.providerId)) return false;
    this.#identities.set(key, { ...identity });
    return true;
  }

  async identity(issuer: string, subject: string): Promise<LinkedIdentity | null> {
    const found = this.#identities.get(keyOf(issuer, subject));
    return found ? { ...found } : null;
  }

  async identitiesOf(userId: number): Promise<LinkedIdentity[]> {
    return [...this.#identities.values()]
      .filter((i) => i.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((i) => ({ ...i }));
  }

  async touch(issuer: string, subject: string, at: number, email: string | null, emailVerified: boolean): Promise<void> {
    const found = this.#identities.get(keyOf(issuer, subject));
    if (found) Object.assign(found, { lastUsedAt: at, email, emailVerified });
  }

  async unlink(userId: number, issuer: string, subject: string): Promise<boolean> {
    const key = keyOf(issuer, subject);
    if (this.#identities.get(key)?.userId !== userId) return false;
    return this.#identities.delete(key);
  }

  /** The account is gone: its identities go with it. */
  forgetUser(userId: number): void {
    for (const [key, identity] of this.#identities) if (identity.userId === userId) this.#identities.delete(key);
  }

  async saveRequest(request: UpstreamRequest): Promise<void> {
    this.#requests.set(request.id, structuredClone(request));
  }

  async takeRequest(id: string, now: number): Promise<UpstreamRequest | null> {
    const found = this.#requests.get(id);
    if (!found) return null;
    this.#requests.delete(id);
    return found.expiresAt > now ? found : null;
  }

  async purgeRequests(now: number): Promise<number> {
    let gone = 0;
    for (const [id, request] of this.#requests) if (request.expiresAt <= now && this.#requests.delete(id)) gone++;
    return gone;
  }
}
