import type { Audit } from './audit.ts';
import { fail, isGatehouseError } from './errors.ts';
import type { Lockout } from './lockout.ts';
import type { TextableNumber } from './phones.ts';
import type { SmsSender } from './ports/sms.ts';

/** What the core tells the operator's metrics about texts (the server counts them; see src/metrics.ts). */
export interface TextObserver {
  /** A text to this calling code was refused: its hourly budget is spent. */
  budgetRefused(callingCode: string): void;
}

/**
 * Texts, whoever sends them (sign-in codes, phone verification): every text
 * takes a slot of the hourly budget of its calling code (SMS_HOURLY_BUDGET),
 * reserved before the provider is called, so a pumping attack or a runaway
 * client spends at most the budget. The send that spends the budget's last
 * slot raises one `sms.budget_exhausted` audit event (the lockout store says
 * which send that was, on any instance); texts to that calling code are then
 * refused for an hour (SMS_BUDGET_EXHAUSTED, 503 with Retry-After).
 */
export class TextMessages {
  readonly #sms: SmsSender;
  readonly #lockout: Lockout;
  readonly #audit: Audit;
  readonly #observe: TextObserver | undefined;

  constructor(deps: { sms: SmsSender; lockout: Lockout; audit: Audit; observe?: TextObserver }) {
    this.#sms = deps.sms;
    this.#lockout = deps.lockout;
    this.#audit = deps.audit;
    this.#observe = deps.observe;
  }

  /**
   * Refuses (SMS_BUDGET_EXHAUSTED) while the calling code's budget is spent,
   * without taking a slot: a sign-in code for an unknown number, which sends
   * nothing, answers like one for a known number.
   */
  async budgetOpen(number: TextableNumber): Promise<void> {
    const wait = await this.#lockout.lockedFor('sms-budget', number.callingCode);
    if (wait !== null) this.#refused(number, wait);
  }

  /** Sends one text: a budget slot first (kept: it is spent), then the provider. */
  async send(number: TextableNumber, message: { text: string; code: string }): Promise<void> {
    let attempt: Awaited<ReturnType<Lockout['reserve']>>;
    try {
      attempt = await this.#lockout.reserve('sms-budget', number.callingCode);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'RATE_LIMITED') this.#refused(number, error.retryAfterSeconds ?? 3600);
      throw error;
    }
    // A send keeps its slot; `failed` also says whether this one spent the budget's last slot (true once).
    if (await attempt.failed()) await this.#audit.record('sms.budget_exhausted', null, `+${number.callingCode}`);
    await this.#sms.send({ to: number.e164, ...message });
  }

  #refused(number: TextableNumber, retryAfterSeconds: number): never {
    this.#observe?.budgetRefused(number.callingCode);
    throw fail('SMS_BUDGET_EXHAUSTED', undefined, undefined, { retryAfterSeconds });
  }
}
