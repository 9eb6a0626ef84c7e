import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestLang } from '../shared/html/lang.ts';
import { CSRF_REFUSAL, PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import { actAs } from '../shared/request-origin.ts';
import { type ConsoleContext, enrolAt } from './context.ts';

/**
 * The one guard in front of every console page and form (a `preHandler`):
 * it resolves the signed-in staff member into `request.caller`, or answers
 * itself. Without a session a page is the sign-in (a form is refused, 403).
 * Staff power is the core's one rule (core/staff.ts, `refusal`): staff only
 * (403 for anyone else, whatever they hold); and wherever CONSOLE_MFA (on by
 * default) or MFA_REQUIRED covers them, a sign-in with a second factor — a
 * password-only session ends and signs in again, an account without a factor
 * sets one up on /account first, which sends it back here; a sign-in through
 * an upstream provider only with CONSOLE_PROVIDERS on. A form must carry
 * the CSRF value, and what it does is audited as the staff member's (`actAs`).
 */
export function staffGuard(context: ConsoleContext) {
  const { core, forms, signedIn } = context;
  return async function staffOnly(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const reading = request.method === 'GET' || request.method === 'HEAD';
    // An enrolment session is read too, so that the staff rule sends it to set up its factor.
    const caller = await signedIn.read(request, { enrolment: true });
    if (!caller) return reading ? context.redirect(request, reply, '/admin/sign-in') : context.refuse(request, reply, CSRF_REFUSAL);
    const refused = await core.staff.refusal(caller, 'console');
    if (refused === 'not-staff' || (refused && !reading)) return context.refuse(request, reply, PAGE_REFUSALS.FORBIDDEN);
    if (refused === 'second-factor') {
      await signedIn.end(request, reply);
      return context.redirect(request, reply, '/admin/sign-in');
    }
    // Signed in through an upstream provider while CONSOLE_PROVIDERS is off: the session stays (it is /account's
    // too); the console asks for a sign-in of its own, which replaces it.
    if (refused === 'upstream') return context.redirect(request, reply, '/admin/sign-in');
    if (refused === 'enrol-first') return reply.redirect(enrolAt(requestLang(request)), 303);
    if (!reading) {
      if (!forms.holds(request, (request.body as { csrf?: unknown } | undefined)?.csrf)) return context.refuse(request, reply, CSRF_REFUSAL, caller);
      actAs(caller.user.id);
    }
    request.caller = caller;
    return undefined;
  };
}
