/**
 * One catalog of every failure the core can report. Surfaces never invent
 * their own failure kinds: each surface's error map turns a code from this
 * catalog into that contract's status code and body.
 */
export const ERROR_CODES = {
  EMAIL_TAKEN: 'an account with this email already exists',
  USERNAME_TAKEN: 'an account with this username already exists',
  INVALID_CREDENTIALS: 'unknown account or wrong password',
  PASSWORD_INCORRECT: 'the current password given is wrong',
  USER_NOT_FOUND: 'the account an operation names does not exist',
  ACCOUNT_GONE: 'the account a token belongs to no longer exists (deleted while the token was out)',
  USER_DISABLED: 'the account is disabled',
  ACCOUNT_LOCKED: 'too many failed logins; the account is locked for a while',
  TOKEN_MISSING: 'no bearer token was presented',
  TOKEN_NOT_BEARER: 'the Authorization header is not a Bearer credential',
  TOKEN_MALFORMED: 'the bearer credential is not shaped like a JWT (three dot-separated parts)',
  TOKEN_INVALID: 'the token is not one Gatehouse signed, or it is damaged',
  TOKEN_EXPIRED: 'the token is past its expiry time',
  TOKEN_WRONG_TYPE: 'a token of another type was presented (refresh for access or the reverse)',
  SESSION_ENDED: 'the session behind the token has ended (logout, revocation, expiry)',
  TOKEN_REUSED: 'a replaced token was presented again; the session was ended',
  RESET_TOKEN_INVALID: 'the password reset token is unknown, used or expired',
  VERIFICATION_INVALID: 'the verification link or code is unknown, used, expired, or out of tries',
  EMAIL_NOT_VERIFIED: 'the account has not verified its email address, and this server requires it to log in',
  VALIDATION_FAILED: 'the input breaks a rule',
  NOT_FOUND: 'the requested thing does not exist',
  FORBIDDEN: 'the caller lacks the privilege for this',
  STORE_UNAVAILABLE: 'a storage backend cannot be reached',
  RATE_LIMITED: 'too many requests from this client or for this account; try again later',
  MFA_REQUIRED: 'the password was right, and the account also needs its second factor (TOTP, recovery code or passkey)',
  MFA_TOKEN_INVALID: 'the mfa_token is unknown, expired, used, or out of tries: log in again',
  MFA_CODE_INVALID: 'the second-factor code or recovery code is wrong, or was already used',
  MFA_ENROLMENT_REQUIRED: 'MFA_REQUIRED covers this account and it has no second factor yet: it must enrol at the hosted sign-in (/account) first',
  MFA_STATE_CONFLICT: 'the second factor is not in the state this needs (already enrolled, nothing pending, or not enrolled)',
  STEP_UP_REQUIRED:
    'this changes how the account is protected: it needs a fresh proof (the password and, with an authenticator app, a code; or a sign-in with a second factor within STEP_UP_MAX_AGE_SECONDS)',
  LAST_FACTOR_REQUIRED: 'MFA_REQUIRED covers this account: its last second factor cannot be removed',
  OTP_INVALID: 'the sign-in code is wrong, used, expired or out of tries (or nothing was sent to that number or address)',
  PHONE_TAKEN: 'another account has verified this phone number (a verified number belongs to one account)',
  SMS_BUDGET_EXHAUSTED: 'the hourly budget of texts to this calling code is spent (SMS_HOURLY_BUDGET): no text is sent until it opens again',
  ORG_FORBIDDEN: 'the caller is a member of the organisation, and its roles do not allow this',
  LAST_OWNER: 'an organisation always keeps an owner: the only owner cannot be removed, demoted, deleted or leave',
  SLUG_TAKEN: 'another organisation already has this slug',
  INVITATION_INVALID: 'the invitation is unknown, used, revoked or expired',
  INVITATION_EMAIL_MISMATCH: "the invitation is for another address: the account's verified email must be the invited one",
  STAFF_SECOND_FACTOR_REQUIRED: 'staff power needs a sign-in with a second factor (CONSOLE_MFA, MFA_REQUIRED): sign in with the password and the code',
  UPSTREAM_FAILED:
    "the identity provider's answer could not be accepted (the provider unreachable, a wrong or used state, a replayed code, an id_token not for this client or expired): start again",
  IDENTITY_LINK_REQUIRED:
    'an account with this email exists and is not linked to this identity: sign in to it (password and second factor, or a code) to link it',
  IDENTITY_NOT_ALLOWED: "this provider does not sign this person in here (it makes no new accounts, or the email's domain is not one it allows)",
  LAST_WAY_IN: "it is the account's last way in (no password, passkey or other linked identity, no verified email or number): it cannot be removed",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

interface FailOptions {
  cause?: unknown;
  retryAfterSeconds?: number;
}

/**
 * A failure the core reports on purpose. `field` names the input at fault, when
 * one is; `cause` (ES2022) keeps the underlying error, e.g. the driver's error
 * behind STORE_UNAVAILABLE, for the log.
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  /** For RATE_LIMITED and ACCOUNT_LOCKED: when trying again makes sense (the surfaces send it as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, field?: string, options?: FailOptions) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'GatehouseError';
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
}

/** Shorthand used throughout the core: `throw fail('USER_NOT_FOUND')`. */
export function fail(code: ErrorCode, message?: string, field?: string, options?: FailOptions): GatehouseError {
  return new GatehouseError(code, message, field, options);
}
