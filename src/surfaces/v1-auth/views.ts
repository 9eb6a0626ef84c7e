import type { User } from '../../core/ports/user-store.ts';
import type { Session } from '../../core/ports/session-store.ts';
import { zuluOrNull, zuluUtc } from '../shared/timestamps.ts';

/** Seed 004's register answer. */
export const registeredUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  full_name: u.fullName,
  phone: u.phone,
  is_superuser: u.isSuperuser,
  is_staff: u.isStaff,
  status: u.status === 'active' ? 'active' : 'inactive',
  created_at: zuluUtc(u.createdAt),
});

/** The `user` object of seed 004's login answer. */
export const loginUser = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  full_name: u.fullName,
  avatar_url: u.avatarUrl,
  is_superuser: u.isSuperuser,
  is_staff: u.isStaff,
  status: u.status === 'active' ? 'active' : 'inactive',
  created_at: zuluUtc(u.createdAt),
  last_login_at: zuluOrNull(u.lastLoginAt),
});

/** Seed 004's full profile (`GET /api/v1/auth/me`). */
export const profile = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  full_name: u.fullName,
  avatar_url: u.avatarUrl,
  bio: u.bio,
  phone: u.phone,
  is_email_verified: u.isEmailVerified,
  is_phone_verified: u.isPhoneVerified,
  is_superuser: u.isSuperuser,
  is_staff: u.isStaff,
  status: u.status === 'active' ? 'active' : 'inactive',
  language: u.language,
  timezone: u.timezone,
  theme: u.theme,
  created_at: zuluUtc(u.createdAt),
  updated_at: zuluUtc(u.updatedAt),
  last_login_at: zuluOrNull(u.lastLoginAt),
  login_count: u.loginCount,
});

export const refreshUser = (u: User) => ({ id: u.id, username: u.username, email: u.email });

/** Seed 003's register answer (envelope style). */
export const envelopeRegistered = (u: User) => ({
  uuid: u.uuid,
  username: u.username,
  full_name: u.fullName,
  email: u.email,
  created_at: zuluUtc(u.createdAt),
});

/** One of the caller's sessions (devices), on `GET /sessions`. */
export const sessionView = (s: Session, currentId: string) => ({
  id: s.id,
  created_at: zuluUtc(s.createdAt),
  last_seen_at: zuluUtc(s.lastSeenAt),
  expires_at: zuluUtc(s.expiresAt),
  ip: s.ip,
  user_agent: s.userAgent,
  remember_me: s.rememberMe,
  current: s.id === currentId,
});
