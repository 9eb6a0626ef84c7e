/** Every kind of event, in one list (the console's filter offers them all). */
export const AUDIT_TYPES = [
  'user.registered',
  'verification.sent',
  'email.verified',
  'phone.verified',
  'otp.sent',
  'login.succeeded',
  'login.failed',
  'account.locked',
  'logout',
  'password.changed',
  'password.reset',
  'password.breached',
  'session.reuse_detected',
  'sms.budget_exhausted',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.failed',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'mfa.reset',
  'mfa.legacy_login',
  'app.registered',
  'app.removed',
  'app.secret_rotated',
  'app.redirect_uris_changed',
  'keys.rotated',
  'oidc.signed_in',
  'oidc.signed_out',
  'account.unlocked',
  'email.changed',
  'reset.sent',
  'sessions.ended',
  'user.role_changed',
  'webhook.added',
  'webhook.removed',
  'webhook.secret_rotated',
  'webhook.enabled',
  'webhook.disabled',
  'webhook.tested',
  'webhook.replayed',
  'org.created',
  'org.updated',
  'org.deleted',
  'org.member_added',
  'org.member_updated',
  'org.member_removed',
  'org.invitation_sent',
  'org.invitation_accepted',
  'org.invitation_revoked',
  'role.defined',
  'role.removed',
  'identity.linked',
  'identity.unlinked',
  'provider.added',
  'provider.removed',
] as const;

/** What happened. */
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEvent {
  at: number;
  type: AuditType;
  userId: number | null;
  ip: string | null;
  userAgent: string | null;
  /** The staff member who acted on the account (the console), or null when the account's owner or the system did. */
  actorId: number | null;
  /** A short free text (e.g. the surface path, or the reason). Never a secret. */
  detail: string | null;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
}

/** Which events to read: every field narrows; newest first. */
export interface AuditQuery {
  limit: number;
  userId?: number;
  type?: AuditType;
  /** From this time on (epoch ms, inclusive). */
  from?: number;
  /** Before this time (epoch ms, exclusive). */
  to?: number;
  /** Only events older than this id: the next page after the last one seen. */
  beforeId?: number;
}

/** Persistence of audit events (append-only). */
export interface AuditLog {
  add(event: AuditEvent): Promise<void>;
  /** Newest first; optionally one user's. */
  list(limit: number, userId?: number): Promise<StoredAuditEvent[]>;
  /** Newest first, filtered. */
  query(query: AuditQuery): Promise<StoredAuditEvent[]>;
  /** How many events of each type happened from `since` on (types with none are absent). */
  countSince(since: number): Promise<Partial<Record<AuditType, number>>>;
}
