/** What happened. */
export type AuditType =
  | 'user.registered'
  | 'verification.sent'
  | 'email.verified'
  | 'phone.verified'
  | 'login.succeeded'
  | 'login.failed'
  | 'account.locked'
  | 'logout'
  | 'password.changed'
  | 'password.reset'
  | 'session.reuse_detected'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.deleted'
  | 'mfa.enrolled'
  | 'mfa.removed'
  | 'mfa.failed'
  | 'mfa.recovery_code_used'
  | 'mfa.recovery_codes_regenerated'
  | 'mfa.reset'
  | 'mfa.legacy_login'
  | 'app.registered'
  | 'app.removed'
  | 'app.secret_rotated'
  | 'oidc.signed_in'
  | 'oidc.signed_out';

export interface AuditEvent {
  at: number;
  type: AuditType;
  userId: number | null;
  ip: string | null;
  userAgent: string | null;
  /** A short free text (e.g. the surface path, or the reason). Never a secret. */
  detail: string | null;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
}

/** Persistence of audit events (append-only). */
export interface AuditLog {
  add(event: AuditEvent): Promise<void>;
  /** Newest first; optionally one user's. */
  list(limit: number, userId?: number): Promise<StoredAuditEvent[]>;
}
