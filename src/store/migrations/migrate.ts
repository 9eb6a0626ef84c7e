import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Dialect } from './dialect.ts';
import * as m0001 from './0001-accounts-and-sessions.ts';
import * as m0002 from './0002-password-resets-and-outbox.ts';
import * as m0003 from './0003-products.ts';
import * as m0004 from './0004-last-seen-and-audit.ts';
import * as m0005 from './0005-verifications.ts';
import * as m0006 from './0006-attempt-budgets.ts';
import * as m0007 from './0007-signing-keys.ts';
import * as m0008 from './0008-openid-connect.ts';
import * as m0009 from './0009-second-factors.ts';
import * as m0010 from './0010-console-search-and-audit.ts';
import * as m0011 from './0011-app-scopes-and-lean-oidc-indexes.ts';
import * as m0012 from './0012-one-time-codes-and-phones.ts';

/** What a migration that reads settings or reports is given: PHONE_DEFAULT_REGION, and where its lines go. */
export interface MigrationContext {
  phoneRegion: string;
  /** One line an operator should read (what a migration could not carry over); stderr by default. */
  report(line: string): void;
}

const DEFAULT_CONTEXT: MigrationContext = {
  phoneRegion: 'CN',
  report: (line) => console.error(`gatehouse: migration: ${line}`),
};
import * as m0013 from './0013-webhooks.ts';
import * as m0014 from './0014-organizations.ts';
import * as m0015 from './0015-identity-providers.ts';

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect, context: MigrationContext): Promise<void>;
  down?(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. The names are stored in the database; never rename one. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-accounts-and-sessions': m0001,
  '0002-password-resets-and-outbox': m0002,
  '0003-products': m0003,
  '0004-last-seen-and-audit': m0004,
  '0005-verifications': m0005,
  '0006-attempt-budgets': m0006,
  '0007-signing-keys': m0007,
  '0008-openid-connect': m0008,
  '0009-second-factors': m0009,
  '0010-console-search-and-audit': m0010,
  '0011-app-scopes-and-lean-oidc-indexes': m0011,
  '0012-one-time-codes-and-phones': m0012,
  '0013-webhooks': m0013,
  '0014-organizations': m0014,
  '0015-identity-providers': m0015,
};

/** Brings the database to the latest schema. Idempotent; safe to run at every start. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, context: Partial<MigrationContext> = {}): Promise<MigrationResultSet> {
  const full: MigrationContext = { ...DEFAULT_CONTEXT, ...context };
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (d) => m.up(d, dialect, full), down: m.down ? (d) => m.down!(d, dialect) : undefined };
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
