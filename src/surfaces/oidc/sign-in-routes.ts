import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Interaction } from 'oidc-provider';
import { Type } from 'typebox';
import type { Core } from '../../core/core.ts';
import type { Refusal } from '../../texts/common.ts';
import { refusalOf, SignInFlow, type SignInStep } from '../shared/html/sign-in/flow.ts';
import { passkeyRefusal, sendPasskeyRefusal } from '../shared/html/sign-in/passkey-answers.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import type { Html } from '../shared/html/template.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { ISSUER_PATH } from './issuer-path.ts';
import type { Interactions } from './interactions.ts';
import { consentPage, type OidcPage, secondStepPage, signInPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Uid = Type.Object({ uid: field(64) });
const LangQuery = Type.Object({ lang: Type.Optional(field(8)) });
const UidProvider = Type.Object({ uid: field(64), id: field(32) });
const StartQuery = Type.Object({ lang: Type.Optional(field(8)), csrf: Type.Optional(field(128)) });
const ReturnQuery = Type.Object({ lang: Type.Optional(field(8)), ticket: field(128) });
const LoginForm = Type.Object({ csrf: Type.Optional(field(128)), login: field(254), password: field(1024) });
const SecondFactorForm = Type.Object({ csrf: Type.Optional(field(128)), mfa_token: field(256), code: field(64), passkey: Type.Optional(field(1)) });
const PasskeyJson = Type.Object({
  csrf: Type.Optional(field(128)),
  ceremony_id: Type.Optional(field(128)),
  credential: Type.Optional(Type.Object({ id: field(1024) }, { additionalProperties: true })),
  mfa_token: Type.Optional(field(256)),
});

/**
 * The OpenID Connect sign-in (/oidc/interaction/:uid): the HTML pages' one
 * sign-in flow — the core login, one code field, passkeys alone or as the
 * second step — then the provider is told who signed in and how. An account
 * MFA_REQUIRED covers without a factor is told to set one up on /account, and
 * the app gets nothing.
 */
export function oidcSignInRoutes(fastify: FastifyInstance, core: Core, io: Interactions, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const flow = new SignInFlow(core);
  const base = `${ISSUER_PATH}/interaction/:uid`;
  const hide = { hide: true };

  const answer = (request: FastifyRequest, reply: FastifyReply, interaction: Interaction, step: SignInStep, again: (c: OidcPage, refusal: Refusal) => Html) =>
    answerStep(core, io, { request, reply, interaction }, step, again);

  app.get(base, { schema: { ...hide, params: Uid, querystring: LangQuery } }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    const c = await io.page(request, reply, interaction);
    if (interaction.prompt.name === 'login') return io.send(reply, 200, signInPage(c), interaction);
    return io.send(reply, 200, consentPage(c, String(interaction.params.scope ?? 'openid').split(' ')), interaction);
  });

  app.post(
    `${base}/login`,
    { schema: { ...hide, params: Uid, querystring: LangQuery, body: LoginForm }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const { csrf, login, password } = request.body;
      if (!io.forms.holds(request, csrf))
        return io.send(reply, CSRF_REFUSAL[0], signInPage(await io.page(request, reply, interaction), CSRF_REFUSAL[1], login), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      const step = await flow.password(login, password, io.place(request));
      return answer(request, reply, interaction, step, (c, refusal) => signInPage(c, refusal, login));
    },
  );

  app.post(
    `${base}/second-factor`,
    { schema: { ...hide, params: Uid, querystring: LangQuery, body: SecondFactorForm }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const { csrf, mfa_token, code, passkey } = request.body;
      if (!io.forms.holds(request, csrf))
        return io.send(reply, CSRF_REFUSAL[0], signInPage(await io.page(request, reply, interaction), CSRF_REFUSAL[1]), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      const step = await flow.code(mfa_token, code, io.place(request));
      // A wrong code keeps the person on the second step (the mfa_token has tries left); anything else starts over.
      return answer(request, reply, interaction, step, (c, refusal) =>
        refusal === 'wrongCode' ? secondStepPage(c, mfa_token, passkey === '1', 'wrongCode') : signInPage(c, refusal),
      );
    },
  );

  // An upstream identity provider's button (a link with the page's CSRF value: the strict CSP's form-action would
  // stop a form's redirect to the provider); its callback (on /account's surface, /idp/{id}/callback) sends the
  // browser back here with a ticket, which ends the sign-in through the one flow.
  app.get(
    `${base}/idp/:id`,
    { schema: { ...hide, params: UidProvider, querystring: StartQuery }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const c = await io.page(request, reply, interaction);
      if (!io.forms.holds(request, request.query.csrf)) return io.send(reply, CSRF_REFUSAL[0], signInPage(c, CSRF_REFUSAL[1]), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      try {
        return reply.redirect(await io.upstream.begin(request, reply, request.params.id, `oidc:${interaction.uid}`), 303);
      } catch (error) {
        const refused = refusalOf(error);
        if (!refused) throw error;
        return io.send(reply, refused.refusal[0], signInPage(c, refused.refusal[1]), interaction);
      }
    },
  );

  app.get(`${base}/idp-return`, { schema: { ...hide, params: Uid, querystring: ReturnQuery }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
    const step = await io.upstream.signIn(request, reply, request.query.ticket, io.place(request));
    if (step.kind === 'link-required') {
      const c = await io.page(request, reply, interaction);
      return io.send(reply, 409, signInPage(c, 'linkRequired', step.email), interaction);
    }
    return answer(request, reply, interaction, step, (c, refusal) => signInPage(c, refusal));
  });

  // The passkey ceremony (JSON, from account-passkeys.js), with the page's CSRF value.
  const json = { ...hide, params: Uid, querystring: LangQuery, body: PasskeyJson };
  app.post(`${base}/passkey-options`, { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    const c = await io.page(request, reply, interaction);
    if (!io.forms.holds(request, request.body.csrf)) return sendPasskeyRefusal(reply, CSRF_REFUSAL, c.common);
    const { ceremonyId, options } = await flow.passkeyOptions();
    return { ceremony_id: ceremonyId, options };
  });

  app.post(`${base}/passkey`, { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    const c = await io.page(request, reply, interaction);
    const { csrf, ceremony_id, credential, mfa_token } = request.body;
    if (!io.forms.holds(request, csrf)) return sendPasskeyRefusal(reply, CSRF_REFUSAL, c.common);
    if (interaction.prompt.name !== 'login') return sendPasskeyRefusal(reply, [400, 'stepExpired'], c.common);
    const step = await flow.passkey(ceremony_id ?? '', credential as unknown as AuthenticationResponseJSON, mfa_token, io.place(request));
    if (step.kind !== 'signed-in')
      return sendPasskeyRefusal(reply, passkeyRefusal(step), c.common, step.kind === 'refused' ? step.retryAfterSeconds : undefined);
    return { ok: true, redirect: await io.finish(request, reply, interaction, step.grant) };
  });
}

/** An account MFA_REQUIRED covers, with no factor yet: told to set one up on /account; the app gets nothing before. */
function enrolFirstPage(c: OidcPage): Html {
  return signInPage({ ...c, common: { ...c.common, refusals: { ...c.common.refusals, enrolFirst: c.t.enrolFirst } } }, 'enrolFirst');
}

/** Where a step of the sign-in left the person: handed to the provider (303 to what it says next), the second step, or `again` with the refusal. */
export async function answerStep(
  core: Core,
  io: Interactions,
  at: { request: FastifyRequest; reply: FastifyReply; interaction: Interaction },
  step: SignInStep,
  again: (c: OidcPage, refusal: Refusal) => Html,
): Promise<FastifyReply> {
  const { request, reply, interaction } = at;
  const c = await io.page(request, reply, interaction);
  if (step.kind === 'signed-in') {
    if (step.grant.enrolment) {
      await core.sessions.end(step.grant.session.id);
      return io.send(reply, 403, enrolFirstPage(c), interaction);
    }
    // An upstream identity waiting in this browser for this account's proof is linked to it.
    await io.upstream.linkPending(request, reply, step.grant.user);
    return reply.redirect(await io.finish(request, reply, interaction, step.grant), 303);
  }
  if (step.kind === 'second-step') return io.send(reply, 200, secondStepPage(c, step.mfaToken, step.passkey), interaction);
  if (step.retryAfterSeconds) reply.header('retry-after', String(step.retryAfterSeconds));
  const [status, refusal] = step.refusal;
  return io.send(reply, status, again(c, refusal), interaction);
}
