import type { AuditLog } from './audit-log.ts';
import type { FactorStore, MfaChallengeStore } from './factor-store.ts';
import type { LockoutStore } from './lockout-store.ts';
import type { OutboxStore } from './mailer.ts';
import type { ProductStore } from './product-store.ts';
import type { ResetTokenStore } from './reset-token-store.ts';
import type { SessionStore } from './session-store.ts';
import type { UserStore } from './user-store.ts';
import type { VerificationStore } from './verification-store.ts';

/** The storage a running Gatehouse is wired to. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  lockouts: LockoutStore;
  resets: ResetTokenStore;
  outbox: OutboxStore;
  products: ProductStore;
  audit: AuditLog;
  verifications: VerificationStore;
  /** Enrolled second factors (durable). */
  factors: FactorStore;
  /** mfa tokens, used TOTP steps, WebAuthn ceremonies (short-lived). */
  mfaChallenges: MfaChallengeStore;
  /** Resolves when every backend answers; rejects with the first that does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
