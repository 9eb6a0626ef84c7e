import type { ColumnType, Generated } from 'kysely';

/** The tables as Kysely sees them. Times are epoch milliseconds; flags are 0/1 integers (portable across SQLite and PostgreSQL). */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  attempt_budgets: AttemptBudgetsTable;
  password_resets: PasswordResetsTable;
  outbox: OutboxTable;
  products: ProductsTable;
  audit_events: AuditEventsTable;
  verifications: VerificationsTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  mfa_challenges: MfaChallengesTable;
  totp_used_steps: TotpUsedStepsTable;
  webauthn_ceremonies: WebauthnCeremoniesTable;
  signing_keys: SigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  one_time_codes: OneTimeCodesTable;
  identity_providers: IdentityProvidersTable;
  linked_identities: LinkedIdentitiesTable;
  upstream_requests: UpstreamRequestsTable;
  organizations: OrganizationsTable;
  org_memberships: OrgMembershipsTable;
  org_roles: OrgRolesTable;
  org_invitations: OrgInvitationsTable;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

export interface OrgMembershipsTable {
  org_id: string;
  user_id: number;
  /** `,owner,invoices,` */
  roles: string;
  created_at: number;
  updated_at: number;
}

export interface OrgRolesTable {
  name: string;
  description: string;
  /** A JSON array of strings. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface OrgInvitationsTable {
  id: string;
  org_id: string;
  email: string;
  roles: string;
  token_hash: string;
  invited_by: number | null;
  created_at: number;
  expires_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string;
  event_types: string;
  enabled: number;
  disabled_reason: string | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookSecretsTable {
  id: string;
  endpoint_id: string;
  sealed_secret: string;
  created_at: number;
  expires_at: number | null;
}

export interface WebhookEventsTable {
  id: string;
  type: string;
  body: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  claim: string | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: number;
}

/** A pending sign-in code per number or address (migration 0012). */
export interface OneTimeCodesTable {
  /** `phone:+8613800138000` or `email:a@example.com`. */
  target: string;
  code_hash: string;
  token_hash: string | null;
  browser_hash: string | null;
  user_id: number | null;
  created_at: number;
  expires_at: number;
  attempts_left: number;
}

export interface TotpFactorsTable {
  user_id: number;
  sealed_secret: string;
  created_at: number;
  confirmed_at: number | null;
}

export interface RecoveryCodesTable {
  user_id: number;
  code_hash: string;
  created_at: number;
}

export interface PasskeysTable {
  id: string;
  user_id: number;
  public_key: string;
  counter: number;
  /** JSON array of transport names. */
  transports: string;
  name: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export interface MfaChallengesTable {
  token_hash: string;
  user_id: number;
  expires_at: number;
  attempts_left: number;
  remember_me: number;
  /** How the first step was taken (`pwd`, `sms`, `email`); null for challenges made before migration 0012. */
  first_factor: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TotpUsedStepsTable {
  user_id: number;
  step: number;
  expires_at: number;
}

export interface WebauthnCeremoniesTable {
  id: string;
  challenge: string;
  user_id: number | null;
  expires_at: number;
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcClientsTable {
  client_id: string;
  name: string;
  secret_hash: string | null;
  /** A JSON array of strings. */
  redirect_uris: string;
  id_token_alg: string;
  created_at: number;
  /** A JSON array of strings: the API scopes `client_credentials` may grant (migration 0011). */
  scopes: string;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  sealed_private_jwk: string;
  public_jwk: string;
  created_at: number;
  verify_until: number;
  retired_at: number | null;
}

export interface VerificationsTable {
  user_id: number;
  channel: string;
  target: string;
  token_hash: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts_left: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: number | null;
  ip: string | null;
  user_agent: string | null;
  actor_id: number | null;
  detail: string | null;
}

export interface ProductsTable {
  id: number;
  model: string;
  quantity: number;
  image: string;
  price: number;
  name: string;
  description: string;
  featured_rank: number | null;
  status: string;
  viewed: number;
  created_at: number;
  updated_at: number;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OutboxTable {
  id: Generated<number>;
  recipient: string;
  subject: string;
  body: string;
  created_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  uuid: string;
  email: string | null;
  username: string | null;
  /** Lower-cased username: the unique key that makes usernames case-insensitive. */
  username_key: string | null;
  password_hash: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  /** E.164 copy of `phone` that numbers are matched by (migration 0012); unique among verified numbers. */
  phone_normalized: ColumnType<string | null, string | null | undefined, string | null>;
  full_name: string | null;
  nickname: string | null;
  gender: string | null;
  age: number | null;
  birth_date: string | null;
  avatar_url: string | null;
  bio: string | null;
  is_superuser: number;
  is_staff: number;
  status: string;
  is_email_verified: number;
  is_phone_verified: number;
  language: string;
  timezone: string;
  theme: string;
  notify_email: number;
  notify_push: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  login_count: number;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  access_jti: string;
  previous_access_jti: string | null;
  rotated_at: number;
  refresh_hash: string | null;
  remember_me: number;
  ip: string | null;
  user_agent: string | null;
  last_seen_at: number | null;
}

export interface AttemptBudgetsTable {
  subject: string;
  window_start: number;
  count: number;
  locked_until: number | null;
  granted: number;
}

export interface IdentityProvidersTable {
  id: string;
  kind: string;
  name: string;
  issuer: string;
  client_id: string;
  sealed_client_secret: string | null;
  /** JSON arrays of text. */
  audiences: string;
  domains: string;
  signup: number;
  trust_mfa: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface LinkedIdentitiesTable {
  issuer: string;
  subject: string;
  provider_id: string;
  user_id: number;
  email: string | null;
  email_verified: number;
  created_at: number;
  last_used_at: number | null;
}

export interface UpstreamRequestsTable {
  id: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  link_for: number | null;
  return_to: string;
  browser: string;
  /** JSON of the proved identity, once the callback verified it. */
  proved: string | null;
  expires_at: number;
}
