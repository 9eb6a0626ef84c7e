import { DatabaseSync } from 'node:sqlite';
import type { ForeignAccount } from '../../core/user-import.ts';

/** A file that is not the original system's user database. */
export class LegacyDatabaseError extends Error {}

interface LegacyRow {
  id: number;
  email: string | null;
  hashed_password: string | null;
  disabled: number | string | null;
  first_name: string | null;
  last_name: string | null;
  phone_number: string | null;
}

/**
 * Reads the original FastAPI system's SQLite file (seed 001's schema: `users`
 * with id, email, hashed_password, disabled; `user_info` with user_id,
 * first_name, last_name, phone_number). Opened read-only; nothing is changed.
 */
export function readFastApiUsers(path: string): ForeignAccount[] {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.prepare('SELECT 1 FROM sqlite_master').get();
  } catch (error) {
    throw new LegacyDatabaseError(`cannot open ${path} as SQLite (${(error as Error).message})`);
  }
  try {
    const tables = new Set(
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => (r as { name: string }).name),
    );
    if (!tables.has('users')) throw new LegacyDatabaseError(`${path} has no users table: not the FastAPI user database`);
    const info = tables.has('user_info');
    const rows = db
      .prepare(
        info
          ? 'SELECT u.id, u.email, u.hashed_password, u.disabled, i.first_name, i.last_name, i.phone_number FROM users u LEFT JOIN user_info i ON i.user_id = u.id ORDER BY u.id'
          : 'SELECT id, email, hashed_password, disabled, NULL AS first_name, NULL AS last_name, NULL AS phone_number FROM users ORDER BY id',
      )
      .all() as unknown as LegacyRow[];
    return rows.map((r) => ({
      source: `users.id ${r.id}`,
      id: Number(r.id),
      email: r.email,
      passwordHash: r.hashed_password,
      firstName: r.first_name,
      lastName: r.last_name,
      phone: r.phone_number,
      disabled: r.disabled === 1 || r.disabled === '1' || r.disabled === 'true',
    }));
  } finally {
    db.close();
  }
}
