import { everyTokenFailure, type ErrorMap } from '../shared/error-map.ts';

/** FastAPI's OAuth2 answers for token failures (seed 002, and the staff API). */
export const OAUTH2_TOKEN_ERRORS = everyTokenFailure([401, 'Could not validate credentials'], [401, 'Not authenticated']);

/** Seed 002's answers for core errors. */
export const AUTH_ERRORS: ErrorMap = {
  ...OAUTH2_TOKEN_ERRORS,
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  INVALID_CREDENTIALS: [401, 'Incorrect username or password'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
};

/** On POST /api/auth/refresh every token failure is one answer. */
export const REFRESH_ERRORS: ErrorMap = everyTokenFailure([401, 'Invalid refresh token']);
