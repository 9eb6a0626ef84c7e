import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

/**
 * Bridges `node:sqlite` (built into Node, nothing to compile) to Kysely's
 * SQLite dialect, which expects better-sqlite3's interface. Prepared
 * statements are cached by SQL text: the hot queries are parsed once.
 */
export function nodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  const cache = new Map<string, SqliteStatement>();
  const bridge: SqliteDatabase = {
    close: () => database.close(),
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        stmt = wrap(database.prepare(sqlText));
        if (cache.size >= 500) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
  return new SqliteDialect({ database: bridge });
}

function wrap(stmt: StatementSync): SqliteStatement {
  const reader = stmt.columns().length > 0;
  const args = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite);
  return {
    reader,
    all: (parameters) => stmt.all(...args(parameters)),
    run: (parameters) => {
      const r = stmt.run(...args(parameters));
      return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
    },
    iterate: (parameters) => stmt.iterate(...args(parameters)) as IterableIterator<unknown>,
  };
}

// node:sqlite binds numbers, strings, bigints, buffers and null; booleans become 0/1.
function toSqlite(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}

/** Opens a database file with the settings Gatehouse relies on. */
export function openSqliteFile(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 5000, enableForeignKeyConstraints: true });
  // WAL lets readers run while a write commits; NORMAL sync is durable across
  // process crashes (only an OS crash can lose the last transactions).
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  return db;
}
