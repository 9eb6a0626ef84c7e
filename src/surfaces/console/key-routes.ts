import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { staffMay } from '../../core/staff.ts';
import { appDone } from './app-routes.ts';
import type { ConsolePluginOptions } from './context.ts';
import { keysPage } from './key-views.ts';
import { CsrfForm, DoneQuery } from './schemas.ts';

/** The signing keys (behind the staff guard): staff read them, superusers rotate them. */
export const consoleKeyRoutes: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, { context }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core } = context;

  app.get('/admin/keys', { schema: { hide: true, querystring: DoneQuery } }, async (request, reply) => {
    const { user: actor } = request.caller;
    const c = context.page(request, reply, request.caller);
    return context.send(reply, 200, keysPage(c, await core.staff.keys(actor), staffMay(actor, 'rotate-keys'), appDone(c.t, request.query.done)));
  });

  app.post('/admin/keys/rotate', { schema: { hide: true, querystring: DoneQuery, body: CsrfForm } }, async (request, reply) => {
    await core.staff.rotateKeys(request.caller.user);
    return context.redirect(request, reply, '/admin/keys', { done: 'rotated' });
  });
};
