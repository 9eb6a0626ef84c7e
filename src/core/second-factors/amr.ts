/**
 * RFC 8176 `amr` values, decided once: what counts as a second factor for the
 * console, the staff API, step-up and the OpenID provider's `acr`.
 * `otp` (an authenticator or recovery code), `hwk`/`swk` (a passkey), `mfa`.
 */
const SECOND_FACTOR_AMR: ReadonlySet<string> = new Set(['otp', 'mfa', 'hwk', 'swk']);

/** Whether a sign-in with this `amr` had a second factor. */
export function showsSecondFactor(amr: readonly string[] | undefined): boolean {
  return amr?.some((method) => SECOND_FACTOR_AMR.has(method)) ?? false;
}

/** The `amr` of a login finished with an authenticator or recovery code. */
export const CODE_AMR: readonly string[] = Object.freeze(['pwd', 'otp', 'mfa']);
