import { FASTAPI_SERVICE_ROWS, everyTokenFailure, type ErrorMap } from '../shared/error-map.ts';

/** The catalog needs no login; its own failures are the not-found answers the routes name. */
export const CATALOG_ERRORS: ErrorMap = {
  ...everyTokenFailure([401, 'Not authenticated']),
  ...FASTAPI_SERVICE_ROWS,
  NOT_FOUND: [404, 'Not Found'],
  USER_NOT_FOUND: [404, 'Not Found'],
  FORBIDDEN: [403, 'Forbidden'],
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [401, 'Not authenticated'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  RESET_TOKEN_INVALID: [400, 'Invalid or expired reset token'],
};
