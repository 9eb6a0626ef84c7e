import { everyTokenFailure, FASTAPI_SERVICE_ROWS, type ErrorMap, type ErrorOverrides } from '../shared/error-map.ts';
import { FASTAPI_ACCOUNT_ROWS } from '../shared/fastapi-errors.ts';

/** The answers of `/api/users` for core errors. Route-specific ones live on the routes. */
export const USERS_ERRORS: ErrorMap = {
  ...FASTAPI_ACCOUNT_ROWS,
  ...everyTokenFailure([401, 'Token is invalid'], [401, 'Not authenticated']),
  ...FASTAPI_SERVICE_ROWS,
  TOKEN_EXPIRED: [401, 'Token has expired'],
  ACCOUNT_GONE: [401, 'User not found'],
  INVALID_CREDENTIALS: [400, 'Incorrect email or password'],
};

/** `POST /api/users/logout`: a session already ended is "Token record not found". */
export const LOGOUT_ERRORS: ErrorOverrides = { SESSION_ENDED: [404, 'Token record not found'] };

/** `POST /api/users/refresh_token`: a session that cannot be refreshed means logging in again. */
const REFRESH_REFUSED = [403, 'Refresh token is invalid or expired'] as const;
export const REFRESH_ERRORS: ErrorOverrides = { SESSION_ENDED: REFRESH_REFUSED, TOKEN_REUSED: REFRESH_REFUSED, ACCOUNT_GONE: REFRESH_REFUSED };
