import { setTimeout as sleep } from 'node:timers/promises';
import { fail } from './errors.ts';
import type { Clock } from './ports/clock.ts';
import type { LockoutRule, LockoutStore } from './ports/lockout-store.ts';

/** 5 failures for one account within 15 minutes lock it for 15 minutes. */
export const DEFAULT_LOCKOUT_RULE: LockoutRule = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

/**
 * What an attempt budget guards, each with its own rule:
 * - `password`: an account's password checks, every surface (the lockout);
 * - `email-code`, `phone-code`: guesses of verification codes per account and
 *   channel, across every code issued (a new code gives no new guesses);
 * - `email-send`, `phone-send`: verification messages sent per account;
 * - `sms-number`: verification texts sent to one phone number, whoever asks;
 * - `send-interval`, `send-hour`, `send-day`: sign-in codes sent to one number
 *   or address (`phone:+86…`, `email:…`), whoever asks and whether or not an
 *   account holds it;
 * - `otp-send-ip`: sign-in codes asked for from one client address;
 * - `otp-send-account`: sign-in codes sent to one account (number and address);
 * - `otp-code`: guesses of sign-in codes per number or address, across every
 *   code sent to it;
 * - `sms-budget`: texts per calling code (SMS_HOURLY_BUDGET);
 * - `reset-mail`: reset mails sent per account;
 * - `email-change`: a user's own email changes (each answer tells whether an
 *   address is taken, so they are counted);
 * - `org-invite`: invitations mailed per organisation (each is a mail to an
 *   address the inviter chose).
 * Sends and changes keep their slot: the budget counts them in the window.
 * Second-factor codes add their kind here and reuse the same calls.
 */
export type AttemptKind =
  | 'password'
  | 'email-code'
  | 'phone-code'
  | 'email-send'
  | 'phone-send'
  | 'sms-number'
  | 'send-interval'
  | 'send-hour'
  | 'send-day'
  | 'otp-send-ip'
  | 'otp-send-account'
  | 'otp-code'
  | 'sms-budget'
  | 'reset-mail'
  | 'email-change'
  | 'org-invite'
  | 'second-factor';

export const DEFAULT_ATTEMPT_RULES: Record<Exclude<AttemptKind, 'password'>, LockoutRule> = {
  // 10 wrong codes an hour then an hour's pause: a 6-digit code needs ~100,000 guesses, i.e. years.
  'email-code': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  'phone-code': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Sends are all counted (never given back): 5 an hour per account and channel.
  'email-send': { maxFailures: 5, windowMs: 3_600_000, lockMs: 3_600_000 },
  'phone-send': { maxFailures: 5, windowMs: 3_600_000, lockMs: 3_600_000 },
  'sms-number': { maxFailures: 5, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Sign-in codes: per number or address 1 a minute, 5 an hour, 10 a day;
  // 30 an hour from one client address, 10 an hour to one account (OTP_* settings).
  'send-interval': { maxFailures: 1, windowMs: 60_000, lockMs: 60_000 },
  'send-hour': { maxFailures: 5, windowMs: 3_600_000, lockMs: 3_600_000 },
  'send-day': { maxFailures: 10, windowMs: 86_400_000, lockMs: 86_400_000 },
  'otp-send-ip': { maxFailures: 30, windowMs: 3_600_000, lockMs: 3_600_000 },
  'otp-send-account': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Wrong sign-in codes per number or address, across codes: 10 an hour (OTP_GUESSES_PER_HOUR).
  'otp-code': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Texts per calling code an hour (SMS_HOURLY_BUDGET); the send that spends the last slot locks it for an hour.
  'sms-budget': { maxFailures: 1000, windowMs: 3_600_000, lockMs: 3_600_000 },
  'reset-mail': { maxFailures: 5, windowMs: 3_600_000, lockMs: 3_600_000 },
  'email-change': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Invitations mailed per organisation: 20 an hour, so an organisation's admin cannot turn Gatehouse into a mailer.
  'org-invite': { maxFailures: 20, windowMs: 3_600_000, lockMs: 3_600_000 },
  // Wrong second-factor codes also fail a `password` slot (they lock the account like wrong passwords);
  // this budget is not cleared by a right password, so logging in again buys no new guesses.
  'second-factor': { maxFailures: 10, windowMs: 3_600_000, lockMs: 3_600_000 },
};

/**
 * How long a reservation waits while the window is full of attempts still
 * being judged (not locked): they end within a hash or two, and either free
 * their slots (right passwords) or lock (wrong ones). About 5 s in all, so a
 * burst of right-password logins for one account queues instead of being told
 * the account is locked; a lock ends the wait at once.
 */
const PENDING_WAITS_MS = [25, 50, 100, 200, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400];

/** A slot taken from a budget; settle it exactly once. */
export interface Attempt {
  /** The attempt succeeded: the budget is forgotten (a right password clears the failures before it). */
  succeeded(): Promise<void>;
  /** The attempt failed: the slot stays taken. Returns true when this failure locked the budget (report it once). */
  failed(): Promise<boolean>;
  /** The attempt was never judged (an error before the check): the slot is given back. */
  release(): Promise<void>;
}

/**
 * Attempt budgets. An attempt is reserved BEFORE it is judged: the slot is
 * taken atomically in the shared store, so parallel requests on any surface
 * and any instance can never check more than the rule allows; the judgement
 * then settles it. Refused reservations throw ACCOUNT_LOCKED (passwords) or
 * RATE_LIMITED (everything else), with the time to wait.
 */
export class Lockout {
  readonly #store: LockoutStore;
  readonly #clock: Clock;
  readonly rule: LockoutRule;
  readonly #rules: Record<AttemptKind, LockoutRule>;
  /**
   * Called once when a failure locks an account's password budget, before the
   * failure is answered (the core publishes `user.locked`: the lock may live in
   * Redis, outside the database's transactions).
   */
  onLocked: ((userId: number) => Promise<void>) | undefined;

  constructor(store: LockoutStore, clock: Clock, rule: LockoutRule = DEFAULT_LOCKOUT_RULE, rules: Partial<Record<AttemptKind, LockoutRule>> = {}) {
    this.#store = store;
    this.#clock = clock;
    this.rule = rule;
    this.#rules = { ...DEFAULT_ATTEMPT_RULES, password: rule, ...rules };
  }

  /** Takes a slot of `kind` for `subject` (an account id, or another key). */
  async reserve(kind: AttemptKind, subject: number | string): Promise<Attempt> {
    const key = `${kind}:${subject}`;
    const rule = this.#rules[kind];
    // Only judged attempts free their slots; sends keep theirs, so waiting for them is pointless.
    const judged = kind === 'password' || kind.endsWith('-code');
    for (let waits = 0; ; waits++) {
      const now = this.#clock.now();
      const reservation = await this.#store.reserve(key, now, rule);
      if (reservation.granted) break;
      if (reservation.locked || !judged || waits >= PENDING_WAITS_MS.length) {
        const retryAfterSeconds = Math.max(1, Math.ceil((reservation.retryAt - now) / 1000));
        throw fail(kind === 'password' ? 'ACCOUNT_LOCKED' : 'RATE_LIMITED', undefined, undefined, { retryAfterSeconds });
      }
      await sleep(PENDING_WAITS_MS[waits]);
    }
    let settled = false;
    const once =
      <T>(fn: () => Promise<T>, otherwise: T) =>
      async (): Promise<T> => {
        if (settled) return otherwise;
        settled = true;
        return fn();
      };
    return {
      succeeded: once(() => this.#store.clear(key), undefined),
      failed: once(async () => {
        const locked = await this.#store.fail(key, this.#clock.now(), rule);
        if (locked && kind === 'password' && typeof subject === 'number') await this.onLocked?.(subject);
        return locked;
      }, false),
      release: once(() => this.#store.release(key), undefined),
    };
  }

  /**
   * Runs `check` inside a reserved slot: `true` succeeds, `false` fails (and
   * `onLocked` runs once when that failure locked the budget), a throw gives
   * the slot back.
   */
  async guard(kind: AttemptKind, subject: number | string, check: () => Promise<boolean>, onLocked?: () => Promise<void>): Promise<boolean> {
    const attempt = await this.reserve(kind, subject);
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      await attempt.release();
      throw error;
    }
    if (ok) await attempt.succeeded();
    else if ((await attempt.failed()) && onLocked) await onLocked();
    return ok;
  }

  /** An account's password budget: counted failures and, while it lasts, the end of its lock (staff see it on the account's page). */
  async state(userId: number): Promise<{ failures: number; lockedUntil: number | null }> {
    const state = await this.#store.get(`password:${userId}`);
    const locked = state?.lockedUntil != null && state.lockedUntil > this.#clock.now();
    return { failures: state?.count ?? 0, lockedUntil: locked ? state!.lockedUntil : null };
  }

  /**
   * The sign-in code send slots of one number or address (`phone:+86…`, `email:…`): one in
   * OTP_SEND_INTERVAL_SECONDS, OTP_SENDS_PER_HOUR, OTP_SENDS_PER_DAY. Kept
   * whatever happens next: a send asked for is a send counted. RATE_LIMITED
   * (with its wait) from the first of the three that refuses.
   */
  async reserveSends(target: string): Promise<void> {
    await this.reserve('send-interval', target);
    await this.reserve('send-hour', target);
    await this.reserve('send-day', target);
  }

  /** Seconds until a budget locked by its failures opens again; null when it is not locked. Takes no slot. */
  async lockedFor(kind: AttemptKind, subject: number | string): Promise<number | null> {
    const state = await this.#store.get(`${kind}:${subject}`);
    const now = this.#clock.now();
    if (state?.lockedUntil == null || state.lockedUntil <= now) return null;
    return Math.max(1, Math.ceil((state.lockedUntil - now) / 1000));
  }

  /** Forgets a budget (a password reset forgets the password failures). */
  clear(kind: AttemptKind, subject: number | string): Promise<void> {
    return this.#store.clear(`${kind}:${subject}`);
  }
}
