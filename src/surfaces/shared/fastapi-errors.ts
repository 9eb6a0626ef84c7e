import type { FastifyReply } from 'fastify';
import type { Issue } from './classify-error.ts';
import { bearerChallenge, everyTokenFailure, type ErrorMap, type ErrorOverrides, type ErrorRenderer } from './error-map.ts';

/** FastAPI's `{"detail": ...}` bodies; 422 lists for schema errors; `WWW-Authenticate` on 401. */
export const fastApiRenderer = (map: ErrorMap): ErrorRenderer => ({
  map,
  body: (_status, message) => ({ detail: message }),
  invalid: (reply: FastifyReply, failure) =>
    reply.code(422).send(failure.kind === 'malformed-body' ? fastApiJsonError() : { detail: fastApiDetail(failure.issues) }),
  headers: bearerChallenge,
  internal: ['Internal Server Error', 'INTERNAL_ERROR'],
  validationStatus: 422,
  errorSchema: (status) => (status === 422 ? FASTAPI_VALIDATION_BODY : DETAIL_BODY),
});

/** `{"detail": "<message>"}`. */
export const DETAIL_BODY = { type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } };

/** FastAPI's 422: the document's own message (a string) or pydantic's list of issues. */
const FASTAPI_VALIDATION_BODY = {
  type: 'object',
  required: ['detail'],
  properties: {
    detail: {
      anyOf: [
        { type: 'string' },
        {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'loc', 'msg'],
            properties: {
              type: { type: 'string' },
              loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
              msg: { type: 'string' },
            },
          },
        },
      ],
    },
  },
};

/** The English answers of the FastAPI-shaped surfaces for account failures; each surface overrides what its document says otherwise. */
export const FASTAPI_ACCOUNT_ROWS = {
  EMAIL_TAKEN: [400, 'Email already registered'],
  USERNAME_TAKEN: [400, 'Username already registered'],
  PASSWORD_INCORRECT: [400, 'Incorrect password'],
  USER_NOT_FOUND: [404, 'User not found'],
  USER_DISABLED: [403, 'User is disabled'],
  ACCOUNT_LOCKED: [423, 'Account is temporarily locked'],
  RESET_TOKEN_INVALID: [400, 'Invalid or expired reset token'],
  VERIFICATION_INVALID: [400, 'Invalid or expired verification link or code'],
  EMAIL_NOT_VERIFIED: [403, 'Email address not verified: open the link in the verification mail first'],
  NOT_FOUND: [404, 'Not Found'],
  FORBIDDEN: [403, 'Not enough privileges'],
  // These documents have no second step: an enrolled account is told where to log in instead.
  MFA_REQUIRED: [403, 'Two-step verification is required for this account: log in through /api/v1/auth/login or the /account page'],
  MFA_ENROLMENT_REQUIRED: [403, 'Two-step verification must be set up first: sign in at the /account page'],
  MFA_TOKEN_INVALID: [401, 'Invalid or expired two-step verification token: log in again'],
  MFA_CODE_INVALID: [400, 'Invalid verification code'],
  OTP_INVALID: [400, 'Invalid or expired sign-in code'],
  PHONE_TAKEN: [400, 'This phone number is verified by another account'],
  MFA_STATE_CONFLICT: [409, 'Two-step verification is not in a state that allows this'],
  STEP_UP_REQUIRED: [
    403,
    'This account has two-step verification: changing its password or email needs the second factor, on the /account page or through /api/v1/auth',
  ],
  LAST_FACTOR_REQUIRED: [409, 'This account must keep at least one second factor'],
  ORG_FORBIDDEN: [403, 'Your roles in this organisation do not allow this'],
  LAST_OWNER: [409, 'An organisation must keep at least one owner'],
  SLUG_TAKEN: [409, 'Another organisation already has this slug'],
  INVITATION_INVALID: [400, 'Invalid, used, revoked or expired invitation'],
  INVITATION_EMAIL_MISMATCH: [403, "The invitation is for another address: the account's verified email must be the invited one"],
  UPSTREAM_FAILED: [400, 'The identity provider sign-in could not be verified'],
  IDENTITY_LINK_REQUIRED: [409, 'An account with this email exists and is not linked to this identity'],
  IDENTITY_NOT_ALLOWED: [403, 'This identity provider does not sign this account in here'],
  LAST_WAY_IN: [409, 'This is the last way in to this account'],
  STAFF_SECOND_FACTOR_REQUIRED: [
    403,
    'Staff power needs a sign-in with a second factor (CONSOLE_MFA, MFA_REQUIRED): log in with /api/v1/auth/login and /api/v1/auth/mfa/verify',
  ],
} as const satisfies ErrorOverrides;

/** FastAPI's OAuth2 answers for token failures (`/api/user/me`, and the staff API). */
export const OAUTH2_TOKEN_ERRORS = everyTokenFailure([401, 'Could not validate credentials'], [401, 'Not authenticated']);

/** One entry of FastAPI's 422 `detail` list. */
export interface FastApiIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
}

/** Schema violations in the shape FastAPI (pydantic v2) gives them. */
export function fastApiDetail(issues: Issue[]): FastApiIssue[] {
  return issues.map((issue) => ({ ...describe(issue), loc: [issue.location, ...issue.path] }));
}

/** The 422 body for a request whose JSON could not be parsed. */
export function fastApiJsonError(): { detail: FastApiIssue[] } {
  return { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' }] };
}

function describe({ keyword, params }: Issue): { type: string; msg: string } {
  switch (keyword) {
    case 'required':
      return { type: 'missing', msg: 'Field required' };
    case 'type':
      return typeMessage(String(params.type));
    case 'format':
      return params.format === 'email'
        ? { type: 'value_error', msg: 'value is not a valid email address: An email address must have an @-sign.' }
        : { type: 'value_error', msg: `Input should be a valid ${String(params.format)}` };
    case 'minLength':
      return { type: 'string_too_short', msg: `String should have at least ${String(params.limit)} character${params.limit === 1 ? '' : 's'}` };
    case 'maxLength':
      return { type: 'string_too_long', msg: `String should have at most ${String(params.limit)} character${params.limit === 1 ? '' : 's'}` };
    case 'minimum':
      return { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${String(params.limit)}` };
    case 'maximum':
      return { type: 'less_than_equal', msg: `Input should be less than or equal to ${String(params.limit)}` };
    case 'pattern':
      return { type: 'string_pattern_mismatch', msg: `String should match pattern '${String(params.pattern)}'` };
    case 'enum':
    case 'const': {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : [params.allowedValue]).map((v) => `'${String(v)}'`);
      const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed[0];
      return { type: 'enum', msg: `Input should be ${list}` };
    }
    case 'rule':
      return { type: 'value_error', msg: `Value error, ${String(params.message)}` };
    default:
      return { type: 'value_error', msg: `Invalid value (${keyword})` };
  }
}

function typeMessage(type: string): { type: string; msg: string } {
  if (type.startsWith('integer')) return { type: 'int_type', msg: 'Input should be a valid integer' };
  if (type.startsWith('number')) return { type: 'float_type', msg: 'Input should be a valid number' };
  if (type.startsWith('boolean')) return { type: 'bool_type', msg: 'Input should be a valid boolean' };
  if (type.startsWith('object')) return { type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from' };
  if (type.startsWith('array')) return { type: 'list_type', msg: 'Input should be a valid list' };
  return { type: 'string_type', msg: 'Input should be a valid string' };
}
