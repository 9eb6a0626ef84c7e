import { FASTAPI_SERVICE_ROWS, type ErrorMap } from '../shared/error-map.ts';
import { OAUTH2_TOKEN_ERRORS } from '../shared/fastapi-errors.ts';

/** The staff API's answers (FastAPI-shaped, English). */
export const ADMIN_ERRORS: ErrorMap = {
  ...OAUTH2_TOKEN_ERRORS,
  ...FASTAPI_SERVICE_ROWS,
  USER_DISABLED: [403, 'User is disabled'],
  FORBIDDEN: [403, 'Not enough privileges'],
  // The account a request names is missing (deleted meanwhile, or never was).
  USER_NOT_FOUND: [404, 'User not found'],
  NOT_FOUND: [404, 'Not Found'],
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [401, 'Could not validate credentials'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  RESET_TOKEN_INVALID: [400, 'Invalid or expired reset token'],
};
