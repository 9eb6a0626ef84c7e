import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../../core/core.ts';
import { isGatehouseError } from '../../../core/errors.ts';
import type { Caller, Grant } from '../../../core/sessions.ts';
import { cookieNames } from './cookies.ts';

/** How long a signed-in page stays signed in (the access token's life; the core session may end it sooner). */
export const PAGE_SESSION_SECONDS = 12 * 3600;

export interface PageSession {
  /**
   * The caller behind the request's cookie, or null (no cookie, or its core
   * session ended). An enrolment session (an account MFA_REQUIRED covers,
   * signed in to set up its first factor) is a caller only where the read
   * says `enrolment: true` — the account page's enrolment.
   */
  read(request: FastifyRequest, options?: { enrolment?: boolean }): Promise<Caller | null>;
  /** Signs the browser in with a grant the core's login handed out. */
  start(reply: FastifyReply, grant: Grant): void;
  /** Ends the core session behind the cookie (if live) and clears the cookie. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Clears the cookie only. */
  clear(reply: FastifyReply): void;
}

/**
 * The signed-in cookie of the HTML surfaces (the account page; the staff
 * console reuses it). The cookie holds the access token of a CORE session, so
 * every check is `core.sessions.authenticate`: a logout anywhere, a revocation
 * (`gatehouse sessions revoke`, a password change) or the session's expiry
 * signs the page out too. HttpOnly (no script reads it), SameSite=Lax (sent on
 * a top-level visit from a mail link, never on cross-site posts; the forms
 * carry CSRF tokens besides), and behind HTTPS `__Host-` + Secure. Written and
 * read through @fastify/cookie (cookies.ts).
 */
export function createPageSession(core: Core, publicUrl: string): PageSession {
  const { secure, prefix } = cookieNames(publicUrl);
  const name = `${prefix}gh_session`;
  const attributes = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
  const token = (request: FastifyRequest) => request.cookies[name];
  const clear = (reply: FastifyReply) => void reply.setCookie(name, '', { ...attributes, maxAge: 0 });
  return {
    async read(request, options) {
      const value = token(request);
      if (!value) return null;
      try {
        return await (options?.enrolment ? core.sessions.authenticateOrEnrolment(value) : core.sessions.authenticate(value));
      } catch (error) {
        // An ended, expired or forged session is simply "signed out"; an outage is not.
        if (isGatehouseError(error) && error.code !== 'STORE_UNAVAILABLE') return null;
        throw error;
      }
    },
    start(reply, grant) {
      reply.setCookie(name, grant.accessToken, { ...attributes, maxAge: grant.accessTtl });
    },
    async end(request, reply) {
      const value = token(request);
      clear(reply);
      if (!value) return;
      try {
        await core.sessions.logout(value);
      } catch (error) {
        if (!isGatehouseError(error) || error.code === 'STORE_UNAVAILABLE') throw error;
      }
    },
    clear,
  };
}
