import { createHash, randomInt } from 'node:crypto';
import { verificationMail, verificationSms } from '../texts/mail.ts';
import type { AccountService } from './accounts.ts';
import type { Audit } from './audit.ts';
import { fail, isGatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Mailer } from './ports/mailer.ts';
import type { Phones } from './phones.ts';
import type { TextMessages } from './text-messages.ts';
import type { User } from './ports/user-store.ts';
import type { VerificationChannel, VerificationStore } from './ports/verification-store.ts';

export interface VerificationSettings {
  /** The link in the mail; `{token}` is replaced. */
  emailUrlTemplate: string;
  /** How long a link and a code stay valid, ms (24 h). */
  ttlMs: number;
  /** Wrong codes allowed before the code is void (5). */
  attempts: number;
}

export const DEFAULT_VERIFICATION: VerificationSettings = {
  emailUrlTemplate: 'http://127.0.0.1:8000/verify-email?token={token}',
  ttlMs: 24 * 3600_000,
  attempts: 5,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const codeHash = (userId: number, channel: VerificationChannel, code: string) => sha256(`${userId}:${channel}:${code}`);

/**
 * Email and phone verification: a mailed link (32 random bytes) and a 6-digit
 * code, both stored hashed, single use, valid 24 hours; a code allows 5 wrong
 * tries. Verifying marks the address only while the account still has it, so a
 * link for an address since replaced verifies nothing.
 */
export class VerificationService {
  readonly #accounts: AccountService;
  readonly #store: VerificationStore;
  readonly #mailer: Mailer;
  readonly #texts: TextMessages;
  readonly #phones: Phones;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Audit;
  readonly #lockout: Lockout;
  readonly settings: VerificationSettings;

  constructor(
    deps: {
      accounts: AccountService;
      store: VerificationStore;
      mailer: Mailer;
      texts: TextMessages;
      phones: Phones;
      clock: Clock;
      ids: IdSource;
      audit: Audit;
      lockout: Lockout;
    },
    settings = DEFAULT_VERIFICATION,
  ) {
    this.#lockout = deps.lockout;
    this.#accounts = deps.accounts;
    this.#store = deps.store;
    this.#mailer = deps.mailer;
    this.#texts = deps.texts;
    this.#phones = deps.phones;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit;
    this.settings = settings;
  }

  /** Sends a new link and code to the account's email (or a code to its phone), replacing any pending one. */
  async start(user: User, channel: VerificationChannel): Promise<void> {
    if (!(channel === 'email' ? user.email : user.phone))
      throw fail('VALIDATION_FAILED', channel === 'email' ? 'the account has no email address' : 'the account has no phone number', channel);
    // A number is read under PHONE_DEFAULT_REGION (13800138000 is +8613800138000) and must be one texts may go to.
    const number = channel === 'phone' ? this.#phones.textable(user.phone) : null;
    const target = number?.e164 ?? (user.email as string);
    // Every send takes a slot, kept, before anything is replaced: a refused send
    // leaves the pending code alone. Per account, whatever path issues it
    // (registration, resend, an email change on any surface, admin, CLI); texts
    // also per number, so no account can pump SMS to someone else's phone, and
    // each text takes a slot of its calling code's budget (shared with sign-in codes).
    await this.#lockout.reserve(channel === 'email' ? 'email-send' : 'phone-send', user.id);
    if (number) await this.#lockout.reserve('sms-number', number.e164);
    const token = this.#ids.token(32);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.#clock.now();
    // A text goes out before it replaces the pending code: a gateway failure (503) leaves the previous code working.
    if (number) await this.#texts.send(number, { text: verificationSms(code), code });
    await this.#store.put({
      userId: user.id,
      channel,
      target,
      tokenHash: sha256(token),
      codeHash: codeHash(user.id, channel, code),
      createdAt: now,
      expiresAt: now + this.settings.ttlMs,
      attemptsLeft: this.settings.attempts,
    });
    if (channel === 'email') {
      const link = this.settings.emailUrlTemplate.replaceAll('{token}', encodeURIComponent(token));
      await this.#mailer.send({ to: target, ...verificationMail(link, code, Math.round(this.settings.ttlMs / 3_600_000)) });
    }
    await this.#audit.record('verification.sent', user.id, channel);
  }

  /** The mailed link: marks the email verified. Throws VERIFICATION_INVALID. */
  async confirmToken(token: string): Promise<User> {
    const challenge = await this.#store.consumeToken(sha256(token), this.#clock.now());
    if (!challenge) throw fail('VERIFICATION_INVALID');
    return this.#mark(challenge.userId, challenge.channel, challenge.target);
  }

  /** The code, with the address it was sent to. Throws VERIFICATION_INVALID (unknown address, wrong code, no tries left). */
  async confirmCode(channel: VerificationChannel, address: string, code: string): Promise<User> {
    const user = channel === 'email' ? await this.#accounts.findByEmail(address) : null;
    if (!user) throw fail('VERIFICATION_INVALID');
    return this.confirmCodeFor(user, channel, code);
  }

  /** The code, for an account already known (a logged-in caller). Throws VERIFICATION_INVALID. */
  async confirmCodeFor(user: User, channel: VerificationChannel, code: string): Promise<User> {
    // Guesses are counted per account and channel across every code issued: a
    // new code brings no new guesses (10 an hour, then an hour's pause).
    let target = '';
    const ok = await this.#lockout.guard(channel === 'email' ? 'email-code' : 'phone-code', user.id, async () => {
      const attempt = await this.#store.tryCode(user.id, channel, codeHash(user.id, channel, code), this.#clock.now());
      if (attempt.result === 'ok') target = attempt.challenge.target;
      return attempt.result === 'ok';
    });
    if (!ok) throw fail('VERIFICATION_INVALID');
    return this.#mark(user.id, channel, target);
  }

  /** Sends a new mail when the address belongs to an unverified account; otherwise nothing (the caller answers the same). */
  async resend(email: string): Promise<void> {
    const user = await this.#accounts.findByEmail(email);
    if (!user || user.isEmailVerified || user.status !== 'active') return;
    try {
      await this.start(user, 'email');
    } catch (error) {
      // Over the account's send budget: nothing is sent, and the answer was the same anyway.
      if (!isGatehouseError(error) || error.code !== 'RATE_LIMITED') throw error;
    }
  }

  async #mark(userId: number, channel: VerificationChannel, target: string): Promise<User> {
    const user = await this.#accounts.findById(userId);
    // The number as it was texted (E.164): the account's own number, read the same way, must still be it.
    const current = channel === 'email' ? user?.email : user?.phoneNormalized;
    if (!user || current !== target) throw fail('VERIFICATION_INVALID');
    return this.#accounts.setVerified(user, channel, true);
  }
}
