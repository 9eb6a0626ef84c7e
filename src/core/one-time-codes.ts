import { createHash, randomInt } from 'node:crypto';
import { signInMail, signInSms } from '../texts/mail.ts';
import { type AccountService, normalizeEmail } from './accounts.ts';
import type { Audit } from './audit.ts';
import { fail, isGatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { LoginGrant, LoginService } from './login.ts';
import type { Phones, TextableNumber } from './phones.ts';
import type { Clock } from './ports/clock.ts';
import type { IdSource } from './ports/ids.ts';
import type { Mailer } from './ports/mailer.ts';
import type { OneTimeCode, OneTimeCodeStore } from './ports/one-time-code-store.ts';
import type { User } from './ports/user-store.ts';
import type { FirstFactor, SecondStepRequest } from './second-factors/second-step.ts';
import type { StartOptions } from './sessions.ts';
import type { TextMessages } from './text-messages.ts';

export interface OneTimeCodeSettings {
  /** OTP_SIGNUP: a code to a number or address no account holds makes the account at its sign-in. */
  signup: boolean;
  /** How long a code (and its link) works (5 minutes). */
  ttlMs: number;
  /** Wrong tries a code allows (5). */
  tries: number;
  /** The link in a mail an API client asked for (`{token}`), OTP_LINK_URL_TEMPLATE; null: the code alone. */
  apiLinkTemplate: string | null;
}

export const DEFAULT_ONE_TIME_CODES: OneTimeCodeSettings = { signup: false, ttlMs: 5 * 60_000, tries: 5, apiLinkTemplate: null };

/** Where a code goes, as the client wrote it. */
export type CodeAddress = { phone: string; email?: undefined } | { email: string; phone?: undefined };

/** The page that asked for a code (the HTML sign-in): its own link, and the browser it asked from. */
export interface AskingPage {
  /** The link the mail carries (`{token}` is replaced), to this page's own link route. */
  linkTemplate: string;
  /** A random value the page keeps in a cookie of the asking browser: only that browser's link signs in. */
  browser: string;
}

/** What a mailed link's page may show: a button for the browser that asked, else the code to type there. */
export type LinkView = { kind: 'this-browser' } | { kind: 'elsewhere'; code: string };

/** A number or address, checked and in the form codes are kept under. */
interface Target {
  /** `phone:+8613800138000` or `email:a@example.com`: the key of its code and of its budgets. */
  key: string;
  channel: 'phone' | 'email';
  number: TextableNumber | null;
  email: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const codeHash = (target: string, code: string) => sha256(`otp:${target}:${code}`);
/** A mailed code is derived from its link's token, so the link's page can show it without anything else stored. */
const codeOfToken = (token: string) => String(createHash('sha256').update(`otp-code:${token}`).digest().readUInt32BE(0) % 1_000_000).padStart(6, '0');

/**
 * A code to the phone or the mailbox as a way in (手机验证码登录): 6 digits,
 * living 5 minutes, 5 tries; a mail adds a link to a page that signs in the
 * browser that asked. Each code signs in only to the account that holds the
 * number or address VERIFIED (an unverified holder is treated as unknown:
 * whoever registered someone else's number first must not receive that
 * person's sign-ins); with OTP_SIGNUP a number or address nobody holds gets
 * an account at its first sign-in.
 *
 * Every budget is taken before anything is sent or judged, the same for
 * known and unknown numbers: per client address, per number or address (1 a
 * minute, 5 an hour, 10 a day), per account, and a text per calling code
 * (SMS_HOURLY_BUDGET); guesses per number or address across every code sent
 * to it (10 an hour), and each code's own tries. A right code ends like a
 * password: `LoginService.admit` (the admission rule, the second-factor gate,
 * a core session).
 */
export class OneTimeCodes {
  readonly #store: OneTimeCodeStore;
  readonly #accounts: AccountService;
  readonly #login: LoginService;
  readonly #lockout: Lockout;
  readonly #texts: TextMessages;
  readonly #phones: Phones;
  readonly #mailer: Mailer;
  readonly #audit: Audit;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly settings: OneTimeCodeSettings;

  constructor(
    deps: {
      store: OneTimeCodeStore;
      accounts: AccountService;
      login: LoginService;
      lockout: Lockout;
      texts: TextMessages;
      phones: Phones;
      mailer: Mailer;
      audit: Audit;
      clock: Clock;
      ids: IdSource;
    },
    settings: OneTimeCodeSettings = DEFAULT_ONE_TIME_CODES,
  ) {
    this.#store = deps.store;
    this.#accounts = deps.accounts;
    this.#login = deps.login;
    this.#lockout = deps.lockout;
    this.#texts = deps.texts;
    this.#phones = deps.phones;
    this.#mailer = deps.mailer;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.settings = settings;
  }

  /**
   * Texts or mails a code where it can be used; answers the same (nothing)
   * where it cannot. Throws VALIDATION_FAILED (not a number, or not one texts
   * may go to), RATE_LIMITED (a budget, the same for known and unknown
   * numbers), SMS_BUDGET_EXHAUSTED, or STORE_UNAVAILABLE (the provider failed:
   * no code is kept, the previous one still works).
   */
  async send(address: CodeAddress, client: { ip?: string | null; page?: AskingPage } = {}): Promise<void> {
    const target = this.#target(address);
    if (client.ip) await this.#lockout.reserve('otp-send-ip', client.ip);
    await this.#lockout.reserveSends(target.key);
    if (target.number) await this.#texts.budgetOpen(target.number);
    const holder = await this.#holder(target);
    if (holder === 'nobody') return;
    if (holder !== 'new' && !(await this.#withinAccountBudget(holder))) return;
    const now = this.#clock.now();
    const minutes = Math.round(this.settings.ttlMs / 60_000);
    const token = target.email ? this.#ids.token(32) : null;
    const code = token ? codeOfToken(token) : String(randomInt(0, 1_000_000)).padStart(6, '0');
    const pending: OneTimeCode = {
      target: target.key,
      codeHash: codeHash(target.key, code),
      tokenHash: token ? sha256(token) : null,
      browserHash: client.page ? sha256(client.page.browser) : null,
      userId: holder === 'new' ? null : holder.id,
      createdAt: now,
      expiresAt: now + this.settings.ttlMs,
      attemptsLeft: this.settings.tries,
    };
    if (target.number) {
      // The text goes out before its code replaces the pending one: a provider failure (503) changes nothing.
      await this.#texts.send(target.number, { text: signInSms(code, minutes), code });
      await this.#store.put(pending);
    } else {
      // The outbox is a store: the code is kept, then mailed (as every mail is).
      await this.#store.put(pending);
      const template = client.page?.linkTemplate ?? this.settings.apiLinkTemplate;
      const link = template && token ? template.replaceAll('{token}', encodeURIComponent(token)) : null;
      await this.#mailer.send({ to: target.email as string, ...signInMail(link, code, minutes) });
    }
    await this.#audit.record('otp.sent', holder === 'new' ? null : holder.id, target.channel);
  }

  /**
   * Signs in with a code: exactly what a password login gives that account
   * (a grant; MFA_REQUIRED with an mfa_token where the path asks; USER_DISABLED,
   * ACCOUNT_LOCKED). A slot of the number's guess budget is taken before the
   * code is judged. Throws OTP_INVALID for a wrong, used or expired code, and
   * for a number or address nothing was sent to.
   */
  async signIn(address: CodeAddress, typed: string, request: StartOptions & SecondStepRequest): Promise<LoginGrant> {
    const target = this.#target(address);
    const code = typed.replace(/\s/g, '');
    const attempt = await this.#lockout.reserve('otp-code', target.key);
    let tried: Awaited<ReturnType<OneTimeCodeStore['tryCode']>>;
    try {
      tried = /^\d{6}$/.test(code)
        ? await this.#store.tryCode(target.key, codeHash(target.key, code), this.#clock.now())
        : { result: 'wrong', attemptsLeft: 0 };
    } catch (error) {
      await attempt.release();
      throw error;
    }
    if (tried.result !== 'ok') {
      await attempt.failed();
      await this.#audit.record('login.failed', null, tried.result === 'wrong' ? `wrong ${target.channel} code` : `no ${target.channel} code pending`);
      throw fail('OTP_INVALID');
    }
    await attempt.succeeded();
    return this.#signInAs(target, tried.code, request);
  }

  /**
   * The mailed link's page, read without spending anything (mail scanners open
   * links): a button for the browser that asked for the code, anywhere else
   * the code to type in the page that asked. Null when the link is used or expired.
   */
  async linkView(token: string, browser: string | undefined): Promise<LinkView | null> {
    const pending = await this.#store.findByToken(sha256(token), this.#clock.now());
    if (!pending) return null;
    return this.#sameBrowser(pending, browser) ? { kind: 'this-browser' } : { kind: 'elsewhere', code: codeOfToken(token) };
  }

  /** The link's button: signs in the browser that asked for the code, and only it (OTP_INVALID elsewhere). */
  async signInWithLink(token: string, browser: string | undefined, request: StartOptions & SecondStepRequest): Promise<LoginGrant> {
    const tokenHash = sha256(token);
    const pending = await this.#store.findByToken(tokenHash, this.#clock.now());
    if (!pending || !this.#sameBrowser(pending, browser)) throw fail('OTP_INVALID');
    const spent = await this.#store.consumeToken(tokenHash, this.#clock.now());
    if (!spent) throw fail('OTP_INVALID');
    return this.#signInAs(
      this.#target(spent.target.startsWith('email:') ? { email: spent.target.slice(6) } : { phone: spent.target.slice(6) }),
      spent,
      request,
    );
  }

  #sameBrowser(pending: OneTimeCode, browser: string | undefined): boolean {
    return pending.browserHash !== null && browser !== undefined && browser !== '' && sha256(browser) === pending.browserHash;
  }

  /** The account a spent code signs in to (made now with OTP_SIGNUP), let in like any first step. */
  async #signInAs(target: Target, pending: OneTimeCode, request: StartOptions & SecondStepRequest): Promise<LoginGrant> {
    let user: User | null;
    if (pending.userId !== null) {
      user = await this.#accounts.findById(pending.userId);
      // The account must still hold the number or address, verified, now.
      if (!user || !holds(user, target)) throw fail('OTP_INVALID');
    } else {
      if (!this.settings.signup) throw fail('OTP_INVALID');
      user = await this.#accounts.registerByCode(target.number ? { phone: target.number.e164 } : { email: target.email as string });
    }
    // A locked account gets what a password login gives it, once the code proved the person.
    const wait = await this.#lockout.lockedFor('password', user.id);
    if (wait !== null) throw fail('ACCOUNT_LOCKED', undefined, undefined, { retryAfterSeconds: wait });
    const factor: FirstFactor = target.channel === 'phone' ? 'sms' : 'email';
    return this.#login.admit(user, request, factor);
  }

  /** Who a code to the target would sign in: an account, a new one (OTP_SIGNUP), or nobody (nothing is sent). */
  async #holder(target: Target): Promise<User | 'new' | 'nobody'> {
    if (target.number) {
      const user = await this.#accounts.findByVerifiedPhone(target.number.e164);
      return user ?? (this.settings.signup ? 'new' : 'nobody');
    }
    const user = await this.#accounts.findByEmail(target.email as string);
    // An unverified holder is treated as unknown, and no new account can take its address: nothing is sent
    // (its owner verifies the address, or resets the password, which proves the mailbox too).
    if (user) return user.isEmailVerified ? user : 'nobody';
    return this.settings.signup ? 'new' : 'nobody';
  }

  /** At most OTP_SENDS_PER_ACCOUNT_HOUR codes to one account, its number and address together; past it nothing is sent. */
  async #withinAccountBudget(user: User): Promise<boolean> {
    try {
      await this.#lockout.reserve('otp-send-account', user.id);
      return true;
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'RATE_LIMITED') return false;
      throw error;
    }
  }

  #target(address: CodeAddress): Target {
    if (address.phone !== undefined) {
      const number = this.#phones.textable(address.phone);
      return { key: `phone:${number.e164}`, channel: 'phone', number, email: null };
    }
    const email = normalizeEmail(address.email);
    return { key: `email:${email}`, channel: 'email', number: null, email };
  }
}

function holds(user: User, target: Target): boolean {
  if (target.number) return user.isPhoneVerified && user.phoneNormalized === target.number.e164;
  return user.isEmailVerified && user.email === target.email;
}
