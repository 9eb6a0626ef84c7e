import { everyTokenFailure, FASTAPI_SERVICE_ROWS, type ErrorMap, type ErrorOverrides } from '../shared/error-map.ts';
import { FASTAPI_ACCOUNT_ROWS, OAUTH2_TOKEN_ERRORS } from '../shared/fastapi-errors.ts';

/** The answers of `/api/auth` and `/api/user/me` for core errors. */
export const AUTH_ERRORS: ErrorMap = {
  ...FASTAPI_ACCOUNT_ROWS,
  ...OAUTH2_TOKEN_ERRORS,
  ...FASTAPI_SERVICE_ROWS,
  INVALID_CREDENTIALS: [401, 'Incorrect username or password'],
};

/** On POST /api/auth/refresh every token failure is one answer. */
export const REFRESH_ERRORS: ErrorOverrides = everyTokenFailure([401, 'Invalid refresh token']);
