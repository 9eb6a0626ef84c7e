import type { User } from '../../core/ports/user-store.ts';
import { naiveUtc } from '../shared/timestamps.ts';

/** Seed 002's user object. */
export function userObject(u: User) {
  return {
    username: u.username,
    email: u.email,
    nickname: u.nickname,
    _id: u.uuid,
    is_admin: u.isSuperuser,
    is_active: u.status === 'active',
    created_at: naiveUtc(u.createdAt),
    updated_at: naiveUtc(u.updatedAt),
  };
}
