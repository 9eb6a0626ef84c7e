import type { ErrorCode, GatehouseError } from '../../../../core/errors.ts';
import type { Refusal } from '../../../../texts/common.ts';

/** How a page answers a refused form: its status, and the one sentence (src/texts/common.ts) every page shows for it. */
export type PageRefusal = readonly [status: number, refusal: Refusal];

/**
 * Every core failure as the HTML pages answer it — the sign-in on /account,
 * /admin and the OpenID sign-in alike, and every form after it. Total over the
 * core's codes: a code added to the core fails the type check until it is
 * placed here. Wrong password or code 401, locked 423, rate-limited 429 (with
 * Retry-After), an expired second step 400, a refused form (CSRF) 403.
 */
export const PAGE_REFUSALS: Record<ErrorCode, PageRefusal> = {
  INVALID_CREDENTIALS: [401, 'wrongCredentials'],
  MFA_CODE_INVALID: [401, 'wrongCode'],
  OTP_INVALID: [401, 'wrongSignInCode'],
  PHONE_TAKEN: [409, 'phoneTaken'],
  SMS_BUDGET_EXHAUSTED: [503, 'unavailable'],
  ACCOUNT_LOCKED: [423, 'locked'],
  RATE_LIMITED: [429, 'tooMany'],
  MFA_TOKEN_INVALID: [400, 'stepExpired'],
  USER_DISABLED: [403, 'disabled'],
  EMAIL_NOT_VERIFIED: [403, 'unverified'],
  MFA_ENROLMENT_REQUIRED: [403, 'enrolFirst'],
  MFA_REQUIRED: [401, 'stepExpired'],
  STORE_UNAVAILABLE: [503, 'unavailable'],
  PASSWORD_INCORRECT: [400, 'wrongPassword'],
  VALIDATION_FAILED: [400, 'badInput'],
  STEP_UP_REQUIRED: [403, 'stepUpNeeded'],
  LAST_FACTOR_REQUIRED: [409, 'lastFactor'],
  MFA_STATE_CONFLICT: [409, 'factorState'],
  STAFF_SECOND_FACTOR_REQUIRED: [403, 'noAccess'],
  FORBIDDEN: [403, 'noAccess'],
  ORG_FORBIDDEN: [403, 'noAccess'],
  LAST_OWNER: [409, 'badInput'],
  SLUG_TAKEN: [409, 'badInput'],
  INVITATION_INVALID: [400, 'formExpired'],
  INVITATION_EMAIL_MISMATCH: [403, 'noAccess'],
  NOT_FOUND: [404, 'notFound'],
  USER_NOT_FOUND: [404, 'notFound'],
  ACCOUNT_GONE: [401, 'formExpired'],
  EMAIL_TAKEN: [409, 'emailTaken'],
  USERNAME_TAKEN: [409, 'badInput'],
  RESET_TOKEN_INVALID: [400, 'formExpired'],
  VERIFICATION_INVALID: [400, 'formExpired'],
  TOKEN_MISSING: [401, 'formExpired'],
  TOKEN_NOT_BEARER: [401, 'formExpired'],
  TOKEN_MALFORMED: [401, 'formExpired'],
  TOKEN_INVALID: [401, 'formExpired'],
  TOKEN_EXPIRED: [401, 'formExpired'],
  TOKEN_WRONG_TYPE: [401, 'formExpired'],
  SESSION_ENDED: [401, 'formExpired'],
  TOKEN_REUSED: [401, 'formExpired'],
  UPSTREAM_FAILED: [400, 'upstreamFailed'],
  IDENTITY_LINK_REQUIRED: [409, 'linkRequired'],
  IDENTITY_NOT_ALLOWED: [403, 'upstreamNotAllowed'],
  LAST_WAY_IN: [409, 'lastWayIn'],
};

/** A form without its CSRF value (or from another site): refused before anything is looked at. */
export const CSRF_REFUSAL: PageRefusal = [403, 'formExpired'];

/**
 * A core failure as a page answers it: PAGE_REFUSALS, except a provider that keyed nobody (UPSTREAM_FAILED on
 * `unionid`: WeChat without unionid), whose page names the set-up the operator must fix.
 */
export function pageRefusal(error: GatehouseError): PageRefusal {
  return error.code === 'UPSTREAM_FAILED' && error.field === 'unionid' ? [400, 'upstreamUnkeyed'] : PAGE_REFUSALS[error.code];
}
