import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { AccountContext } from './context.ts';
import { accountPages, enrolling } from './pages.ts';
import { signInPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  done: Type.Optional(Type.String({ maxLength: 32 })),
  from: Type.Optional(Type.String({ maxLength: 16 })),
});
// An account without a password (made by a sign-in code) sets its first one without `old_password`.
const ChangePassword = Type.Object({
  csrf: Type.Optional(field(128)),
  old_password: Type.Optional(field(1024)),
  new_password: field(1024),
  code: Type.Optional(field(64)),
});
const EndSession = Type.Object({ csrf: Type.Optional(field(128)), id: field(64) });
const InvitationLink = Type.Object({ token: field(200), lang: Type.Optional(Type.String({ maxLength: 8 })) });

/** The notices a redirect after a change names (`?done=`), so a reload repeats nothing. */
const NOTICES = {
  password: 'passwordChanged',
  totp: 'totpEnabled',
  removed: 'totpRemoved',
  session: 'sessionEnded',
  passkeyRemoved: 'passkeyRemoved',
  passkeyRenamed: 'passkeyRenamed',
  joined: 'joined',
  declined: 'declined',
  linked: 'identityLinked',
  unlinked: 'identityUnlinked',
} as const;

/**
 * The signed-in account page: the dashboard (or the set-up an enrolment
 * session is confined to), the password, devices.
 */
export function accountPageRoutes(fastify: FastifyInstance, context: AccountContext, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, signedIn, page, send } = context;
  const { dashboard, enrolmentPage, enrolAgain, guarded } = accountPages(context);
  const hide = { hide: true };

  app.get('/account', { schema: { ...hide, querystring: Lang } }, async (request, reply) => {
    // Sent here by the staff console to set up a factor: remembered, to send the person back after.
    if (request.query.from === 'console') context.fromConsole.mark(reply);
    const caller = await signedIn.read(request, { enrolment: true });
    const c = page(request, reply);
    if (!caller) {
      const notice = request.query.from === 'console' ? c.t.forConsole : undefined;
      return send(reply, 200, signInPage(c, undefined, '', notice));
    }
    if (enrolling(caller)) return enrolmentPage(request, reply, caller);
    if (await context.mustEnrol(caller)) return enrolAgain(request, reply);
    const done = request.query.done as keyof typeof NOTICES | undefined;
    const notice = done && Object.hasOwn(NOTICES, done) ? c.t[NOTICES[done]] : request.query.from === 'console' ? c.t.forConsole : undefined;
    return dashboard(request, reply, caller, 200, { notice });
  });

  app.post(
    '/account/password',
    { schema: { ...hide, body: ChangePassword, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<{ csrf?: string; old_password?: string; new_password: string; code?: string }>(async (request, reply, caller) => {
      await core.accounts.changePassword(caller, request.body.old_password ?? '', request.body.new_password, request.body.code);
      return context.back(request, reply, 'password');
    }),
  );

  // The invitation mail's link: who it is for and where to answer (the dashboard lists it once signed in with that address).
  app.get('/account/invitations', { schema: { ...hide, querystring: InvitationLink } }, async (request, reply) => {
    const c = page(request, reply);
    const live = await core.orgs.invitations.peek(request.query.token);
    const caller = await signedIn.read(request);
    if (!caller) {
      if (!live) return send(reply, 400, signInPage(c, undefined, '', c.t.invitationGone));
      return send(reply, 200, signInPage(c, undefined, live.invitation.email, c.t.invitationSignIn(live.invitation.email, live.org.name)));
    }
    if (!live) return dashboard(request, reply, caller, 400, { notice: c.t.invitationGone });
    const forMe = caller.user.isEmailVerified && caller.user.email?.toLowerCase() === live.invitation.email;
    return dashboard(request, reply, caller, 200, forMe ? {} : { notice: c.t.invitationElsewhere(live.invitation.email) });
  });

  for (const [answer, accept] of [
    ['accept', true],
    ['decline', false],
  ] as const) {
    app.post(
      `/account/invitations/${answer}`,
      { schema: { ...hide, body: EndSession, querystring: Lang } },
      guarded<{ csrf?: string; id: string }>(async (request, reply, caller) => {
        await core.orgs.invitations.answer(request.body.id, caller.user, accept);
        return context.back(request, reply, accept ? 'joined' : 'declined');
      }),
    );
  }

  app.post(
    '/account/sessions/end',
    { schema: { ...hide, body: EndSession, querystring: Lang } },
    guarded<{ csrf?: string; id: string }>(async (request, reply, caller) => {
      await core.sessions.endOwn(caller.user.id, request.body.id);
      return context.back(request, reply, 'session');
    }),
  );
}
