import type { NewUser, User } from '../core/ports/user-store.ts';

/** The full record a store keeps for a new account: the given fields over the defaults. */
export function userDefaults(input: NewUser): Omit<User, 'id'> {
  return {
    uuid: input.uuid,
    email: input.email,
    username: input.username,
    passwordHash: input.passwordHash,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    phone: input.phone ?? null,
    phoneNormalized: input.phoneNormalized ?? null,
    fullName: input.fullName ?? null,
    nickname: input.nickname ?? null,
    gender: input.gender ?? null,
    age: input.age ?? null,
    birthDate: input.birthDate ?? null,
    avatarUrl: input.avatarUrl ?? null,
    bio: input.bio ?? null,
    isSuperuser: input.isSuperuser ?? false,
    isStaff: input.isStaff ?? false,
    status: input.status ?? 'active',
    isEmailVerified: input.isEmailVerified ?? false,
    isPhoneVerified: input.isPhoneVerified ?? false,
    language: input.language ?? 'zh',
    timezone: input.timezone ?? 'Asia/Shanghai',
    theme: input.theme ?? 'light',
    notifications: input.notifications ?? { email: true, push: false },
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    lastLoginAt: input.lastLoginAt ?? null,
    loginCount: input.loginCount ?? 0,
  };
}
