import type { App, AppStore } from '../../core/ports/app-store.ts';

/** Registered apps in a Map; for tests and throwaway runs. */
export class MemoryAppStore implements AppStore {
  readonly #apps = new Map<string, App>();

  async create(app: App): Promise<void> {
    this.#apps.set(app.clientId, structuredClone(app));
  }

  async find(clientId: string): Promise<App | null> {
    const app = this.#apps.get(clientId);
    return app ? structuredClone(app) : null;
  }

  async list(): Promise<App[]> {
    return [...this.#apps.values()].sort((a, b) => a.createdAt - b.createdAt || a.clientId.localeCompare(b.clientId)).map((a) => structuredClone(a));
  }

  async delete(clientId: string): Promise<boolean> {
    return this.#apps.delete(clientId);
  }

  async setSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    const app = this.#apps.get(clientId);
    if (!app) return false;
    app.secretHash = secretHash;
    return true;
  }

  async setRedirectUris(clientId: string, redirectUris: string[]): Promise<boolean> {
    const app = this.#apps.get(clientId);
    if (!app) return false;
    app.redirectUris = [...redirectUris];
    return true;
  }
}
