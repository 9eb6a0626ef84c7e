import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.ts';
import { isGatehouseError } from '../../core/errors.ts';
import type { Caller } from '../../core/sessions.ts';
import { readCookie } from '../shared/html/cookies.ts';

/** A console sign-in lasts a working day; the core session behind it may end sooner (sign-out, revocation). */
export const CONSOLE_TTL_SECONDS = 8 * 3600;

/**
 * The console's signed-in cookie: the access token of a core session started
 * by `core.login.login` (the one login), so ending the session anywhere — the
 * account's sessions list, "end all sessions", a disable — signs the console
 * out too. HttpOnly and SameSite=Strict; `__Host-` and Secure behind HTTPS.
 *
 * When the shared page session (surfaces/shared/html/page-session.ts) arrives,
 * `caller` is the one function to switch to it.
 */
export interface ConsoleSession {
  /** The signed-in account behind this request, or null (no cookie, an ended session, a disabled account). */
  caller(request: FastifyRequest): Promise<Caller | null>;
  /** Sets the cookie after a successful sign-in. */
  set(reply: FastifyReply, accessToken: string): void;
  /** Ends the core session behind the cookie and clears it. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function consoleSession(core: Core, publicUrl: string): ConsoleSession {
  const secure = publicUrl.startsWith('https:');
  const name = secure ? '__Host-gh_console' : 'gh_console';
  const attributes = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  const token = (request: FastifyRequest) => readCookie(request.headers.cookie, name);
  return {
    async caller(request) {
      const value = token(request);
      if (!value) return null;
      try {
        return await core.sessions.authenticate(value);
      } catch (error) {
        // Any refusal of the token (expired, ended, a disabled account) is simply "not signed in"; an outage is not.
        if (isGatehouseError(error) && error.code !== 'STORE_UNAVAILABLE') return null;
        throw error;
      }
    },
    set(reply, accessToken) {
      reply.header('set-cookie', `${name}=${accessToken}; ${attributes}; Max-Age=${CONSOLE_TTL_SECONDS}`);
    },
    async end(request, reply) {
      const value = token(request);
      if (value) await core.sessions.logout(value).catch(() => {});
      reply.header('set-cookie', `${name}=; ${attributes}; Max-Age=0`);
    },
  };
}
