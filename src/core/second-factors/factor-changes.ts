import type { Audit } from '../audit.ts';
import type { Events } from '../events.ts';
import type { OutboxEvent } from '../ports/webhook-store.ts';
import { factorNotice } from '../../texts/mail.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { User } from '../ports/user-store.ts';
import type { Caller, Grant, SessionService, StartOptions } from '../sessions.ts';

/** What kind of factor changed, in the audit trail and the owner's mail. */
export type FactorKind = 'totp' | 'passkey';

/**
 * What follows every change to an account's factors, in one place: the audit
 * event, the owner's mail, and — when the first factor is added — the end of
 * the account's other sessions (as a password change ends them): a session
 * signed in before the account was protected does not outlive that moment.
 */
export class FactorChanges {
  readonly #sessions: SessionService;
  readonly #audit: Audit;
  readonly #mailer: Mailer;
  readonly #report: (error: unknown, what: string) => void;
  readonly #events: Events;

  constructor(deps: { sessions: SessionService; audit: Audit; mailer: Mailer; events: Events; report: (error: unknown, what: string) => void }) {
    this.#events = deps.events;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#mailer = deps.mailer;
    this.#report = deps.report;
  }

  /**
   * A factor was added by `caller`. The first factor ends every other session;
   * an enrolment session (core/sessions.ts) ends too and is replaced by a
   * normal session whose `amr` shows the new factor (returned, for the
   * cookie) — as is any session whose page asks for it (`renew`): the step-up
   * and the factor just proven are the two factors of that sign-in.
   */
  async added(caller: Caller, kind: FactorKind, first: boolean, amr: readonly string[], start: StartOptions & { renew?: boolean }): Promise<Grant | null> {
    await this.#audit.record('mfa.enrolled', caller.user.id, kind);
    await this.#mail(caller.user, kind, 'added');
    if (!first) return null;
    if (caller.claims.type === 'enrolment' || start.renew) {
      await this.#sessions.endAllForUser(caller.user.id);
      // The renewed session keeps how its sign-in began: a provider's sign-in stays `fed` (CONSOLE_PROVIDERS).
      const kept = caller.claims.amr?.includes('fed') ? ['fed', ...amr.filter((m) => m !== 'pwd')] : amr;
      return this.#sessions.start(caller.user, { ...start, amr: kept });
    }
    await this.#sessions.endAllForUser(caller.user.id, caller.session.id);
    return null;
  }

  /** The webhook event a factor store writes with the change (`mfa.enrolled`, `mfa.removed`). */
  event(type: 'mfa.enrolled' | 'mfa.removed', user: User, factor: FactorKind | 'all'): OutboxEvent[] {
    return [this.#events.about(type, user, { factor })];
  }

  async removed(user: User, kind: FactorKind): Promise<void> {
    await this.#audit.record('mfa.removed', user.id, kind);
    await this.#mail(user, kind, 'removed');
  }

  async recoveryCodesRegenerated(user: User): Promise<void> {
    await this.#audit.record('mfa.recovery_codes_regenerated', user.id);
  }

  /** Sent after the change is stored; a failed send is reported, never undoing or refusing the change. */
  async #mail(user: User, kind: FactorKind, change: 'added' | 'removed'): Promise<void> {
    if (!user.email) return;
    try {
      await this.#mailer.send({ to: user.email, ...factorNotice({ kind, change }) });
    } catch (error) {
      this.#report(error, 'security notice mail');
    }
  }
}
