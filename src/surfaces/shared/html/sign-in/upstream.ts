import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../../../core/core.ts';
import { IdentityLinkRequired } from '../../../../core/identities.ts';
import type { User } from '../../../../core/ports/user-store.ts';
import { cookieNames } from '../cookies.ts';
import { refusalOf, type SignInPlace, type SignInStep } from './flow.ts';
import { SecondFactorRequired } from '../../../../core/second-factors/second-step.ts';

/** The value's shape: 32 random bytes, base64url. */
const VALUE = /^[A-Za-z0-9_-]{43}$/;
/** As long as an upstream request or a pending link lives (core/identities.ts). */
const SECONDS = 600;

/** The `returnTo` of a console sign-in's upstream request: its outcome is shown at `/admin/idp-return`. */
export const CONSOLE_RETURN = 'console';

/**
 * Where a callback sends the browser when its outcome belongs to another page than /account: an OpenID sign-in's
 * interaction (`oidc:<uid>`) or the console's sign-in; null for /account itself.
 */
export function outcomePage(returnTo: string, ticket: string): string | null {
  const oidc = OIDC_RETURN.exec(returnTo);
  if (oidc) return `/oidc/interaction/${oidc[1]}/idp-return?ticket=${encodeURIComponent(ticket)}`;
  if (returnTo === CONSOLE_RETURN) return `/admin/idp-return?ticket=${encodeURIComponent(ticket)}`;
  return null;
}

/** An OpenID sign-in's interaction is where its outcome is shown (`oidc:<uid>`): the OpenID sign-in takes the ticket there. */
const OIDC_RETURN = /^oidc:([A-Za-z0-9_-]{1,64})$/;

/** Where a sign-in with an upstream provider left the person: a step of the one flow, or the proof of an existing account asked for. */
export type UpstreamStep = SignInStep | { kind: 'link-required'; email: string; provider: string };

/**
 * Signing in with an upstream identity provider on the pages (/account, the
 * OpenID sign-in): two cookies of the browser, and the step that ends in the
 * one sign-in's answers. `browser` binds the request and its outcome to the
 * browser that pressed the button (the state, nonce and PKCE verifier are on
 * the server); `link` names an upstream identity waiting for its email's
 * account to be proved, linked at that account's next sign-in in this browser.
 * HttpOnly, SameSite=Lax: the provider's redirect back is a cross-site
 * top-level GET.
 */
export function createUpstreamSignIn(core: Core, publicUrl: string) {
  const { secure, prefix } = cookieNames(publicUrl);
  const browserName = `${prefix}gh_idp_browser`;
  const linkName = `${prefix}gh_idp_link`;
  const set = (reply: FastifyReply, name: string, value: string, maxAge: number) =>
    reply.setCookie(name, value, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge });
  const read = (request: FastifyRequest, name: string) => {
    const value = request.cookies[name];
    return value && VALUE.test(value) ? value : undefined;
  };

  return {
    /** The provider's authorization URL for this browser; `returnTo` says which page shows the outcome. */
    async begin(request: FastifyRequest, reply: FastifyReply, providerId: string, returnTo: string, linkFor?: number): Promise<string> {
      const browser = read(request, browserName) ?? randomBytes(32).toString('base64url');
      set(reply, browserName, browser, SECONDS);
      return core.identities.begin(providerId, { browser, returnTo, linkFor });
    },

    browser: (request: FastifyRequest) => read(request, browserName),

    /** The callback's ticket signed in through the core's one login end; an existing account with the email asks for its proof. */
    async signIn(request: FastifyRequest, reply: FastifyReply, ticket: string, place: SignInPlace): Promise<UpstreamStep> {
      try {
        const grant = await core.identities.signIn(ticket, read(request, browserName), { askSecondFactor: true, hostedSignIn: place.hosted, ...place.start });
        return { kind: 'signed-in', grant };
      } catch (error) {
        if (error instanceof IdentityLinkRequired) {
          set(reply, linkName, error.linkToken, SECONDS);
          return { kind: 'link-required', email: error.email, provider: error.provider };
        }
        if (error instanceof SecondFactorRequired && error.mfaToken)
          return { kind: 'second-step', mfaToken: error.mfaToken, passkey: error.methods.includes('webauthn') };
        const refused = refusalOf(error);
        if (!refused) throw error;
        return refused;
      }
    },

    /**
     * After any sign-in on the page: an identity waiting in this browser for
     * the account just proved is linked to it (and only to it: the core
     * checks the account is the one the email named).
     */
    async linkPending(request: FastifyRequest, reply: FastifyReply, user: User): Promise<boolean> {
      const token = read(request, linkName);
      if (!token) return false;
      set(reply, linkName, '', 0);
      return core.identities.completeLink(token, read(request, browserName), user);
    },
  };
}

export type UpstreamSignIn = ReturnType<typeof createUpstreamSignIn>;
