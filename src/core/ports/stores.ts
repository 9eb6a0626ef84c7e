import type { AppStore } from './app-store.ts';
import type { AuditLog } from './audit-log.ts';
import type { IdentityStore } from './identity-store.ts';
import type { FactorStore, MfaChallengeStore } from './factor-store.ts';
import type { LockoutStore } from './lockout-store.ts';
import type { OutboxStore } from './mailer.ts';
import type { OidcPayloadStore } from './oidc-payload-store.ts';
import type { OneTimeCodeStore } from './one-time-code-store.ts';
import type { ProductStore } from './product-store.ts';
import type { ResetTokenStore } from './reset-token-store.ts';
import type { SessionStore } from './session-store.ts';
import type { UserStore } from './user-store.ts';
import type { VerificationStore } from './verification-store.ts';
import type { SigningKeyStore } from './signing-key-store.ts';
import type { WebhookStore } from './webhook-store.ts';
import type { OrganizationStore } from './organization-store.ts';

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
  /** Sign-in codes texted or mailed (short-lived). */
  oneTimeCodes: OneTimeCodeStore;
  /** The OpenID Connect provider's codes, tokens, grants and sessions. */
  oidcPayloads: OidcPayloadStore;
  /** Apps registered to sign in with Gatehouse. */
  apps: AppStore;
  /** Asymmetric signing keys (their private part sealed). */
  signingKeys: SigningKeyStore;
  /** Webhook endpoints and the outbox of events to deliver (durable: never in Redis). */
  webhooks: WebhookStore;
  /** Organisations, memberships, custom roles and invitations (durable). */
  organizations: OrganizationStore;
  /** Upstream identity providers, the identities linked through them, their requests in flight (durable: never in Redis). */
  identities: IdentityStore;
  /** Resolves when every backend answers; rejects with the first that does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
