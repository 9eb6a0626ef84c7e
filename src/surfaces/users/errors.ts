import { everyTokenFailure, FASTAPI_SERVICE_ROWS, type ErrorMap, type ErrorOverrides } from '../shared/error-map.ts';

/** Seed 000's answers for core errors. Route-specific ones live on the routes. */
export const USERS_ERRORS: ErrorMap = {
  ...everyTokenFailure([401, 'Token is invalid'], [401, 'Not authenticated']),
  ...FASTAPI_SERVICE_ROWS,
  TOKEN_EXPIRED: [401, 'Token has expired'],
  ACCOUNT_GONE: [401, 'User not found'],
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [400, 'Incorrect email or password'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
  USER_NOT_FOUND: [404, 'User not found'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  RESET_TOKEN_INVALID: [400, 'Invalid or expired reset token'],
  NOT_FOUND: [404, 'Not Found'],
  FORBIDDEN: [403, 'Not enough privileges'],
};

/** `POST /api/users/logout`: a session already ended is seed 000's "Token record not found". */
export const LOGOUT_ERRORS: ErrorOverrides = { SESSION_ENDED: [404, 'Token record not found'] };

/** `POST /api/users/refresh_token`: a session that cannot be refreshed means logging in again. */
const REFRESH_REFUSED = [403, 'Refresh token is invalid or expired'] as const;
export const REFRESH_ERRORS: ErrorOverrides = { SESSION_ENDED: REFRESH_REFUSED, TOKEN_REUSED: REFRESH_REFUSED, ACCOUNT_GONE: REFRESH_REFUSED };
