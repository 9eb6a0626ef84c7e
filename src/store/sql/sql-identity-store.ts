import type { Kysely, Selectable } from 'kysely';
import type { IdentityProvider, IdentityStore, LinkedIdentity, ProviderKind, UpstreamRequest } from '../../core/ports/identity-store.ts';
import type { Database, IdentityProvidersTable, LinkedIdentitiesTable, UpstreamRequestsTable } from './schema.ts';

const toProvider = (r: Selectable<IdentityProvidersTable>): IdentityProvider => ({
  id: r.id,
  kind: r.kind as ProviderKind,
  name: r.name,
  issuer: r.issuer,
  clientId: r.client_id,
  sealedClientSecret: r.sealed_client_secret,
  audiences: JSON.parse(r.audiences) as string[],
  domains: JSON.parse(r.domains) as string[],
  signup: Number(r.signup) === 1,
  trustMfa: Number(r.trust_mfa) === 1,
  enabled: Number(r.enabled) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toIdentity = (r: Selectable<LinkedIdentitiesTable>): LinkedIdentity => ({
  providerId: r.provider_id,
  issuer: r.issuer,
  subject: r.subject,
  userId: Number(r.user_id),
  email: r.email,
  emailVerified: Number(r.email_verified) === 1,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
});

const toRequest = (r: Selectable<UpstreamRequestsTable>): UpstreamRequest => ({
  id: r.id,
  providerId: r.provider_id,
  nonce: r.nonce,
  codeVerifier: r.code_verifier,
  linkFor: r.link_for == null ? null : Number(r.link_for),
  returnTo: r.return_to,
  browser: r.browser,
  proved: r.proved == null ? null : (JSON.parse(r.proved) as UpstreamRequest['proved']),
  expiresAt: Number(r.expires_at),
});

/** Providers, identities and upstream requests on SQLite or PostgreSQL. */
export class SqlIdentityStore implements IdentityStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async addProvider(p: IdentityProvider): Promise<boolean> {
    const result = await this.#db
      .insertInto('identity_providers')
      .values({
        id: p.id,
        kind: p.kind,
        name: p.name,
        issuer: p.issuer,
        client_id: p.clientId,
        sealed_client_secret: p.sealedClientSecret,
        audiences: JSON.stringify(p.audiences),
        domains: JSON.stringify(p.domains),
        signup: p.signup ? 1 : 0,
        trust_mfa: p.trustMfa ? 1 : 0,
        enabled: p.enabled ? 1 : 0,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async providers(): Promise<IdentityProvider[]> {
    return (await this.#db.selectFrom('identity_providers').selectAll().orderBy('created_at').orderBy('id').execute()).map(toProvider);
  }

  async provider(id: string): Promise<IdentityProvider | null> {
    const row = await this.#db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProvider(row) : null;
  }

  async removeProvider(id: string): Promise<boolean> {
    // Its identities and requests go by the foreign keys' cascade.
    const result = await this.#db.deleteFrom('identity_providers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async link(i: LinkedIdentity): Promise<boolean> {
    const result = await this.#db
      .insertInto('linked_identities')
      .values({
        issuer: i.issuer,
        subject: i.subject,
        provider_id: i.providerId,
        user_id: i.userId,
        email: i.email,
        email_verified: i.emailVerified ? 1 : 0,
        created_at: i.createdAt,
        last_used_at: i.lastUsedAt,
      })
      .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
      .executeTakeFirst()
      .catch((error: unknown) => {
        // The provider (or the account) went a moment ago, its sign-in in flight: nothing to link to, as for a link taken.
        if (isForeignKeyViolation(error)) return { numInsertedOrUpdatedRows: 0n };
        throw error;
      });
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async identity(issuer: string, subject: string): Promise<LinkedIdentity | null> {
    const row = await this.#db.selectFrom('linked_identities').selectAll().where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
    return row ? toIdentity(row) : null;
  }

  async identitiesOf(userId: number): Promise<LinkedIdentity[]> {
    const rows = await this.#db.selectFrom('linked_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map(toIdentity);
  }

  async touch(issuer: string, subject: string, at: number, email: string | null, emailVerified: boolean): Promise<void> {
    await this.#db
      .updateTable('linked_identities')
      .set({ last_used_at: at, email, email_verified: emailVerified ? 1 : 0 })
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .execute();
  }

  async unlink(userId: number, issuer: string, subject: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('linked_identities')
      .where('user_id', '=', userId)
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async saveRequest(r: UpstreamRequest): Promise<void> {
    const row = {
      id: r.id,
      provider_id: r.providerId,
      nonce: r.nonce,
      code_verifier: r.codeVerifier,
      link_for: r.linkFor,
      return_to: r.returnTo,
      browser: r.browser,
      proved: r.proved === null ? null : JSON.stringify(r.proved),
      expires_at: r.expiresAt,
    };
    await this.#db
      .insertInto('upstream_requests')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ proved: row.proved, expires_at: row.expires_at }))
      .execute();
  }

  async takeRequest(id: string, now: number): Promise<UpstreamRequest | null> {
    // One statement: of two callbacks with the same state, one gets the row.
    const row = await this.#db.deleteFrom('upstream_requests').where('id', '=', id).returningAll().executeTakeFirst();
    return row && Number(row.expires_at) > now ? toRequest(row) : null;
  }

  async purgeRequests(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('upstream_requests').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** PostgreSQL's foreign_key_violation (23503), or SQLite's "FOREIGN KEY constraint failed". */
function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === '23503' || (typeof e.message === 'string' && e.message.includes('FOREIGN KEY constraint failed'));
}
