import type { User } from './ports/user-store.ts';

/** `2024-01-01T12:00:00Z`: RFC 3339, UTC, whole seconds. */
export const rfc3339 = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/**
 * An account as the staff API (`/api/admin/users`) and the webhooks' `data.user`
 * show it: never a password hash, a secret or a token. In core, so events
 * written beside a change carry it without a surface being imported.
 */
export interface UserView {
  id: number;
  uuid: string;
  email: string | null;
  username: string | null;
  full_name: string | null;
  status: string;
  is_email_verified: boolean;
  is_phone_verified: boolean;
  is_superuser: boolean;
  is_staff: boolean;
  created_at: string;
  last_login_at: string | null;
  login_count: number;
}

export function userView(u: User): UserView {
  return {
    id: u.id,
    uuid: u.uuid,
    email: u.email,
    username: u.username,
    full_name: u.fullName,
    status: u.status,
    is_email_verified: u.isEmailVerified,
    is_phone_verified: u.isPhoneVerified,
    is_superuser: u.isSuperuser,
    is_staff: u.isStaff,
    created_at: rfc3339(u.createdAt),
    last_login_at: u.lastLoginAt == null ? null : rfc3339(u.lastLoginAt),
    login_count: u.loginCount,
  };
}
