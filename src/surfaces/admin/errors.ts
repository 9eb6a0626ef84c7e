import { FASTAPI_SERVICE_ROWS, type ErrorMap } from '../shared/error-map.ts';
import { FASTAPI_ACCOUNT_ROWS, OAUTH2_TOKEN_ERRORS } from '../shared/fastapi-errors.ts';

/** The staff API's answers (FastAPI-shaped, English). USER_NOT_FOUND: the account a request names is missing. */
export const ADMIN_ERRORS: ErrorMap = {
  ...FASTAPI_ACCOUNT_ROWS,
  ...OAUTH2_TOKEN_ERRORS,
  ...FASTAPI_SERVICE_ROWS,
  INVALID_CREDENTIALS: [401, 'Could not validate credentials'],
};
