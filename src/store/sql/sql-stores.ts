import { sql, type Kysely } from 'kysely';
import type { Stores } from '../../core/ports/stores.ts';
import type { Dialect } from '../migrations/dialect.ts';
import type { HotReads } from '../sqlite/hot-reads.ts';
import type { Database } from './schema.ts';
import { SqlAppStore } from './sql-app-store.ts';
import { SqlAuditLog } from './sql-audit-log.ts';
import { SqlIdentityStore } from './sql-identity-store.ts';
import { SqlFactorStore, SqlMfaChallengeStore } from './sql-factor-store.ts';
import { SqlLockoutStore } from './sql-lockout-store.ts';
import { SqlOidcPayloadStore } from './sql-oidc-payload-store.ts';
import { SqlOneTimeCodeStore } from './sql-one-time-code-store.ts';
import { SqlOutbox } from './sql-outbox.ts';
import { SqlProductStore } from './sql-product-store.ts';
import { SqlResetStore } from './sql-reset-store.ts';
import { SqlSessionStore } from './sql-session-store.ts';
import { SqlUserStore } from './sql-user-store.ts';
import { SqlVerificationStore } from './sql-verification-store.ts';
import { SqlSigningKeyStore } from './sql-signing-key-store.ts';
import { EventSignal, SqlWebhookStore } from './sql-webhook-store.ts';
import { SqlOrganizationStore } from './sql-organization-store.ts';

/** Every port on one SQL database; `hot` answers the per-request reads directly where the driver allows (SQLite). */
export function sqlStores(db: Kysely<Database>, options: { dialect?: Dialect; hot?: HotReads } = {}): Stores {
  const { hot, dialect = 'sqlite' } = options;
  // Tells this process's delivery loop when a write put events in the outbox.
  const signal = new EventSignal();
  return {
    users: new SqlUserStore(db, hot, dialect, signal),
    sessions: new SqlSessionStore(db, hot),
    lockouts: new SqlLockoutStore(db),
    resets: new SqlResetStore(db),
    outbox: new SqlOutbox(db),
    products: new SqlProductStore(db, hot),
    audit: new SqlAuditLog(db),
    verifications: new SqlVerificationStore(db),
    factors: new SqlFactorStore(db, dialect, signal),
    mfaChallenges: new SqlMfaChallengeStore(db),
    oneTimeCodes: new SqlOneTimeCodeStore(db),
    oidcPayloads: new SqlOidcPayloadStore(db, hot),
    apps: new SqlAppStore(db, hot),
    signingKeys: new SqlSigningKeyStore(db, dialect),
    webhooks: new SqlWebhookStore(db, dialect, signal),
    organizations: new SqlOrganizationStore(db, dialect, signal),
    identities: new SqlIdentityStore(db),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
