import { fail } from './errors.ts';
import type { User } from './ports/user-store.ts';

/**
 * Who may be let in at all, whichever way they came (a password, a second
 * step, a passkey alone, and every way added later): one rule, checked at the
 * moment a session is about to start, on the account as it is stored then.
 */
export class Admission {
  /** REQUIRE_VERIFIED_EMAIL: an account with an email must have verified it to sign in. */
  readonly #requireVerifiedEmail: boolean;

  constructor(requireVerifiedEmail: boolean) {
    this.#requireVerifiedEmail = requireVerifiedEmail;
  }

  /** Throws USER_DISABLED or EMAIL_NOT_VERIFIED; only ever after the person proved who they are, so it tells nothing to a guesser. */
  check(user: User): void {
    if (user.status !== 'active') throw fail('USER_DISABLED');
    if (this.#requireVerifiedEmail && user.email && !user.isEmailVerified) throw fail('EMAIL_NOT_VERIFIED');
  }
}
