import type { ErrorMap } from '../shared/error-map.ts';

const UNVALIDATED = [401, 'Could not validate credentials'] as const;
const NOT_AUTHENTICATED = [401, 'Not authenticated'] as const;

/** Seed 002's answers for core errors. */
export const AUTH_ERRORS: ErrorMap = {
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [401, 'Incorrect username or password'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  TOKEN_MISSING: NOT_AUTHENTICATED,
  TOKEN_NOT_BEARER: NOT_AUTHENTICATED,
  TOKEN_MALFORMED: UNVALIDATED,
  TOKEN_INVALID: UNVALIDATED,
  TOKEN_EXPIRED: UNVALIDATED,
  TOKEN_WRONG_TYPE: UNVALIDATED,
  SESSION_ENDED: UNVALIDATED,
  TOKEN_REUSED: UNVALIDATED,
  USER_NOT_FOUND: UNVALIDATED,
};

const INVALID_REFRESH = [401, 'Invalid refresh token'] as const;

/** On POST /api/auth/refresh every token failure is one answer. */
export const REFRESH_ERRORS: ErrorMap = {
  TOKEN_INVALID: INVALID_REFRESH,
  TOKEN_EXPIRED: INVALID_REFRESH,
  TOKEN_WRONG_TYPE: INVALID_REFRESH,
  SESSION_ENDED: INVALID_REFRESH,
  TOKEN_REUSED: INVALID_REFRESH,
  USER_NOT_FOUND: INVALID_REFRESH,
};
