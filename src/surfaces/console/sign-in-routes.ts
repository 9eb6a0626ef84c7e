import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isStaffMember } from '../../core/staff.ts';
import type { Refusal } from '../../texts/common.ts';
import { CONSOLE_RETURN } from '../shared/html/sign-in/upstream.ts';
import { refusalOf, SignInFlow, type SignInStep } from '../shared/html/sign-in/flow.ts';
import { passkeyRefusal, sendPasskeyRefusal } from '../shared/html/sign-in/passkey-answers.ts';
import { CSRF_REFUSAL, PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import type { Html } from '../shared/html/template.ts';
import { type ConsolePluginOptions, enrolAt } from './context.ts';
import { type ConsolePage, href } from './layout.ts';
import { CsrfForm, LangQuery, PasskeyJson, ProviderParams, ProviderReturn, ProviderStart, SecondStepForm, SignInForm } from './schemas.ts';
import { secondStepPage, signInPage } from './sign-in-views.ts';

/**
 * Signing in to the console through the HTML pages' one sign-in flow
 * (surfaces/shared/html/sign-in): the password, then one code field or a
 * passkey; a passkey alone; signing out. The same mistakes get the same
 * statuses and sentences as on /account. Staff only: a right password of
 * anyone else is refused (403) and the session it started ends at once.
 */
export const consoleSignInRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context, limits, guard }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, config, forms, signedIn, send, upstream } = context;
  // The providers' buttons are drawn from the core's cache (read again when older than 5 s).
  if (config.consoleProviders) fastify.addHook('onRequest', async () => core.identities.freshButtons());
  const flow = new SignInFlow(core);
  const hide = { hide: true };
  const login = limits.perIp('login');

  /** Where a step left the person: in the console, on the second step, on the account page to enrol, or refused. */
  const answer = async (request: FastifyRequest, reply: FastifyReply, step: SignInStep, again: (c: ConsolePage, refusal: Refusal) => Html) => {
    const c = context.page(request, reply);
    if (step.kind === 'signed-in') {
      if (!isStaffMember(step.grant.user)) {
        await core.sessions.end(step.grant.session.id);
        return send(reply, 403, signInPage(c, PAGE_REFUSALS.FORBIDDEN[1]));
      }
      signedIn.start(reply, step.grant);
      // An identity waiting in this browser for this account's proof (a provider's sign-in that met its email) is linked now.
      await upstream.linkPending(request, reply, step.grant.user);
      return context.redirect(request, reply, '/admin');
    }
    if (step.kind === 'second-step') return send(reply, 200, secondStepPage(c, step.mfaToken, step.passkey));
    // MFA_REQUIRED covers the account and it has no factor: it sets one up on /account, which sends it back here.
    if (step.refusal === PAGE_REFUSALS.MFA_ENROLMENT_REQUIRED) return reply.redirect(enrolAt(c.lang), 303);
    if (step.retryAfterSeconds) reply.header('retry-after', String(step.retryAfterSeconds));
    return send(reply, step.refusal[0], again(c, step.refusal[1]));
  };
  const forged = (request: FastifyRequest, reply: FastifyReply) => send(reply, CSRF_REFUSAL[0], signInPage(context.page(request, reply), CSRF_REFUSAL[1]));

  app.get('/admin/sign-in', { schema: { ...hide, querystring: LangQuery } }, async (request, reply) => {
    const caller = await signedIn.read(request);
    if (caller && (await core.staff.refusal(caller, 'console')) === null) return context.redirect(request, reply, '/admin');
    return send(reply, 200, signInPage(context.page(request, reply)));
  });

  app.post('/admin/sign-in', { schema: { ...hide, querystring: LangQuery, body: SignInForm }, preHandler: login }, async (request, reply) => {
    const { csrf, login: name, password } = request.body;
    if (!forms.holds(request, csrf)) return forged(request, reply);
    const step = await flow.password(name, password, context.place(request));
    return answer(request, reply, step, (c, refusal) => signInPage(c, refusal, name));
  });

  app.post('/admin/sign-in/second-step', { schema: { ...hide, querystring: LangQuery, body: SecondStepForm }, preHandler: login }, async (request, reply) => {
    const { csrf, mfa_token, code, passkey } = request.body;
    if (!forms.holds(request, csrf)) return forged(request, reply);
    const step = await flow.code(mfa_token, code, context.place(request));
    // A wrong code keeps the person on the second step (the mfa_token has tries left); anything else starts over.
    return answer(request, reply, step, (c, refusal) =>
      refusal === 'wrongCode' ? secondStepPage(c, mfa_token, passkey === '1', refusal) : signInPage(c, refusal),
    );
  });

  // The passkey ceremony (JSON, from account-passkeys.js), with the same CSRF value as the forms.
  const json = { ...hide, body: PasskeyJson, querystring: LangQuery };

  app.post('/admin/sign-in/passkey-options', { schema: json, preHandler: login }, async (request, reply) => {
    if (!forms.holds(request, request.body.csrf)) return sendPasskeyRefusal(reply, CSRF_REFUSAL, context.page(request, reply).common);
    const { ceremonyId, options } = await flow.passkeyOptions();
    return { ceremony_id: ceremonyId, options };
  });

  app.post('/admin/sign-in/passkey', { schema: json, preHandler: login }, async (request, reply) => {
    const { csrf, ceremony_id, credential, mfa_token } = request.body;
    const c = context.page(request, reply);
    if (!forms.holds(request, csrf)) return sendPasskeyRefusal(reply, CSRF_REFUSAL, c.common);
    const step = await flow.passkey(ceremony_id ?? '', credential as unknown as AuthenticationResponseJSON, mfa_token, context.place(request));
    if (step.kind !== 'signed-in')
      return sendPasskeyRefusal(reply, passkeyRefusal(step), c.common, step.kind === 'refused' ? step.retryAfterSeconds : undefined);
    if (!isStaffMember(step.grant.user)) {
      await core.sessions.end(step.grant.session.id);
      return sendPasskeyRefusal(reply, PAGE_REFUSALS.FORBIDDEN, c.common);
    }
    signedIn.start(reply, step.grant);
    await upstream.linkPending(request, reply, step.grant.user);
    return { ok: true, redirect: href(c.lang, '/admin') };
  });

  // Upstream identity providers (CONSOLE_PROVIDERS): the button sends the browser to the provider; its callback
  // (/idp/{id}/callback, on /account's surface) hands the outcome back here, and the one flow ends it as any sign-in
  // here: staff only, the second factor where the account has one, CONSOLE_MFA by the guard. Off: no such route.
  const offered = (request: FastifyRequest, reply: FastifyReply) =>
    config.consoleProviders ? undefined : context.refuse(request, reply, PAGE_REFUSALS.NOT_FOUND);

  app.get('/admin/idp/:id', { schema: { ...hide, params: ProviderParams, querystring: ProviderStart }, preHandler: login }, async (request, reply) => {
    if (offered(request, reply)) return reply;
    if (!forms.holds(request, request.query.csrf)) return forged(request, reply);
    try {
      return reply.redirect(await upstream.begin(request, reply, request.params.id, CONSOLE_RETURN), 303);
    } catch (error) {
      const refused = refusalOf(error);
      if (!refused) throw error;
      return send(reply, refused.refusal[0], signInPage(context.page(request, reply), refused.refusal[1]));
    }
  });

  app.get('/admin/idp-return', { schema: { ...hide, querystring: ProviderReturn }, preHandler: login }, async (request, reply) => {
    if (offered(request, reply)) return reply;
    const step = await upstream.signIn(request, reply, request.query.ticket, context.place(request));
    if (step.kind === 'link-required') {
      const c = context.page(request, reply);
      return send(reply, 200, signInPage(c, undefined, step.email, c.t.linkFirst(step.provider, step.email)));
    }
    return answer(request, reply, step, (c, refusal) => signInPage(c, refusal));
  });

  app.post('/admin/sign-out', { schema: { ...hide, querystring: LangQuery, body: CsrfForm }, preHandler: guard }, async (request, reply) => {
    await signedIn.end(request, reply);
    return context.redirect(request, reply, '/admin/sign-in');
  });
};
