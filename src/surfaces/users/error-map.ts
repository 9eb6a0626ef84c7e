import type { FastifyReply } from 'fastify';
import { bearerChallenge, everyTokenFailure, type ErrorMap, type ErrorRenderer } from '../shared/error-map.ts';
import { fastApiDetail, fastApiJsonError } from '../shared/fastapi-errors.ts';

/** Seed 000's answers for core errors. Route-specific ones live on the routes. */
export const USERS_ERRORS: ErrorMap = {
  ...everyTokenFailure([401, 'Token is invalid'], [401, 'Not authenticated']),
  EMAIL_TAKEN: [400, 'Email already registered'],
  INVALID_CREDENTIALS: [400, 'Incorrect email or password'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  TOKEN_EXPIRED: [401, 'Token has expired'],
  USER_NOT_FOUND: [401, 'User not found'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
};

/** FastAPI's `{"detail": ...}` bodies; 422 lists for schema errors; `WWW-Authenticate` on 401. */
export const fastApiRenderer = (map: ErrorMap): ErrorRenderer => ({
  map,
  body: (_status, message) => ({ detail: message }),
  invalid: (reply: FastifyReply, failure) =>
    reply.code(422).send(failure.kind === 'malformed-body' ? fastApiJsonError() : { detail: fastApiDetail(failure.issues) }),
  headers: bearerChallenge,
});
