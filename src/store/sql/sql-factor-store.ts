import type { Kysely, Selectable } from 'kysely';
import type { Ceremony, FactorStore, MfaChallenge, MfaChallengeStore, Passkey, TotpFactor } from '../../core/ports/factor-store.ts';
import type { OutboxEvent } from '../../core/ports/webhook-store.ts';
import type { Dialect } from '../migrations/dialect.ts';
import type { Database, PasskeysTable } from './schema.ts';
import { type EventSignal, writeEvents } from './sql-webhook-store.ts';

const toPasskey = (r: Selectable<PasskeysTable>): Passkey => ({
  id: r.id,
  userId: Number(r.user_id),
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: JSON.parse(r.transports) as string[],
  name: r.name,
  backedUp: Number(r.backed_up) === 1,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
});

/** Second factors in SQL. Single use is one conditional DELETE or UPDATE: the database picks the one winner. */
export class SqlFactorStore implements FactorStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;
  readonly #signal: EventSignal | undefined;

  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite', signal?: EventSignal) {
    this.#db = db;
    this.#dialect = dialect;
    this.#signal = signal;
  }

  /** Runs a change; when it changed something, its events are written in the same transaction. */
  async #changing(events: readonly OutboxEvent[] | undefined, change: (db: Kysely<Database>) => Promise<boolean>): Promise<boolean> {
    if (!events?.length) return change(this.#db);
    const changed = await this.#db.transaction().execute(async (tx) => {
      const done = await change(tx);
      if (done) await writeEvents(tx, this.#dialect, events);
      return done;
    });
    if (changed) this.#signal?.notify();
    return changed;
  }

  async getTotp(userId: number): Promise<TotpFactor | null> {
    const r = await this.#db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!r) return null;
    return { userId, sealedSecret: r.sealed_secret, createdAt: Number(r.created_at), confirmedAt: r.confirmed_at == null ? null : Number(r.confirmed_at) };
  }

  async putPendingTotp(f: TotpFactor): Promise<boolean> {
    const row = { user_id: f.userId, sealed_secret: f.sealedSecret, created_at: f.createdAt, confirmed_at: null };
    const result = await this.#db
      .insertInto('totp_factors')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ sealed_secret: row.sealed_secret, created_at: row.created_at }).where('totp_factors.confirmed_at', 'is', null),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async confirmTotp(userId: number, at: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(events, async (db) => {
      const result = await db
        .updateTable('totp_factors')
        .set({ confirmed_at: at })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async deleteTotp(userId: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(events, async (db) => {
      const result = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async replaceRecoveryCodes(userId: number, hashes: string[], at: number): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length > 0)
        await tx
          .insertInto('recovery_codes')
          .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: at })))
          .execute();
    });
  }

  async useRecoveryCode(userId: number, hash: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('recovery_codes').where('user_id', '=', userId).where('code_hash', '=', hash).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async countRecoveryCodes(userId: number): Promise<number> {
    const r = await this.#db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async addPasskey(p: Passkey, events?: readonly OutboxEvent[]): Promise<void> {
    await this.#changing(events, async (db) => {
      await this.#insertPasskey(db, p);
      return true;
    });
  }

  async #insertPasskey(db: Kysely<Database>, p: Passkey): Promise<void> {
    await db
      .insertInto('passkeys')
      .values({
        id: p.id,
        user_id: p.userId,
        public_key: p.publicKey,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        name: p.name,
        backed_up: p.backedUp ? 1 : 0,
        created_at: p.createdAt,
        last_used_at: p.lastUsedAt,
      })
      .execute();
  }

  async listPasskeys(userId: number): Promise<Passkey[]> {
    const rows = await this.#db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toPasskey);
  }

  async findPasskey(id: string): Promise<Passkey | null> {
    const r = await this.#db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toPasskey(r) : null;
  }

  async usePasskey(id: string, counter: number, at: number): Promise<void> {
    await this.#db.updateTable('passkeys').set({ counter, last_used_at: at }).where('id', '=', id).execute();
  }

  async renamePasskey(userId: number, id: string, name: string): Promise<boolean> {
    const result = await this.#db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deletePasskey(userId: number, id: string, events?: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(events, async (db) => {
      const result = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async deleteAllForUser(userId: number, events?: readonly OutboxEvent[]): Promise<boolean> {
    const removeAll = async (tx: Kysely<Database>) => {
      const totp = await tx.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      const codes = await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      const keys = await tx.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
      return Number(totp.numDeletedRows) + Number(codes.numDeletedRows) + Number(keys.numDeletedRows) > 0;
    };
    if (events?.length) return this.#changing(events, removeAll);
    return this.#db.transaction().execute(removeAll);
  }
}

/** Short-lived second-factor state in SQL (no Redis configured); expired rows are swept when new ones are written. */
export class SqlMfaChallengeStore implements MfaChallengeStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async put(c: MfaChallenge): Promise<void> {
    await this.#db
      .deleteFrom('mfa_challenges')
      .where('expires_at', '<=', c.expiresAt - 3600_000)
      .execute();
    await this.#db
      .insertInto('mfa_challenges')
      .values({
        token_hash: c.tokenHash,
        user_id: c.userId,
        expires_at: c.expiresAt,
        attempts_left: c.attemptsLeft,
        remember_me: c.rememberMe ? 1 : 0,
        first_factor: c.firstFactor,
      })
      .execute();
  }

  async takeTry(tokenHash: string, now: number): Promise<MfaChallenge | null> {
    const r = await this.#db
      .updateTable('mfa_challenges')
      .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now)
      .where('attempts_left', '>', 0)
      .returningAll()
      .executeTakeFirst();
    if (!r) return null;
    return {
      tokenHash,
      userId: Number(r.user_id),
      expiresAt: Number(r.expires_at),
      attemptsLeft: Number(r.attempts_left),
      rememberMe: Number(r.remember_me) === 1,
      firstFactor: r.first_factor ?? 'pwd',
    };
  }

  async consume(tokenHash: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('mfa_challenges').where('token_hash', '=', tokenHash).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async claimStep(userId: number, step: number, expiresAt: number): Promise<boolean> {
    // Steps older than this one's lifetime cannot be presented any more: forget them.
    await this.#db
      .deleteFrom('totp_used_steps')
      .where('user_id', '=', userId)
      .where('expires_at', '<', expiresAt - 3600_000)
      .execute();
    const result = await this.#db
      .insertInto('totp_used_steps')
      .values({ user_id: userId, step, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['user_id', 'step']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async putCeremony(c: Ceremony): Promise<void> {
    await this.#db
      .deleteFrom('webauthn_ceremonies')
      .where('expires_at', '<=', c.expiresAt - 3600_000)
      .execute();
    await this.#db.insertInto('webauthn_ceremonies').values({ id: c.id, challenge: c.challenge, user_id: c.userId, expires_at: c.expiresAt }).execute();
  }

  async takeCeremony(id: string, now: number): Promise<Ceremony | null> {
    const r = await this.#db.deleteFrom('webauthn_ceremonies').where('id', '=', id).returningAll().executeTakeFirst();
    if (!r || Number(r.expires_at) <= now) return null;
    return { id, challenge: r.challenge, userId: r.user_id == null ? null : Number(r.user_id), expiresAt: Number(r.expires_at) };
  }
}
