import { hasPassword } from './passwords.ts';
import type { User } from './ports/user-store.ts';

/** What an account holds besides its profile that signs it in: counted where one is about to go. */
export interface WaysInHeld {
  /** Passkeys: each signs in alone. */
  passkeys: number;
  /** Identities at upstream providers. */
  identities: number;
}

/**
 * Whether the account keeps a way in once one passkey or one identity goes:
 * a password, a verified email or number (a sign-in code or a reset reaches
 * it), or another passkey or identity. The one rule for `/account`'s unlink
 * and passkey removal and the console's unlink (LAST_WAY_IN otherwise).
 */
export function keepsWayIn(user: User, held: WaysInHeld, removing: 'passkey' | 'identity'): boolean {
  const passkeys = held.passkeys - (removing === 'passkey' ? 1 : 0);
  const identities = held.identities - (removing === 'identity' ? 1 : 0);
  return hasPassword(user) || (user.email !== null && user.isEmailVerified) || user.isPhoneVerified || passkeys > 0 || identities > 0;
}
