import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.ts';
import type { Caller, Grant } from '../../core/sessions.ts';
import { createPageSession } from '../shared/html/page-session.ts';

/**
 * The console's sign-in check: the HTML surfaces' one signed-in cookie
 * (shared/html/page-session.ts), which holds the access token of a core
 * session started by `core.login.login`. Signing in to the account page signs
 * in to the console and back; ending the session anywhere — sign-out, "end all
 * sessions", a disable, a password change — signs both out.
 */
export interface ConsoleSession {
  /** The signed-in account behind this request, or null (no cookie, an ended session, a disabled account). */
  caller(request: FastifyRequest): Promise<Caller | null>;
  /** Sets the cookie after a successful sign-in. */
  set(reply: FastifyReply, grant: Grant): void;
  /** Ends the core session behind the cookie and clears it. */
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function consoleSession(core: Core, publicUrl: string): ConsoleSession {
  const pages = createPageSession(core, publicUrl);
  // An enrolment session is read too, so that the staff rule (core/staff.ts) sends it to set up its factor.
  return {
    caller: (request) => pages.read(request, { enrolment: true }),
    set: (reply, grant) => pages.start(reply, grant),
    end: (request, reply) => pages.end(request, reply),
  };
}
