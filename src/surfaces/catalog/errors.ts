import { everyTokenFailure, FASTAPI_SERVICE_ROWS, type ErrorMap } from '../shared/error-map.ts';
import { FASTAPI_ACCOUNT_ROWS } from '../shared/fastapi-errors.ts';

/** The catalog needs no login; its own failures are the not-found answers its routes name. */
export const CATALOG_ERRORS: ErrorMap = {
  ...FASTAPI_ACCOUNT_ROWS,
  ...everyTokenFailure([401, 'Not authenticated']),
  ...FASTAPI_SERVICE_ROWS,
  USER_NOT_FOUND: [404, 'Not Found'],
  INVALID_CREDENTIALS: [401, 'Not authenticated'],
};
