import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TotpSetup } from '../../core/second-factors/totp.ts';
import type { Caller } from '../../core/sessions.ts';
import { refusalOf } from '../shared/html/sign-in/flow.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import { qrSvg } from '../shared/qr-svg.ts';
import type { AccountContext } from './context.ts';
import { dashboardPage, type OrganizationLine, signInPage, totpSetupPage } from './views.ts';

/** An enrolment session: an account MFA_REQUIRED covers, signed in to set up its first factor and nothing else. */
export const enrolling = (caller: Caller) => caller.claims.type === 'enrolment';

/** The dashboard's organisations: the first 50 memberships, then the invitations to the verified address. */
async function organizationLines(context: AccountContext, caller: Caller): Promise<OrganizationLine[]> {
  const { orgs } = context.core;
  const [mine, pending] = await Promise.all([orgs.organizations.mine(caller.user.id, 50, 0), orgs.invitations.pendingFor(caller.user)]);
  const invited = await Promise.all(
    pending.map(async (i) => ({ name: (await orgs.invitations.organizationOf(i))?.name ?? '', roles: i.roles, invitation: i.id })),
  );
  return [...mine.map((m) => ({ name: m.organization.name, roles: m.roles })), ...invited.filter((i) => i.name !== '')];
}

/** The signed-in pages of /account and the guard every signed-in form passes. */
export function accountPages(context: AccountContext) {
  const { core, forms, signedIn, page, send } = context;
  const dashboard = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, status: number, extra: { notice?: string; error?: unknown } = {}) => {
    const [factors, sessions, organizations, identities] = await Promise.all([
      core.secondFactors.status(caller.user.id),
      core.sessions.listForUser(caller.user.id),
      organizationLines(context, caller),
      core.identities.identitiesOf(caller.user.id),
    ]);
    const refusal = extra.error === undefined ? undefined : refusalOf(extra.error)?.refusal[1];
    return send(
      reply,
      status,
      dashboardPage(page(request, reply), {
        user: caller.user,
        organizations,
        factors,
        sessions,
        identities,
        currentSessionId: caller.session.id,
        notice: extra.notice,
        refusal,
      }),
    );
  };

  const setupPage = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, setup: TotpSetup, status = 200, wrongCode = false) => {
    const c = page(request, reply);
    const required = enrolling(caller) ? c.t.mustEnrol : context.fromConsole.read(request) ? c.t.forConsole : undefined;
    return send(
      reply,
      status,
      totpSetupPage(c, { ...setup, qrSvg: await qrSvg(setup.otpauthUri) }, { required, refusal: wrongCode ? 'wrongCode' : undefined }),
    );
  };
  /** An enrolment session's page: the set-up it began (while it may be confirmed), else a new one (the session is its proof). */
  const enrolmentPage = async (request: FastifyRequest, reply: FastifyReply, caller: Caller) =>
    setupPage(request, reply, caller, (await core.secondFactors.totp.pending(caller.user)) ?? (await core.secondFactors.totp.begin(caller, {})));
  /** A normal session of an account that must enrol: it ends, and the sign-in (which starts an enrolment session) says why. */
  const enrolAgain = async (request: FastifyRequest, reply: FastifyReply) => {
    await signedIn.end(request, reply);
    const c = page(request, reply);
    return send(reply, 200, signInPage(c, undefined, '', c.t.signInToEnrol));
  };

  /**
   * A signed-in form: CSRF checked, the caller known (otherwise the sign-in page). An enrolment session
   * reaches only the routes that set up its first factor; a normal session of an account MFA_REQUIRED
   * covers without a factor (signed in before the rule, or reset since) signs in again to enrol. A
   * refusal of the core (a wrong password, a step-up missing) is the dashboard with its sentence.
   */
  const guarded =
    <B extends { csrf?: string }>(
      handle: (request: FastifyRequest<{ Body: B }>, reply: FastifyReply, caller: Caller) => Promise<unknown>,
      options: { whileEnrolling?: boolean } = {},
    ) =>
    async (request: FastifyRequest<{ Body: B }>, reply: FastifyReply) => {
      if (!forms.holds(request, (request.body as B).csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
      const caller = await signedIn.read(request, { enrolment: true });
      if (!caller) return context.refuse(request, reply, 401);
      if (enrolling(caller) && !options.whileEnrolling) return context.back(request, reply);
      if (!enrolling(caller) && (await context.mustEnrol(caller))) return enrolAgain(request, reply);
      try {
        return await handle(request, reply, caller);
      } catch (error) {
        const refused = refusalOf(error);
        if (!refused) throw error;
        return dashboard(request, reply, caller, refused.refusal[0], { error });
      }
    };

  return { dashboard, setupPage, enrolmentPage, enrolAgain, guarded };
}
