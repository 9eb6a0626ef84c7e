import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Core } from '../../../../core/core.ts';
import { isGatehouseError } from '../../../../core/errors.ts';
import type { AskingPage, CodeAddress, LinkView } from '../../../../core/one-time-codes.ts';
import type { User } from '../../../../core/ports/user-store.ts';
import { SecondFactorRequired } from '../../../../core/second-factors/second-step.ts';
import type { Grant, StartOptions } from '../../../../core/sessions.ts';
import { PAGE_REFUSALS, type PageRefusal } from './refusals.ts';

/** Where one step of a sign-in left the person. */
export type SignInStep =
  | { kind: 'signed-in'; grant: Grant & { user: User; enrolment: boolean } }
  | { kind: 'second-step'; mfaToken: string; passkey: boolean }
  | { kind: 'refused'; refusal: PageRefusal; retryAfterSeconds?: number };

/** What a page that signs people in tells the flow about itself. */
export interface SignInPlace {
  /** The session the sign-in starts: its access token's life and the client's details. */
  start: StartOptions;
  /**
   * The account page: an account MFA_REQUIRED covers without a factor may sign
   * in here to set one up (an enrolment session) — the OpenID sign-in says so
   * too, then ends that session and tells the person to enrol on /account.
   */
  hosted: boolean;
}

/**
 * The one sign-in of the HTML pages (/account, /admin, the OpenID sign-in):
 * the core's login, then the second step — an authenticator or recovery code
 * in one `code` field, or a passkey — each ending in a core session. Every
 * refusal comes back as the status and sentence of PAGE_REFUSALS, so the same
 * mistake reads the same on every page; anything else (an outage, a bug) is
 * thrown for the surface's error handler.
 */
export class SignInFlow {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  password(login: string, password: string, place: SignInPlace): Promise<SignInStep> {
    return this.#step(async () => {
      const grant = await this.#core.login.login({
        by: 'either',
        identifier: login,
        password,
        askSecondFactor: true,
        hostedSignIn: place.hosted,
        ...place.start,
      });
      return { kind: 'signed-in', grant };
    });
  }

  /** The second step with what the person typed: an authenticator code or a recovery code (the core tells which). */
  code(mfaToken: string, typed: string, place: SignInPlace): Promise<SignInStep> {
    return this.#step(async () => ({
      kind: 'signed-in',
      grant: { ...(await this.#core.secondFactors.step.verify(mfaToken, typed, place.start)), enrolment: false },
    }));
  }

  /** A passkey: the second step when there is an mfa_token, a sign-in with the passkey alone otherwise. */
  passkey(ceremonyId: string, credential: AuthenticationResponseJSON, mfaToken: string | undefined, place: SignInPlace): Promise<SignInStep> {
    const step = this.#core.secondFactors.step;
    return this.#step(async () => {
      const grant = mfaToken
        ? await step.verifyPasskey(mfaToken, ceremonyId, credential, place.start)
        : await step.signInWithPasskey(ceremonyId, credential, place.start);
      return { kind: 'signed-in', grant: { ...grant, enrolment: false } };
    });
  }

  /**
   * Texts or mails a sign-in code to what the person typed (a phone number or
   * an email address); the answer is the same whether or not an account can
   * use it. The mail's link comes back to `asking`, for the browser it names.
   */
  async askCode(to: string, ip: string, asking: AskingPage): Promise<{ kind: 'sent' } | Extract<SignInStep, { kind: 'refused' }>> {
    try {
      await this.#core.oneTimeCodes.send(codeAddress(to), { ip, page: asking });
      return { kind: 'sent' };
    } catch (error) {
      const refused = refusalOf(error);
      if (!refused) throw error;
      return refused;
    }
  }

  /** A sign-in code typed in: the account is let in as by its password (the second step follows where it has one). */
  withCode(to: string, typed: string, place: SignInPlace): Promise<SignInStep> {
    return this.#step(async () => ({
      kind: 'signed-in',
      grant: await this.#core.oneTimeCodes.signIn(codeAddress(to), typed, { askSecondFactor: true, hostedSignIn: place.hosted, ...place.start }),
    }));
  }

  /** A mailed link's page, read without spending it: a button for the browser that asked, the code elsewhere, null when used or expired. */
  linkView(token: string, browser: string | undefined): Promise<LinkView | null> {
    return this.#core.oneTimeCodes.linkView(token, browser);
  }

  /** A mailed link's button: signs in the browser that asked for the code, and only it. */
  withLink(token: string, browser: string | undefined, place: SignInPlace): Promise<SignInStep> {
    return this.#step(async () => ({
      kind: 'signed-in',
      grant: await this.#core.oneTimeCodes.signInWithLink(token, browser, { askSecondFactor: true, hostedSignIn: place.hosted, ...place.start }),
    }));
  }

  /** Starts a passkey ceremony (alone or as the second step); the browser runs it with these options. */
  passkeyOptions() {
    return this.#core.secondFactors.step.passkeyOptions();
  }

  async #step(run: () => Promise<SignInStep>): Promise<SignInStep> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SecondFactorRequired && error.mfaToken)
        return { kind: 'second-step', mfaToken: error.mfaToken, passkey: error.methods.includes('webauthn') };
      const refused = refusalOf(error);
      if (!refused) throw error;
      return refused;
    }
  }
}

/** What the person typed where a code goes: an email address (it has an `@`) or a phone number. */
function codeAddress(to: string): CodeAddress {
  const typed = to.trim();
  return typed.includes('@') ? { email: typed } : { phone: typed };
}

/**
 * A core failure as a page's refusal, with Retry-After where there is one; an
 * outage (STORE_UNAVAILABLE) and anything that is not a core failure are left
 * to the surface's error handler.
 */
export function refusalOf(error: unknown): Extract<SignInStep, { kind: 'refused' }> | null {
  if (!isGatehouseError(error) || error.code === 'STORE_UNAVAILABLE') return null;
  return { kind: 'refused', refusal: PAGE_REFUSALS[error.code], retryAfterSeconds: error.retryAfterSeconds };
}
