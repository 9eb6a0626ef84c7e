import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { IdTokenAlg } from '../../core/ports/app-store.ts';
import { staffMay } from '../../core/staff.ts';
import type { ConsoleTexts } from '../../texts/console.ts';
import { PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import { appPage, appsPage } from './app-views.ts';
import type { ConsolePluginOptions } from './context.ts';
import { AppActionParams, AppForm, AppParams, DoneQuery } from './schemas.ts';

/** The redirect URIs of a textarea: one a line, blanks dropped. */
const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The notice a redirect after a change to apps or keys names (`?done=`). */
export const appDone = (t: ConsoleTexts, done: string | undefined) =>
  done && Object.hasOwn(t.appDone, done) ? t.appDone[done as keyof ConsoleTexts['appDone']] : undefined;

/**
 * Apps, the OpenID Connect clients (behind the staff guard): staff read them,
 * superusers add, change and remove them — through the core's staff service,
 * the same rights as the admin API's.
 */
export const consoleAppRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, send } = context;
  const hide = { hide: true };

  app.get('/admin/apps', { schema: { ...hide, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    return send(reply, 200, appsPage(c, await core.staff.apps(actor), staffMay(actor, 'manage-apps'), appDone(c.t, request.query.done)));
  });

  app.post('/admin/apps', { schema: { ...hide, querystring: DoneQuery, body: AppForm } }, async (request, reply) => {
    const { body } = request;
    const { app: made, secret } = await core.staff.addApp(request.caller.user, {
      name: body.name ?? '',
      redirectUris: lines(body.redirect_uris),
      isPublic: body.public === '1',
      // The core refuses an algorithm not on its list (VALIDATION_FAILED).
      idTokenAlg: (body.id_token_alg ?? 'RS256') as IdTokenAlg,
    });
    // The secret is in this answer and nowhere else (not in a URL): no redirect.
    const c = context.page(request, reply, request.caller);
    return send(reply, 201, appPage(c, made, { mayManage: true, done: c.t.appAdded, secret }));
  });

  app.get('/admin/apps/:clientId', { schema: { ...hide, params: AppParams, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    const found = await core.staff.app(actor, request.params.clientId);
    return send(reply, 200, appPage(c, found, { mayManage: staffMay(actor, 'manage-apps'), done: appDone(c.t, request.query.done) }));
  });

  app.post('/admin/apps/:clientId/:action', { schema: { ...hide, params: AppActionParams, querystring: DoneQuery, body: AppForm } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const { clientId, action } = request.params;
    if (action === 'redirect-uris') {
      await core.staff.setRedirectUris(actor, clientId, lines(request.body.redirect_uris));
      return context.redirect(request, reply, `/admin/apps/${clientId}`, { done: 'redirect-uris' });
    }
    if (action === 'rotate-secret') {
      const secret = await core.staff.rotateAppSecret(actor, clientId);
      const c = context.page(request, reply, request.caller);
      return send(reply, 200, appPage(c, await core.staff.app(actor, clientId), { mayManage: true, secret }));
    }
    if (action === 'remove') {
      await core.staff.removeApp(actor, clientId, request.body.confirm ?? '');
      return context.redirect(request, reply, '/admin/apps', { done: 'removed' });
    }
    return context.refuse(request, reply, PAGE_REFUSALS.NOT_FOUND, request.caller);
  });
};
