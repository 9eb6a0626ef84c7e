import type { Stores } from '../../core/ports/stores.ts';
import { MemoryAppStore } from './memory-app-store.ts';
import { MemoryAuditLog } from './memory-audit-log.ts';
import { MemoryIdentityStore } from './memory-identity-store.ts';
import { MemoryFactorStore, MemoryMfaChallengeStore } from './memory-factor-store.ts';
import { MemoryLockoutStore } from './memory-lockout-store.ts';
import { MemoryOidcPayloadStore } from './memory-oidc-payload-store.ts';
import { MemoryOneTimeCodeStore } from './memory-one-time-code-store.ts';
import { MemoryOutbox } from './memory-outbox.ts';
import { MemoryProductStore } from './memory-product-store.ts';
import { MemoryResetStore } from './memory-reset-store.ts';
import { MemorySessionStore } from './memory-session-store.ts';
import { MemoryUserStore } from './memory-user-store.ts';
import { MemoryVerificationStore } from './memory-verification-store.ts';
import { MemorySigningKeyStore } from './memory-signing-key-store.ts';
import { MemoryWebhookStore } from './memory-webhook-store.ts';
import { MemoryOrganizationStore } from './memory-organization-store.ts';

/** Every port in process memory. Nothing survives a restart. */
export function memoryStores(): Stores {
  const users = new MemoryUserStore();
  const sessions = new MemorySessionStore();
  const resets = new MemoryResetStore();
  const factors = new MemoryFactorStore();
  const webhooks = new MemoryWebhookStore();
  const identities = new MemoryIdentityStore();
  users.events = (events) => webhooks.write(events);
  factors.events = (events) => webhooks.write(events);
  const organizations = new MemoryOrganizationStore();
  organizations.events = (events) => webhooks.write(events);
  users.onDelete = (id) => {
    void sessions.deleteForUser(id);
    void factors.deleteAllForUser(id);
    resets.forgetUser(id);
    organizations.forgetUser(id);
    identities.forgetUser(id);
  };
  return {
    users,
    sessions,
    lockouts: new MemoryLockoutStore(),
    resets,
    outbox: new MemoryOutbox(),
    products: new MemoryProductStore(),
    audit: new MemoryAuditLog(),
    verifications: new MemoryVerificationStore(),
    factors,
    mfaChallenges: new MemoryMfaChallengeStore(),
    oneTimeCodes: new MemoryOneTimeCodeStore(),
    oidcPayloads: new MemoryOidcPayloadStore(),
    apps: new MemoryAppStore(),
    signingKeys: new MemorySigningKeyStore(),
    webhooks,
    organizations,
    identities,
    ping: async () => {},
    close: async () => {},
  };
}
