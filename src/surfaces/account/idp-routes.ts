import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { refusalOf } from '../shared/html/sign-in/flow.ts';
import { outcomePage } from '../shared/html/sign-in/upstream.ts';
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
const Return = Type.Object({ ticket: field(64), linking: Type.Optional(field(1)), lang: Type.Optional(field(8)) });

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
    return conclude(request, reply, outcome.ticket, outcome.returnTo, outcome.linking);
  });

  // Apple's `form_post`: the answer (code, state, the first sign-in's `user`) as a cross-site POST. It carries
  // none of this site's SameSite cookies, and needs none: no CSRF field either, since the one-use `state` the
  // server kept is what verifies it. The outcome is then shown by a same-site GET (a 303), which carries the
  // browser's cookie that binds it to the browser that pressed the button.
  app.post('/idp/:id/callback', { schema: { ...hide, params: Provider, body: Callback }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { id } = request.params;
    const url = new URL(core.identities.redirectUri(id));
    for (const [name, value] of Object.entries(request.body)) url.searchParams.set(name, value);
    const outcome = await core.identities.callback(id, url);
    const elsewhere = outcomePage(outcome.returnTo, outcome.ticket);
    if (elsewhere) return reply.redirect(elsewhere, 303);
    return reply.redirect(`/idp/${encodeURIComponent(id)}/return?ticket=${encodeURIComponent(outcome.ticket)}${outcome.linking ? '&linking=1' : ''}`, 303);
  });

  // A ticket that names another request's kind (linking or not) is refused by the core, so `linking` needs no trust.
  app.get('/idp/:id/return', { schema: { ...hide, params: Provider, querystring: Return }, preHandler: limits.perIp('login') }, async (request, reply) =>
    conclude(request, reply, request.query.ticket, '/account', request.query.linking === '1'),
  );

  /** Shows a callback's outcome: the OpenID sign-in or console sign-in that started it, the link asked for, or the sign-in on /account. */
  async function conclude(request: FastifyRequest, reply: FastifyReply, ticket: string, returnTo: string, linking: boolean) {
    const elsewhere = outcomePage(returnTo, ticket);
    if (elsewhere) return reply.redirect(elsewhere, 303);
    if (linking) {
      const caller = await context.signedIn.read(request);
      if (!caller) return context.refuse(request, reply, 401);
      await core.identities.linkToSignedIn(ticket, upstream.browser(request), caller.user);
      return context.back(request, reply, 'linked');
    }
    const step = await upstream.signIn(request, reply, ticket, context.place(request));
    if (step.kind === 'link-required') {
      const c = page(request, reply);
      return send(reply, 200, signInPage(c, undefined, step.email, c.t.linkFirst(step.provider, step.email)));
    }
    return answerStep(context, request, reply, step, (c, refusal) => signInPage(c, refusal));
  }
}
