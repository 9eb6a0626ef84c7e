import type { Kysely, Selectable } from 'kysely';
import type { AsymmetricAlgorithm, SigningKeyRecord, SigningKeyStore } from '../../core/ports/signing-key-store.ts';
import type { Database, SigningKeysTable } from './schema.ts';

const toRecord = (r: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: r.kid,
  alg: r.alg as AsymmetricAlgorithm,
  sealedPrivateJwk: r.sealed_private_jwk,
  publicJwk: r.public_jwk,
  createdAt: Number(r.created_at),
  verifyUntil: Number(r.verify_until),
  retiredAt: r.retired_at === null ? null : Number(r.retired_at),
});

/** Signing keys in SQL (SQLite and PostgreSQL), shared by every instance on the database. */
export class SqlSigningKeyStore implements SigningKeyStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async list(): Promise<SigningKeyRecord[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
    return rows.map(toRecord);
  }

  async add(key: SigningKeyRecord): Promise<void> {
    await this.#db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg: key.alg,
        sealed_private_jwk: key.sealedPrivateJwk,
        public_jwk: key.publicJwk,
        created_at: key.createdAt,
        verify_until: key.verifyUntil,
        retired_at: key.retiredAt,
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
  }

  async extend(kid: string, until: number): Promise<void> {
    await this.#db.updateTable('signing_keys').set({ verify_until: until }).where('kid', '=', kid).where('verify_until', '<', until).execute();
  }

  async retire(kid: string, at: number): Promise<boolean> {
    const result = await this.#db.updateTable('signing_keys').set({ retired_at: at }).where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
