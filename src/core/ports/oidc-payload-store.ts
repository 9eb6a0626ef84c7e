/**
 * What the OpenID Connect provider keeps between requests (codes, tokens,
 * grants, sessions, interactions, and the binding of a provider session to a
 * core session), stored as opaque JSON under (model, id). The shape follows
 * oidc-provider's adapter contract so that several instances share them.
 */
export interface OidcPayload {
  /** The provider's payload (JSON object), kept as given. */
  payload: Record<string, unknown>;
  /** Epoch ms after which the entry is gone; null: never expires. */
  expiresAt: number | null;
  /** Epoch ms when it was consumed (an authorization code spent), or null. */
  consumedAt: number | null;
}

export interface OidcPayloadStore {
  /** Inserts or replaces (model, id). `grantId`, `userCode` and `uid` index it for the lookups below. */
  upsert(
    model: string,
    id: string,
    entry: { payload: Record<string, unknown>; expiresAt: number | null; grantId?: string; userCode?: string; uid?: string },
  ): Promise<void>;
  /** The live entry (not expired at `now`), or null. */
  find(model: string, id: string, now: number): Promise<OidcPayload | null>;
  findByUid(model: string, uid: string, now: number): Promise<OidcPayload | null>;
  findByUserCode(model: string, userCode: string, now: number): Promise<OidcPayload | null>;
  /** Marks an entry consumed at `now` (kept: a second use must be told apart from an unknown code). */
  consume(model: string, id: string, now: number): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Removes the entries of `model` issued under this grant, or of every model when none is named. */
  revokeByGrantId(grantId: string, model?: string): Promise<void>;
  /** Removes entries expired at `now`; returns how many (0 where the backend expires them itself). */
  purge(now: number): Promise<number>;
}
