import { ENVELOPE_COMMON_ROWS } from '../shared/envelope.ts';
import type { ErrorMap } from '../shared/error-map.ts';

/** Seed 003's codes. */
export const V1_USERS_ERRORS: ErrorMap = {
  ...ENVELOPE_COMMON_ROWS,
  // Seed 003: a token whose user is gone is 404 USER_NOT_FOUND.
  ACCOUNT_GONE: [404, '用户不存在', 'USER_NOT_FOUND'],
  USER_NOT_FOUND: [404, '用户不存在', 'USER_NOT_FOUND'],
  USER_DISABLED: [403, '账户已被禁用', 'USER_DISABLED'],
  EMAIL_TAKEN: [400, '邮箱已存在', 'EMAIL_EXISTS'],
  USERNAME_TAKEN: [400, '用户名已存在', 'USERNAME_EXISTS'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误', 'INVALID_CREDENTIALS'],
  PASSWORD_INCORRECT: [400, '旧密码错误', 'INVALID_OLD_PASSWORD'],
  ACCOUNT_LOCKED: [423, '账户已被锁定', 'ACCOUNT_LOCKED'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期', 'INVALID_RESET_TOKEN'],
  NOT_FOUND: [404, '资源不存在', 'NOT_FOUND'],
  FORBIDDEN: [403, '权限不足', 'FORBIDDEN'],
};
