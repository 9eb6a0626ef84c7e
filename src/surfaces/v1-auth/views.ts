import type { User } from '../../core/ports/user-store.ts';
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
