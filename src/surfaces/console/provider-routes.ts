import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Static } from 'typebox';
import { isGatehouseError } from '../../core/errors.ts';
import type { ConsolePluginOptions } from './context.ts';
import type { ConsolePage } from './layout.ts';
import { type ProviderFormValues, providerPage, providersPage } from './provider-views.ts';
import { DoneQuery, ProviderForm, ProviderParams } from './schemas.ts';

type Form = Static<typeof ProviderForm>;

/** A textarea's lines, trimmed, the empty ones dropped. */
const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** What a refused form is drawn again with: never the client secret nor the private key. */
const keptValues = (body: Form): ProviderFormValues => ({
  kind: body.kind ?? 'oidc',
  id: body.id ?? '',
  name: body.name ?? '',
  issuer: body.issuer ?? '',
  clientId: body.client_id ?? '',
  teamId: body.team_id ?? '',
  keyId: body.key_id ?? '',
  audiences: body.audiences ?? '',
  domains: body.domains ?? '',
  signup: body.signup !== undefined,
  trustMfa: body.trust_mfa !== undefined,
});

/**
 * The upstream identity providers people sign in with (docs/identity-providers.md),
 * behind the staff guard, for superusers only: the list with each callback
 * URL to register, a form that adds one, and one provider's page with its
 * removal (the id typed). Through the core's staff service, the same rights
 * as the admin API's and the CLI's, audited with the superuser. The client
 * secret and Apple's private key go in once, by POST, and are never shown.
 */
export const consoleProviderRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };
  const done = (c: ConsolePage, what: string | undefined) => (what === 'removed' ? c.t.providerTexts.removed : undefined);

  app.get('/admin/providers', { schema: { ...hide, querystring: DoneQuery } }, async (request, reply) => {
    const providers = await core.staff.providers(request.caller.user);
    const c = context.page(request, reply, request.caller);
    return send(reply, 200, providersPage(c, providers, { done: done(c, request.query.done) }));
  });

  app.post('/admin/providers', { schema: { ...hide, querystring: DoneQuery, body: ProviderForm } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const { body } = request;
    const audiences = lines(body.audiences);
    const domains = lines(body.domains);
    try {
      const kind = body.kind ?? '';
      const added = await core.staff.addProvider(actor, {
        id: (body.id ?? '').trim(),
        kind,
        name: body.name ?? '',
        issuer: (body.issuer ?? '').trim(),
        clientId: body.client_id ?? '',
        clientSecret: body.client_secret || null,
        audiences,
        signup: body.signup !== undefined,
        domains,
        trustMfa: body.trust_mfa !== undefined,
        apple: kind === 'apple' ? { teamId: body.team_id ?? '', keyId: body.key_id ?? '', privateKey: body.private_key ?? '' } : undefined,
      });
      return context.redirect(request, reply, `/admin/providers/${added.id}`, { done: 'added' });
    } catch (error) {
      // A bad id, a missing client id, Apple's key not a P-256 PEM: the form again, the core's reason beside it.
      if (!isGatehouseError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      const c = context.page(request, reply, request.caller);
      const reason = error.field === 'audiences' || error.field === 'domains' ? c.t.providerTexts.tooMany : error.message;
      const refused = { text: `${c.common.refusals.badInput} ${reason}`, field: error.field, values: keptValues(body) };
      return send(reply, 400, providersPage(c, await core.staff.providers(actor), { refused }));
    }
  });

  app.get('/admin/providers/:id', { schema: { ...hide, params: ProviderParams, querystring: DoneQuery } }, async (request, reply) => {
    const provider = await core.staff.provider(request.caller.user, request.params.id);
    const c = context.page(request, reply, request.caller);
    // The notice after adding names the callback URL to register at the provider.
    return send(reply, 200, providerPage(c, provider, request.query.done === 'added' ? c.t.providerTexts.added(provider.redirectUri) : undefined));
  });

  app.post(
    '/admin/providers/:id/remove',
    { schema: { ...hide, params: ProviderParams, querystring: DoneQuery, body: ProviderForm } },
    async (request, reply) => {
      const { user: actor } = request.caller;
      await core.staff.removeProvider(actor, request.params.id, request.body.confirm ?? '');
      return context.redirect(request, reply, '/admin/providers', { done: 'removed' });
    },
  );
};
