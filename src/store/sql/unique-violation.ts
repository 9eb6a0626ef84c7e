import { UniqueViolation } from '../../core/ports/user-store.ts';

/**
 * Recognises a unique-constraint failure from SQLite ("UNIQUE constraint failed:
 * users.email") or PostgreSQL (SQLSTATE 23505, constraint "users_email_key") and
 * names the field; anything else is returned unchanged.
 */
export function asUniqueViolation(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { code?: string; errcode?: number; constraint?: string; detail?: string };
  const sqlite = e.errcode === 2067 || e.errcode === 1555 || /UNIQUE constraint failed/.test(e.message);
  const postgres = e.code === '23505';
  if (!sqlite && !postgres) return error;
  const text = `${e.constraint ?? ''} ${e.detail ?? ''} ${e.message}`;
  if (/username/.test(text)) return new UniqueViolation('username');
  if (/email/.test(text)) return new UniqueViolation('email');
  if (/uuid/.test(text)) return new UniqueViolation('uuid');
  if (/phone/.test(text)) return new UniqueViolation('phone');
  return new UniqueViolation('id');
}
