import { createHash } from 'node:crypto';
import { RESET_MAIL } from '../texts/mail.ts';
import type { AccountService } from './accounts.ts';
import { fail, isGatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Mailer } from './ports/mailer.ts';
import type { ResetTokenStore } from './ports/reset-token-store.ts';
import type { User } from './ports/user-store.ts';

export interface ResetMailSettings {
  /** Link in the mail; `{token}` is replaced by the token. */
  urlTemplate: string;
  subject: string;
  /** Body; `{link}`, `{token}` and `{minutes}` are replaced. */
  text: string;
}

export const DEFAULT_RESET_MAIL: ResetMailSettings = {
  urlTemplate: 'http://127.0.0.1:8000/reset-password?token={token}',
  ...RESET_MAIL,
};

/** 30 minutes. */
export const RESET_TTL_MS = 30 * 60_000;

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Forgot / reset password by mailed token: 32 random bytes, stored only as a
 * hash, valid 30 minutes, spent once. Using it sets the password, ends every
 * session of the user and unlocks the account.
 */
export class PasswordResetService {
  readonly #accounts: AccountService;
  readonly #store: ResetTokenStore;
  readonly #mailer: Mailer;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #lockout: Lockout;
  readonly mail: ResetMailSettings;

  constructor(
    deps: { accounts: AccountService; resets: ResetTokenStore; mailer: Mailer; clock: Clock; ids: IdSource; lockout: Lockout },
    mail = DEFAULT_RESET_MAIL,
  ) {
    this.#lockout = deps.lockout;
    this.#accounts = deps.accounts;
    this.#store = deps.resets;
    this.#mailer = deps.mailer;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.mail = mail;
  }

  /**
   * Mails a reset token when the email belongs to an account; does nothing
   * visible otherwise. Callers answer the client before awaiting this, so known
   * and unknown emails take the same time to answer.
   */
  async request(email: string): Promise<void> {
    const user = await this.#accounts.findByEmail(email);
    if (!user?.email || user.status !== 'active') return;
    // At most 5 reset mails an hour per account, from any address: over that, nothing is sent.
    try {
      await this.#lockout.reserve('reset-mail', user.id);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'RATE_LIMITED') return;
      throw error;
    }
    const token = this.#ids.token(32);
    const now = this.#clock.now();
    await this.#store.create({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt: now + RESET_TTL_MS });
    await this.#mailer.send(this.#compose(user, token));
  }

  /** Sets a new password with a mailed token. Throws RESET_TOKEN_INVALID, or VALIDATION_FAILED for the policy. */
  async reset(token: string, newPassword: string): Promise<void> {
    // Checked before the token is spent: a refused password leaves the link working.
    const vetted = await this.#accounts.vetNewPassword(newPassword, 'new_password');
    const userId = await this.#store.consume(sha256(token), this.#clock.now());
    if (userId === null) throw fail('RESET_TOKEN_INVALID');
    const user = await this.#accounts.findById(userId);
    if (!user) throw fail('RESET_TOKEN_INVALID');
    await this.#accounts.setPassword(user, newPassword, vetted);
  }

  /**
   * Whether a mailed token would still reset the password (known, unused,
   * unexpired), without spending it: a page can say "this link is used or
   * expired" before asking for a new password.
   */
  isUsable(token: string): Promise<boolean> {
    return this.#store.isLive(sha256(token), this.#clock.now());
  }

  #compose(user: User, token: string) {
    const link = this.mail.urlTemplate.replaceAll('{token}', encodeURIComponent(token));
    const fill = (text: string) =>
      text
        .replaceAll('{link}', link)
        .replaceAll('{token}', token)
        .replaceAll('{minutes}', String(RESET_TTL_MS / 60_000));
    return { to: user.email!, subject: fill(this.mail.subject), text: fill(this.mail.text) };
  }
}
