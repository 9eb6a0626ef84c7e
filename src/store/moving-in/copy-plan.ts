import type { Database } from '../sql/schema.ts';

/** A row as the copy reads it: column name → value. */
export type Row = Record<string, unknown>;

/** A table `gatehouse copy` carries over. */
export interface CopiedTable {
  name: keyof Database;
  /** The primary key: rows are read in its order, a batch after the last key read. */
  key: readonly string[];
  /** How a row is named when the copy stops at it: by ids only, never a hash or a secret. */
  label: (row: Row) => string;
  /** A column sealed with MFA_ENCRYPTION_KEY, and the context it is sealed for (what core binds it to). */
  sealed?: { column: string; context: (row: Row) => string };
  /** Its `id` is a PostgreSQL serial: the sequence is moved past the copied ids. */
  serial?: true;
}

const byUser = (row: Row) => `user_id ${row.user_id}`;

/**
 * Everything that defines an account or the installation, in foreign-key
 * order (users first), ids kept. The sealing contexts are the ones core uses
 * (`second-factors.ts` for TOTP secrets, `signing-keys.ts` for private keys);
 * test/cli/copy.test.ts signs in with both after a copy under another key.
 */
export const COPIED: readonly CopiedTable[] = [
  { name: 'users', key: ['id'], label: (r) => `id ${r.id}`, serial: true },
  { name: 'totp_factors', key: ['user_id'], label: byUser, sealed: { column: 'sealed_secret', context: (r) => `totp:${r.user_id}` } },
  { name: 'recovery_codes', key: ['user_id', 'code_hash'], label: byUser },
  { name: 'passkeys', key: ['id'], label: (r) => `id ${r.id}` },
  { name: 'verifications', key: ['user_id', 'channel'], label: (r) => `user_id ${r.user_id} channel ${r.channel}` },
  { name: 'password_resets', key: ['token_hash'], label: byUser },
  { name: 'oidc_clients', key: ['client_id'], label: (r) => `client_id ${r.client_id}` },
  { name: 'signing_keys', key: ['kid'], label: (r) => `kid ${r.kid}`, sealed: { column: 'sealed_private_jwk', context: (r) => `signing-key:${r.kid}` } },
  { name: 'audit_events', key: ['id'], label: (r) => `id ${r.id}`, serial: true },
  { name: 'products', key: ['id'], label: (r) => `id ${r.id}` },
  { name: 'outbox', key: ['id'], label: (r) => `id ${r.id}`, serial: true },
  // Webhooks: the endpoints, their secrets (sealed: opened and sealed again, as core/webhooks.ts seals them), and the
  // outbox: events not delivered yet are delivered from the target, and the console keeps its history.
  { name: 'webhook_endpoints', key: ['id'], label: (r) => `id ${r.id}` },
  { name: 'webhook_secrets', key: ['id'], label: (r) => `id ${r.id}`, sealed: { column: 'sealed_secret', context: (r) => `webhook-secret:${r.id}` } },
  { name: 'webhook_events', key: ['id'], label: (r) => `id ${r.id}` },
  { name: 'webhook_deliveries', key: ['id'], label: (r) => `id ${r.id}`, serial: true },
  // Organisations: their members and roles, the custom roles superusers defined, invitations still out (hashed tokens).
  { name: 'organizations', key: ['id'], label: (r) => `id ${r.id}` },
  { name: 'org_memberships', key: ['org_id', 'user_id'], label: (r) => `org_id ${r.org_id} user_id ${r.user_id}` },
  { name: 'org_roles', key: ['name'], label: (r) => `name ${r.name}` },
  { name: 'org_invitations', key: ['id'], label: (r) => `id ${r.id}` },
  // Upstream identity providers (their client secret sealed, as core/identities.ts seals it) and the identities linked through them.
  {
    name: 'identity_providers',
    key: ['id'],
    label: (r) => `id ${r.id}`,
    sealed: { column: 'sealed_client_secret', context: (r) => `idp-secret:${r.id}` },
  },
  { name: 'linked_identities', key: ['issuer', 'subject'], label: (r) => `provider ${r.provider_id} user_id ${r.user_id}` },
];

/**
 * Every other table the migrations create, and why it stays behind: state
 * that lives minutes, or that only a session gives meaning to. After a move
 * users sign in again. A table in neither list fails test/cli/copy-tables.test.ts.
 */
export const NOT_COPIED: Readonly<Record<string, string>> = {
  sessions: 'signed-in sessions: users sign in again, and tokens issued before the move are refused',
  attempt_budgets: 'lockout and attempt counters (windows of 15 minutes to an hour): they start afresh',
  mfa_challenges: 'the mfa_token of a login half done (5 minutes): the user logs in again',
  totp_used_steps: 'the replay guard of TOTP codes used in the last 90 seconds: longer ago than a move takes',
  webauthn_ceremonies: 'passkey challenges in flight (5 minutes)',
  one_time_codes: 'sign-in codes texted or mailed in the last minutes (5 minutes): the user asks for a new one',
  upstream_requests: 'sign-ins at an upstream identity provider in flight (10 minutes): the person starts again',
  oidc_payloads:
    "the OpenID provider's codes, tokens, grants, sessions and cookie keys: bound to sessions, which are not copied; apps sign their users in again",
  kysely_migration: "the migrator's own record: the target's migrations wrote it",
  kysely_migration_lock: "the migrator's own lock: the target's migrations wrote it",
};
