import { everyTokenFailure, FASTAPI_SERVICE_ROWS, type ErrorMap, type ErrorOverrides } from '../shared/error-map.ts';
import { OAUTH2_TOKEN_ERRORS } from '../shared/fastapi-errors.ts';

/** Seed 002's answers for core errors. */
export const AUTH_ERRORS: ErrorMap = {
  ...OAUTH2_TOKEN_ERRORS,
  ...FASTAPI_SERVICE_ROWS,
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [401, 'Incorrect username or password'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
  USER_NOT_FOUND: [404, 'User not found'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  RESET_TOKEN_INVALID: [400, 'Invalid or expired reset token'],
  NOT_FOUND: [404, 'Not Found'],
  FORBIDDEN: [403, 'Not enough privileges'],
};

/** On POST /api/auth/refresh every token failure is one answer. */
export const REFRESH_ERRORS: ErrorOverrides = everyTokenFailure([401, 'Invalid refresh token']);
