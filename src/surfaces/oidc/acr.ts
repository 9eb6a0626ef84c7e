import { showsSecondFactor } from '../../core/second-factors/amr.ts';

/** Signed in with a password alone: no second factor. */
export const ACR_PWD = 'urn:gatehouse:acr:pwd';
/** Signed in with a second factor: an authenticator or recovery code, or a passkey. */
export const ACR_MFA = 'urn:gatehouse:acr:mfa';
export const ACR_VALUES = [ACR_PWD, ACR_MFA];

/** The id_token's `acr` for a core sign-in's `amr`. */
export function acrOf(amr: readonly string[]): string {
  return showsSecondFactor(amr) ? ACR_MFA : ACR_PWD;
}

/**
 * Whether an authorization request's `acr_values` leaves nothing but the
 * second factor: `urn:gatehouse:acr:mfa` named and `urn:gatehouse:acr:pwd`
 * not (a list naming both accepts either, as its order is a preference).
 */
export function demandsSecondFactor(acrValues: unknown): boolean {
  if (typeof acrValues !== 'string') return false;
  const values = acrValues.split(' ');
  return values.includes(ACR_MFA) && !values.includes(ACR_PWD);
}
