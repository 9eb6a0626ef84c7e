import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ISSUER_PATH } from './issuer-path.ts';
import type { Interactions } from './interactions.ts';

const Uid = Type.Object({ uid: Type.String({ maxLength: 64 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const CsrfForm = Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 128 })) });

/** Consent (the app asks for these scopes: allow) and going back to the app without signing in (access_denied). */
export function oidcConsentRoutes(fastify: FastifyInstance, io: Interactions): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = `${ISSUER_PATH}/interaction/:uid`;
  const schema = { hide: true, params: Uid, querystring: LangQuery, body: CsrfForm };

  app.post(`${base}/consent`, { schema }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    const provider = await io.provider();
    if (!io.forms.holds(request, request.body.csrf)) return io.failure(request, reply, 403);
    if (interaction.prompt.name !== 'consent' || !interaction.session) return io.failure(request, reply, 400);
    const promptDetails = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId: interaction.session.accountId, clientId: String(interaction.params.client_id) });
    if (!grant) return io.failure(request, reply, 400);
    if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
    if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const returnTo = await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply.redirect(returnTo, 303);
  });

  app.post(`${base}/abort`, { schema }, async (request, reply) => {
    await io.details(request, reply, request.params.uid);
    const provider = await io.provider();
    if (!io.forms.holds(request, request.body.csrf)) return io.failure(request, reply, 403);
    const returnTo = await provider.interactionResult(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(returnTo, 303);
  });
}
