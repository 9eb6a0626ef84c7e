import { createHash } from 'node:crypto';
import { fail } from './errors.ts';
import type { BreachRange } from './ports/breach-range.ts';

/** PASSWORD_BREACH_CHECK: `block` refuses a breached password, `warn` accepts it and records `password.breached`. */
export type BreachCheckMode = 'off' | 'warn' | 'block';

/** What a new password was found to be: `breached` only in `warn` mode (in `block` mode it was refused). */
export interface Vetted {
  breached: boolean;
}

/** The refusal of `block` mode, the surface's validation error naming the password field. */
export const BREACHED = 'This password has appeared in a data breach (Pwned Passwords): choose another one';

/**
 * New passwords against a range API of breached passwords, by k-anonymity:
 * the SHA-1 is computed here and only its first 5 hex characters are sent;
 * the answer (with padding, so its size tells nothing) is searched for the
 * rest. An unreachable API never refuses a password: the check is an extra,
 * and a sign-up must not depend on a third party being up (reported to the
 * log and the metric instead).
 */
export class PasswordBreaches {
  readonly #mode: BreachCheckMode;
  readonly #range: BreachRange | null;
  readonly #unreachable: (error: unknown) => void;

  constructor(mode: BreachCheckMode, range: BreachRange | null, unreachable: (error: unknown) => void) {
    this.#mode = range ? mode : 'off';
    this.#range = range;
    this.#unreachable = unreachable;
  }

  /** Throws VALIDATION_FAILED naming `field` (block); returns whether the password is breached (warn; the caller records it). */
  async vet(password: string, field: string): Promise<Vetted> {
    if (this.#mode === 'off' || !this.#range) return { breached: false };
    const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    let seen: number;
    try {
      seen = (await this.#range.suffixes(hash.slice(0, 5))).get(hash.slice(5)) ?? 0;
    } catch (error) {
      this.#unreachable(error);
      return { breached: false };
    }
    // Padding entries are listed with a count of 0: not breached.
    if (seen <= 0) return { breached: false };
    if (this.#mode === 'block') throw fail('VALIDATION_FAILED', BREACHED, field);
    return { breached: true };
  }
}
