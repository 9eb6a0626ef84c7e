import type { WebAuthnSettings } from './passkey-ceremonies.ts';

/** MFA_LEGACY_LOGIN: what the login paths without a second step do for an enrolled account. */
export type LegacyLoginPolicy = 'refuse' | 'allow';

/** MFA_REQUIRED: which accounts must have a second factor (staff: `is_staff` or `is_superuser`). */
export type RequiredPolicy = 'off' | 'staff' | 'all';

export interface SecondFactorSettings {
  /** The issuer authenticator apps show beside the account (otpauth URI). */
  issuer: string;
  legacyLogin: LegacyLoginPolicy;
  required: RequiredPolicy;
  /** Passkeys: the relying party (PUBLIC_URL's host) and the allowed origins. */
  webauthn: WebAuthnSettings;
  /** How long an mfa_token lives, ms (5 minutes). */
  challengeTtlMs: number;
  /** Codes an mfa_token accepts before it dies (5). */
  challengeTries: number;
  /** STEP_UP_MAX_AGE_SECONDS, in ms: how recent a sign-in with a second factor stands in for a fresh proof (5 minutes). */
  stepUpMaxAgeMs: number;
}

export const DEFAULT_SECOND_FACTORS: SecondFactorSettings = {
  issuer: 'Gatehouse',
  legacyLogin: 'refuse',
  required: 'off',
  webauthn: { rpId: 'localhost', rpName: 'Gatehouse', origins: ['http://localhost'] },
  challengeTtlMs: 300_000,
  challengeTries: 5,
  stepUpMaxAgeMs: 300_000,
};

/** What a login may finish with, in the order clients should offer them. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'webauthn';

/**
 * How long an enrolment session lives (15 minutes): the sign-in that lets an
 * account MFA_REQUIRED covers set up its first factor, and nothing else.
 */
export const ENROLMENT_SECONDS = 900;

/** Whether MFA_REQUIRED covers the account: it must have a second factor (staff: `is_staff` or `is_superuser`). */
export function coveredBy(required: RequiredPolicy, user: { isStaff: boolean; isSuperuser: boolean }): boolean {
  return required === 'all' || (required === 'staff' && (user.isStaff || user.isSuperuser));
}
