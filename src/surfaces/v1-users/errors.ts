import { CHINESE_ACCOUNT_ROWS, ENVELOPE_COMMON_ROWS } from '../shared/envelope.ts';
import type { ErrorMap } from '../shared/error-map.ts';

/** The codes of `/api/v1/users`. */
export const V1_USERS_ERRORS: ErrorMap = {
  ...CHINESE_ACCOUNT_ROWS,
  ...ENVELOPE_COMMON_ROWS,
  // A token whose user is gone is 404 USER_NOT_FOUND here; a disabled account says so.
  ACCOUNT_GONE: [404, '用户不存在', 'USER_NOT_FOUND'],
  USER_DISABLED: [403, '账户已被禁用', 'USER_DISABLED'],
};
