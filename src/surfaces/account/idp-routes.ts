import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { refusalOf } from '../shared/html/sign-in/flow.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { AccountContext } from './context.ts';
import { accountPages } from './pages.ts';
import { answerStep } from './sign-in-routes.ts';
import { signInPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({ lang: Type.Optional(field(8)) });
const Provider = Type.Object({ id: field(32) });
const Start = Type.Object({ lang: Type.Optional(field(8)), csrf: Type.Optional(field(128)) });
const Unlink = Type.Object({ csrf: Type.Optional(field(128)), issuer: field(512), subject: field(512) });
// What a provider sends back: code and state, or error; others (iss, session_state, scope) are read by openid-client.
const Callback = Type.Record(Type.String(), Type.String({ maxLength: 4096 }));

/** An OpenID sign-in's interaction is where its outcome is shown (`oidc:<uid>`): the OpenID sign-in takes the ticket there. */
const OIDC_RETURN = /^oidc:([A-Za-z0-9_-]{1,64})$/;

/**
 * Upstream identity providers on /account: a provider's button (a POST form)
 * sends the browser to the provider; `/idp/{id}/callback` — the redirect URI
 * registered there — verifies its answer and ends the sign-in through the one
 * flow (the second factor where the account has one), or hands the outcome to
 * the OpenID sign-in that started it. Signed in, /account links another
 * provider and unlinks one while another way in remains.
 */
export function accountIdpRoutes(fastify: FastifyInstance, context: AccountContext, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, forms, page, send, upstream } = context;
  const { guarded } = accountPages(context);
  const hide = { hide: true };

  // The buttons are links (the strict CSP's form-action would stop a form's redirect to the provider), with the CSRF value.
  app.get('/account/idp/:id', { schema: { ...hide, params: Provider, querystring: Start }, preHandler: limits.perIp('login') }, async (request, reply) => {
    if (!forms.holds(request, request.query.csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    try {
      return reply.redirect(await upstream.begin(request, reply, request.params.id, '/account'), 303);
    } catch (error) {
      const refused = refusalOf(error);
      if (!refused) throw error;
      return context.refuse(request, reply, refused.refusal[0], refused.refusal[1]);
    }
  });

  app.get(
    '/account/identities/link/:id',
    { schema: { ...hide, params: Provider, querystring: Start }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      if (!forms.holds(request, request.query.csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
      const caller = await context.signedIn.read(request);
      if (!caller) return context.refuse(request, reply, 401);
      return reply.redirect(await upstream.begin(request, reply, request.params.id, '/account', caller.user.id), 303);
    },
  );

  app.post(
    '/account/identities/unlink',
    { schema: { ...hide, body: Unlink, querystring: Lang } },
    guarded<{ csrf?: string; issuer: string; subject: string }>(async (request, reply, caller) => {
      await core.identities.unlink(caller.user, request.body.issuer, request.body.subject);
      return context.back(request, reply, 'unlinked');
    }),
  );

  app.get('/idp/:id/callback', { schema: { ...hide, params: Provider, querystring: Callback }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { id } = request.params;
    // The URL the provider redirected to, as registered there (PUBLIC_URL's), with the query it added.
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const outcome = await core.identities.callback(id, new URL(`${core.identities.redirectUri(id)}${query}`));
    const oidc = OIDC_RETURN.exec(outcome.returnTo);
    if (oidc) return reply.redirect(`/oidc/interaction/${oidc[1]}/idp-return?ticket=${encodeURIComponent(outcome.ticket)}`, 303);
    if (outcome.linking) {
      const caller = await context.signedIn.read(request);
      if (!caller) return context.refuse(request, reply, 401);
      await core.identities.linkToSignedIn(outcome.ticket, upstream.browser(request), caller.user);
      return context.back(request, reply, 'linked');
    }
    const step = await upstream.signIn(request, reply, outcome.ticket, context.place(request));
    if (step.kind === 'link-required') {
      const c = page(request, reply);
      return send(reply, 200, signInPage(c, undefined, step.email, c.t.linkFirst(step.provider, step.email)));
    }
    return answerStep(context, request, reply, step, (c, refusal) => signInPage(c, refusal));
  });
}
