import { sql, type Kysely, type Selectable } from 'kysely';
import { type NewUser, type User, type UserListQuery, type UserPatch, type UserSearch, type UserStore, UUID_TEXT } from '../../core/ports/user-store.ts';
import type { Database, UsersTable } from './schema.ts';
import type { Dialect } from '../migrations/dialect.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { EventsOf } from '../../core/ports/webhook-store.ts';
import { asUniqueViolation } from './unique-violation.ts';
import { type EventSignal, writeEvents } from './sql-webhook-store.ts';
import { newUserToRow, patchToRow, rowToUser } from './user-rows.ts';

/** Accounts in SQL (SQLite or PostgreSQL) through Kysely. */
export class SqlUserStore implements UserStore {
  readonly #db: Kysely<Database>;
  readonly #hot: HotReads | undefined;
  // The per-request lookup is compiled once; each call only binds the id.
  readonly #byIdQuery;

  readonly #dialect: Dialect;
  readonly #signal: EventSignal | undefined;

  constructor(db: Kysely<Database>, hot?: HotReads, dialect: Dialect = 'sqlite', signal?: EventSignal) {
    this.#db = db;
    this.#hot = hot;
    this.#dialect = dialect;
    this.#signal = signal;
    this.#byIdQuery = db.selectFrom('users').selectAll().where('id', '=', 0).compile();
  }

  /**
   * Runs a write; with events, in one transaction with them (made from the row
   * it returns; none when it returns null), and this process's delivery loop is
   * told once it committed.
   */
  async #writing(events: EventsOf<User> | undefined, write: (db: Kysely<Database>) => Promise<User | null>): Promise<User | null> {
    if (!events) return write(this.#db);
    const user = await this.#db.transaction().execute(async (tx) => {
      const written = await write(tx);
      if (written) await writeEvents(tx, this.#dialect, events(written));
      return written;
    });
    if (user) this.#signal?.notify();
    return user;
  }

  async create(input: NewUser, events?: EventsOf<User>): Promise<User> {
    const user = await this.#writing(events, async (db) => {
      let row;
      try {
        row = await db.insertInto('users').values(newUserToRow(input)).returningAll().executeTakeFirstOrThrow();
      } catch (error) {
        throw asUniqueViolation(error);
      }
      if (input.id !== undefined && this.#dialect === 'postgres') {
        // An explicit id does not advance PostgreSQL's sequence: move it past the largest id.
        await sql`SELECT setval(pg_get_serial_sequence('users', 'id'), GREATEST((SELECT MAX(id) FROM users), 1))`.execute(db);
      }
      return rowToUser(row);
    });
    return user!;
  }

  async findById(id: number): Promise<User | null> {
    if (this.#hot) {
      const row = this.#hot.userById(id);
      return row ? rowToUser(row) : null;
    }
    const { rows } = await this.#db.executeQuery<Selectable<UsersTable>>({ ...this.#byIdQuery, parameters: [id] });
    const row = rows[0];
    return row ? rowToUser(row) : null;
  }

  async findByUuid(uuid: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('username_key', '=', username.toLowerCase()).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async findByVerifiedPhone(phoneNormalized: string): Promise<User | null> {
    // The partial unique index users_verified_phone (migration 0012) answers this.
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('phone_normalized', '=', phoneNormalized)
      .where('is_phone_verified', '=', 1)
      .executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async update(id: number, patch: UserPatch, events?: EventsOf<User>): Promise<User | null> {
    return this.#writing(events, async (db) => {
      try {
        const row = await db.updateTable('users').set(patchToRow(patch)).where('id', '=', id).returningAll().executeTakeFirst();
        return row ? rowToUser(row) : null;
      } catch (error) {
        throw asUniqueViolation(error);
      }
    });
  }

  async recordLogin(id: number, at: number, newPasswordHash?: string): Promise<void> {
    let q = this.#db.updateTable('users').set({ last_login_at: at, login_count: sql`login_count + 1` }).where('id', '=', id);
    if (newPasswordHash) q = q.set({ password_hash: newPasswordHash });
    await q.execute();
  }

  async delete(id: number, events?: EventsOf<User>): Promise<boolean> {
    const gone = await this.#writing(events, async (db) => {
      const row = await db.deleteFrom('users').where('id', '=', id).returningAll().executeTakeFirst();
      return row ? rowToUser(row) : null;
    });
    return gone !== null;
  }

  async list(query: UserListQuery): Promise<User[]> {
    let q = this.#db.selectFrom('users').selectAll().orderBy('id').limit(query.limit).offset(query.offset);
    if (query.search) {
      const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([sql<boolean>`email LIKE ${pattern} ESCAPE '\\'`, sql<boolean>`username_key LIKE ${pattern} ESCAPE '\\'`]));
    }
    return (await q.execute()).map(rowToUser);
  }

  async superusers(limit: number): Promise<User[]> {
    const rows = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('is_superuser', '=', 1)
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(rowToUser);
  }

  async search(query: UserSearch): Promise<User[]> {
    const text = query.text.trim();
    let q = this.#db.selectFrom('users').selectAll().orderBy('id').limit(query.limit).offset(query.offset);
    if (UUID_TEXT.test(text)) q = q.where('uuid', '=', text.toLowerCase());
    else if (text !== '') {
      // Each branch is a range over an index (migration 0010): byte order on SQLite, the "C" collation on PostgreSQL.
      const c = this.#dialect === 'postgres' ? sql.raw(' COLLATE "C"') : sql.raw('');
      const range = (column: 'email' | 'username_key' | 'phone', prefix: string) =>
        sql<boolean>`(${sql.ref(column)}${c} >= ${prefix} AND ${sql.ref(column)}${c} < ${prefix + PAST_EVERY_CHARACTER})`;
      const lower = text.toLowerCase();
      q = q.where((eb) => eb.or([range('email', lower), range('username_key', lower), range('phone', text)]));
    }
    return (await q.execute()).map(rowToUser);
  }
}

/** Sorts after any character that may follow a prefix (U+10FFFF, the last code point), in byte and code-point order alike. */
const PAST_EVERY_CHARACTER = '\u{10FFFF}';
