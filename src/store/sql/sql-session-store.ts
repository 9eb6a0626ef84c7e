import type { Kysely, Selectable } from 'kysely';
import type { AccessRotation, Session, SessionStore } from '../../core/ports/session-store.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { Database, SessionsTable } from './schema.ts';

function rowToSession(r: Selectable<SessionsTable>): Session {
  return {
    id: r.id,
    userId: Number(r.user_id),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    accessJti: r.access_jti,
    previousAccessJti: r.previous_access_jti,
    rotatedAt: Number(r.rotated_at),
    refreshHash: r.refresh_hash,
    rememberMe: !!r.remember_me,
    ip: r.ip,
    userAgent: r.user_agent,
    lastSeenAt: Number(r.last_seen_at ?? r.created_at),
  };
}

/** Sessions in SQL (the default session store when no Redis is configured). */
export class SqlSessionStore implements SessionStore {
  readonly #db: Kysely<Database>;
  readonly #hot: HotReads | undefined;
  readonly #getQuery;

  constructor(db: Kysely<Database>, hot?: HotReads) {
    this.#db = db;
    this.#hot = hot;
    this.#getQuery = db.selectFrom('sessions').selectAll().where('id', '=', '').compile();
  }

  async create(s: Session): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        access_jti: s.accessJti,
        previous_access_jti: s.previousAccessJti,
        rotated_at: s.rotatedAt,
        refresh_hash: s.refreshHash,
        remember_me: s.rememberMe ? 1 : 0,
        ip: s.ip,
        user_agent: s.userAgent,
        last_seen_at: s.lastSeenAt,
      })
      .execute();
  }

  async get(id: string): Promise<Session | null> {
    if (this.#hot) {
      const row = this.#hot.sessionById(id);
      return row ? rowToSession(row) : null;
    }
    const { rows } = await this.#db.executeQuery<Selectable<SessionsTable>>({ ...this.#getQuery, parameters: [id] });
    const row = rows[0];
    return row ? rowToSession(row) : null;
  }

  async rotate(id: string, r: AccessRotation): Promise<boolean> {
    let q = this.#db
      .updateTable('sessions')
      .set((eb) => ({
        previous_access_jti: r.keepPrevious ? eb.ref('access_jti') : null,
        access_jti: r.newJti,
        rotated_at: r.at,
      }))
      .where('id', '=', id)
      .where('access_jti', '=', r.expectedJti);
    if (r.newRefreshHash !== undefined) q = q.set({ refresh_hash: r.newRefreshHash });
    if (r.expectedRefreshHash !== undefined) q = q.where('refresh_hash', '=', r.expectedRefreshHash);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    let q = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listForUser(userId: number): Promise<Session[]> {
    const rows = await this.#db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map(rowToSession);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.#db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
