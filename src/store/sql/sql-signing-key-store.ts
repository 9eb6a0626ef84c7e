import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { AsymmetricAlgorithm, SigningKeyRecord, SigningKeyStore } from '../../core/ports/signing-key-store.ts';
import type { Dialect } from '../migrations/dialect.ts';
import type { Database, SigningKeysTable } from './schema.ts';

/** The PostgreSQL advisory lock the first key of an algorithm is made under (any fixed number; ours spells "gh keys"). */
const FIRST_KEY_LOCK = 0x6768_6b73;

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
  readonly #dialect: Dialect;

  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite') {
    this.#db = db;
    this.#dialect = dialect;
  }

  async list(): Promise<SigningKeyRecord[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
    return rows.map(toRecord);
  }

  async add(key: SigningKeyRecord): Promise<void> {
    await this.#insert(this.#db, key);
  }

  async addFirst(key: SigningKeyRecord): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      // PostgreSQL: instances starting together would each see no key under
      // READ COMMITTED, so the look and the insert happen under one lock.
      // SQLite writes one transaction at a time already.
      if (this.#dialect === 'postgres') await sql`select pg_advisory_xact_lock(${FIRST_KEY_LOCK})`.execute(trx);
      const existing = await trx
        .selectFrom('signing_keys')
        .select('kid')
        .where('alg', '=', key.alg)
        .where('retired_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      if (existing) return false;
      await this.#insert(trx, key);
      return true;
    });
  }

  async #insert(db: Kysely<Database> | Transaction<Database>, key: SigningKeyRecord): Promise<void> {
    await db
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
