import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NewUser, User, UserPatch } from '../../core/ports/user-store.ts';
import { userDefaults } from '../user-defaults.ts';
import type { UsersTable } from './schema.ts';

type Row = Selectable<UsersTable>;

/** Database row to core record. */
export function rowToUser(r: Row): User {
  return {
    id: Number(r.id),
    uuid: r.uuid,
    email: r.email,
    username: r.username,
    passwordHash: r.password_hash,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    phoneNormalized: r.phone_normalized ?? null,
    fullName: r.full_name,
    nickname: r.nickname,
    gender: r.gender,
    age: r.age == null ? null : Number(r.age),
    birthDate: r.birth_date,
    avatarUrl: r.avatar_url,
    bio: r.bio,
    isSuperuser: !!r.is_superuser,
    isStaff: !!r.is_staff,
    status: r.status === 'disabled' ? 'disabled' : 'active',
    isEmailVerified: !!r.is_email_verified,
    isPhoneVerified: !!r.is_phone_verified,
    language: r.language,
    timezone: r.timezone,
    theme: r.theme,
    notifications: { email: !!r.notify_email, push: !!r.notify_push },
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastLoginAt: r.last_login_at == null ? null : Number(r.last_login_at),
    loginCount: Number(r.login_count),
  };
}

/** Core record for a new account to row. */
export function newUserToRow(input: NewUser): Insertable<UsersTable> {
  const u = userDefaults(input);
  const row: Insertable<UsersTable> = patchToRow({ ...u, updatedAt: u.updatedAt }) as Insertable<UsersTable>;
  row.uuid = u.uuid;
  row.created_at = u.createdAt;
  if (input.id !== undefined) row.id = input.id;
  return row;
}

const flag = (b: boolean) => (b ? 1 : 0);

/** Only the fields present in the patch become columns. */
export function patchToRow(p: UserPatch): Updateable<UsersTable> {
  const row: Updateable<UsersTable> = { updated_at: p.updatedAt };
  if (p.email !== undefined) row.email = p.email;
  if (p.username !== undefined) {
    row.username = p.username;
    row.username_key = p.username?.toLowerCase() ?? null;
  }
  if (p.passwordHash !== undefined) row.password_hash = p.passwordHash;
  if (p.firstName !== undefined) row.first_name = p.firstName;
  if (p.lastName !== undefined) row.last_name = p.lastName;
  if (p.phone !== undefined) row.phone = p.phone;
  if (p.phoneNormalized !== undefined) row.phone_normalized = p.phoneNormalized;
  if (p.fullName !== undefined) row.full_name = p.fullName;
  if (p.nickname !== undefined) row.nickname = p.nickname;
  if (p.gender !== undefined) row.gender = p.gender;
  if (p.age !== undefined) row.age = p.age;
  if (p.birthDate !== undefined) row.birth_date = p.birthDate;
  if (p.avatarUrl !== undefined) row.avatar_url = p.avatarUrl;
  if (p.bio !== undefined) row.bio = p.bio;
  if (p.isSuperuser !== undefined) row.is_superuser = flag(p.isSuperuser);
  if (p.isStaff !== undefined) row.is_staff = flag(p.isStaff);
  if (p.status !== undefined) row.status = p.status;
  if (p.isEmailVerified !== undefined) row.is_email_verified = flag(p.isEmailVerified);
  if (p.isPhoneVerified !== undefined) row.is_phone_verified = flag(p.isPhoneVerified);
  if (p.language !== undefined) row.language = p.language;
  if (p.timezone !== undefined) row.timezone = p.timezone;
  if (p.theme !== undefined) row.theme = p.theme;
  if (p.notifications !== undefined) {
    row.notify_email = flag(p.notifications.email);
    row.notify_push = flag(p.notifications.push);
  }
  if (p.lastLoginAt !== undefined) row.last_login_at = p.lastLoginAt;
  if (p.loginCount !== undefined) row.login_count = p.loginCount;
  return row;
}
