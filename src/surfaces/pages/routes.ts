import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { useCookies } from '../shared/html/cookies.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isGatehouseError } from '../../core/errors.ts';
import { classifyError } from '../shared/classify-error.ts';
import { COMMON } from '../../texts/common.ts';
import { PAGES } from '../../texts/pages.ts';
import { createCsrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { sendPage } from '../shared/html/reply.ts';
import { PAGE_REFUSALS } from '../shared/html/sign-in/refusals.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { home, message, type PagesPage, resetForm, verifyForm } from './views.ts';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 512 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const ResetForm = Type.Object({
  token: Type.String({ maxLength: 512 }),
  csrf: Type.String({ maxLength: 128 }),
  password: Type.String({ maxLength: 1024 }),
  confirm: Type.String({ maxLength: 1024 }),
});
const VerifyForm = Type.Object({ token: Type.String({ maxLength: 512 }), csrf: Type.String({ maxLength: 128 }) });

const lookup = (request: FastifyRequest): PagesPage => {
  const lang = requestLang(request);
  return { lang, t: PAGES[lang], common: COMMON[lang] };
};

/** A failure as a page: the core's code decides the status and the words (the pages' one table), never a stack trace. */
function failurePage(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const c = lookup(request);
  const failure = classifyError(error);
  if (failure.kind === 'validation' || failure.kind === 'malformed-body' || failure.kind === 'http')
    return sendPage(reply, 400, message(c, 'error', c.t.linkInvalid, c.t.linkInvalidText));
  if (failure.kind === 'internal') request.log.error({ err: error }, 'unexpected failure');
  const [status, refusal] = failure.kind === 'core' ? PAGE_REFUSALS[failure.error.code] : ([500, 'failed'] as const);
  if (status === 503) reply.header('retry-after', '1');
  return sendPage(reply, status, message(c, 'error', c.t.failedTitle, c.common.refusals[refusal]));
}

/**
 * The pages behind every link Gatehouse mails, and `/`: server-rendered HTML
 * that works without JavaScript. A GET never spends a token (mail scanners open
 * links first); only the form's POST does, guarded against cross-site forgery.
 */
export const pageRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits, style }) => {
  await useCookies(fastify);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler((error, request, reply) => failurePage(request, reply, error));
  const forms = createCsrf(config.publicUrl);
  const hidden = { hide: true };

  app.get('/', { schema: { ...hidden, querystring: LangQuery } }, async (request, reply) => {
    return sendPage(reply, 200, home(lookup(request), style));
  });

  app.get('/reset-password', { schema: { ...hidden, querystring: TokenQuery } }, async (request, reply) => {
    const c = lookup(request);
    const token = request.query.token;
    // A used or expired link says so at once, not after the password was typed twice; checking spends nothing.
    if (!token || !(await core.resets.isUsable(token))) return sendPage(reply, 400, message(c, 'error', c.t.linkInvalid, c.t.linkInvalidText));
    return sendPage(reply, 200, resetForm(c, { token, csrf: forms.issue(request, reply) }));
  });

  app.post('/reset-password', { schema: { ...hidden, body: ResetForm, querystring: LangQuery }, preHandler: limits.perIp('reset') }, async (request, reply) => {
    const c = lookup(request);
    const { t } = c;
    const { token, password, confirm, csrf } = request.body;
    if (!forms.holds(request, csrf)) return sendPage(reply, 403, message(c, 'error', t.failedTitle, c.common.refusals.formExpired));
    const again = (error: string) => sendPage(reply, 400, resetForm(c, { token, csrf: forms.issue(request, reply), error }));
    if (password !== confirm) return again(t.mismatch);
    try {
      await core.resets.reset(token, password);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'VALIDATION_FAILED') return again(password.length < 8 ? t.tooShort : t.tooLong);
      if (isGatehouseError(error) && error.code === 'RESET_TOKEN_INVALID') return sendPage(reply, 400, message(c, 'error', t.linkInvalid, t.linkInvalidText));
      throw error;
    }
    return sendPage(reply, 200, message(c, 'ok', t.resetDone, t.resetDoneText));
  });

  app.get('/verify-email', { schema: { ...hidden, querystring: TokenQuery } }, async (request, reply) => {
    const c = lookup(request);
    const token = request.query.token;
    if (!token) return sendPage(reply, 400, message(c, 'error', c.t.linkInvalid, c.t.linkInvalidText));
    return sendPage(reply, 200, verifyForm(c, { token, csrf: forms.issue(request, reply) }));
  });

  app.post('/verify-email', { schema: { ...hidden, body: VerifyForm, querystring: LangQuery }, preHandler: limits.perIp('reset') }, async (request, reply) => {
    const c = lookup(request);
    const { t } = c;
    if (!forms.holds(request, request.body.csrf)) return sendPage(reply, 403, message(c, 'error', t.failedTitle, c.common.refusals.formExpired));
    try {
      await core.verification.confirmToken(request.body.token);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'VERIFICATION_INVALID') return sendPage(reply, 400, message(c, 'error', t.linkInvalid, t.linkInvalidText));
      throw error;
    }
    return sendPage(reply, 200, message(c, 'ok', t.verifyDone, t.verifyDoneText));
  });
};
