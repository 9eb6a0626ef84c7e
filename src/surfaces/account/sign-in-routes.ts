import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RateLimits } from '../shared/rate-limits.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import { SignInFlow, type SignInStep } from '../shared/html/sign-in/flow.ts';
import type { Refusal } from '../../texts/common.ts';
import type { Html } from '../shared/html/template.ts';
import type { AccountContext } from './context.ts';
import { type AccountPage, secondStepPage, signInPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const SignIn = Type.Object({ csrf: Type.Optional(field(128)), login: field(254), password: field(1024) });
// One field, `code`, takes an authenticator or a recovery code; `recovery_code` is still read for one release.
const SecondStep = Type.Object({
  csrf: Type.Optional(field(128)),
  mfa_token: field(256),
  code: Type.Optional(field(64)),
  recovery_code: Type.Optional(field(64)),
  // The page offered a passkey (the account has one): offered again after a wrong code.
  passkey: Type.Optional(field(1)),
});
const Csrf = Type.Object({ csrf: Type.Optional(field(128)) });
const PasskeyJson = Type.Object({
  csrf: Type.Optional(field(128)),
  ceremony_id: Type.Optional(field(128)),
  credential: Type.Optional(Type.Object({ id: field(1024) }, { additionalProperties: true })),
  mfa_token: Type.Optional(field(256)),
});

/**
 * Signing in on /account, through the one sign-in flow of the HTML pages
 * (surfaces/shared/html/sign-in): the password, then one code field or a
 * passkey; a passkey alone; signing out.
 */
export function accountSignInRoutes(fastify: FastifyInstance, context: AccountContext, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { forms, signedIn, page } = context;
  const flow = new SignInFlow(context.core);
  const hide = { hide: true };

  const answer = (request: FastifyRequest, reply: FastifyReply, step: SignInStep, again: (c: AccountPage, refusal: Refusal) => Html) =>
    answerStep(context, request, reply, step, again);

  app.post('/account/sign-in', { schema: { ...hide, body: SignIn, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { csrf, login, password } = request.body;
    if (!forms.holds(request, csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    const step = await flow.password(login, password, context.place(request));
    return answer(request, reply, step, (c, refusal) => signInPage(c, refusal, login));
  });

  app.post('/account/second-step', { schema: { ...hide, body: SecondStep, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { csrf, mfa_token, code, recovery_code, passkey } = request.body;
    if (!forms.holds(request, csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    const step = await flow.code(mfa_token, code?.trim() ? code : (recovery_code ?? ''), context.place(request));
    // A wrong code keeps the person on the second step (the mfa_token has tries left); anything else starts over.
    return answer(request, reply, step, (c, refusal) =>
      refusal === 'wrongCode' ? secondStepPage(c, mfa_token, passkey === '1', 'wrongCode') : signInPage(c, refusal),
    );
  });

  app.post('/account/sign-out', { schema: { ...hide, body: Csrf, querystring: Lang } }, async (request, reply) => {
    if (!forms.holds(request, request.body.csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    await signedIn.end(request, reply);
    return context.back(request, reply);
  });

  // The passkey ceremony (JSON, from account-passkeys.js), with the same CSRF token as the forms.
  const json = { ...hide, body: PasskeyJson, querystring: Lang };
  const refused = (reply: FastifyReply, status: number, text: string) => reply.code(status).header('cache-control', 'no-store').send({ error: text });

  app.post('/account/passkeys/options', { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    if (!forms.holds(request, request.body.csrf)) return refused(reply, 403, page(request, reply).common.refusals.formExpired);
    const { ceremonyId, options } = await flow.passkeyOptions();
    return { ceremony_id: ceremonyId, options };
  });

  app.post('/account/passkeys/sign-in', { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { csrf, ceremony_id, credential, mfa_token } = request.body;
    const c = page(request, reply);
    if (!forms.holds(request, csrf)) return refused(reply, 403, c.common.refusals.formExpired);
    const step = await flow.passkey(ceremony_id ?? '', credential as unknown as AuthenticationResponseJSON, mfa_token, context.place(request));
    if (step.kind !== 'signed-in') {
      const [status, refusal] = step.kind === 'refused' ? step.refusal : ([400, 'passkeyFailed'] as const);
      // Any passkey that does not verify reads alike, whatever the core's reason.
      return refused(reply, status, c.common.refusals[refusal === 'wrongCode' || refusal === 'wrongCredentials' ? 'passkeyFailed' : refusal]);
    }
    signedIn.start(reply, step.grant);
    const linked = await context.upstream.linkPending(request, reply, step.grant.user);
    return { ok: true, redirect: `/account?lang=${c.lang}${linked ? '&done=linked' : ''}` };
  });
}

/**
 * Where a step of the sign-in left the person: signed in (to the account page; an upstream identity waiting in
 * this browser for this account's proof is linked), the second step, or `again` with the refusal.
 */
export async function answerStep(
  context: AccountContext,
  request: FastifyRequest,
  reply: FastifyReply,
  step: SignInStep,
  again: (c: AccountPage, refusal: Refusal) => Html,
): Promise<FastifyReply> {
  if (step.kind === 'signed-in') {
    context.signedIn.start(reply, step.grant);
    const linked = await context.upstream.linkPending(request, reply, step.grant.user);
    return context.back(request, reply, linked ? 'linked' : undefined);
  }
  const c = context.page(request, reply);
  if (step.kind === 'second-step') return context.send(reply, 200, secondStepPage(c, step.mfaToken, step.passkey));
  if (step.retryAfterSeconds) reply.header('retry-after', String(step.retryAfterSeconds));
  const [status, refusal] = step.refusal;
  return context.send(reply, status, again(c, refusal));
}
