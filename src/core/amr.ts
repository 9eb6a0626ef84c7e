/**
 * The `amr` values (RFC 8176) that show a second factor: an authenticator or
 * recovery code (`otp`, `mfa`), a passkey (`hwk`, `swk`).
 */
export const SECOND_FACTOR_AMR: ReadonlySet<string> = new Set(['otp', 'mfa', 'hwk', 'swk']);

/** Whether a sign-in, by its `amr`, used a second factor. */
export function showsSecondFactor(amr: readonly string[] | undefined): boolean {
  return amr?.some((method) => SECOND_FACTOR_AMR.has(method)) ?? false;
}
