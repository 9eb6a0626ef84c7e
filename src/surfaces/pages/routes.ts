import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { useCookies } from '../shared/html/cookies.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isGatehouseError } from '../../core/errors.ts';
import { classifyError } from '../shared/classify-error.ts';
import { createCsrf } from '../shared/html/csrf.ts';
import { type Lang, requestLang } from '../shared/html/lang.ts';
import { html } from '../shared/html/reply.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { TEXT, type Texts } from './i18n.ts';
import { home, message, resetForm, verifyForm } from './views.ts';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 512 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const ResetForm = Type.Object({
  token: Type.String({ maxLength: 512 }),
  csrf: Type.String({ maxLength: 128 }),
  password: Type.String({ maxLength: 1024 }),
  confirm: Type.String({ maxLength: 1024 }),
});
const VerifyForm = Type.Object({ token: Type.String({ maxLength: 512 }), csrf: Type.String({ maxLength: 128 }) });

type Lookup = { lang: Lang; t: Texts };
const lookup = (request: FastifyRequest): Lookup => {
  const lang = requestLang(request);
  return { lang, t: TEXT[lang] };
};

/** A failure as a page: the core's code decides the words, never a stack trace. */
function failurePage(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const { lang, t } = lookup(request);
  const failure = classifyError(error);
  const code = failure.kind === 'core' ? failure.error.code : undefined;
  if (code === 'RATE_LIMITED') return html(reply, 429, message(t, lang, 'error', t.tooMany, t.tooManyText));
  if (code === 'STORE_UNAVAILABLE') return html(reply.header('retry-after', '1'), 503, message(t, lang, 'error', t.unavailable, t.unavailableText));
  if (failure.kind === 'validation' || failure.kind === 'malformed-body' || failure.kind === 'http')
    return html(reply, 400, message(t, lang, 'error', t.linkInvalid, t.linkInvalidText));
  if (failure.kind === 'internal') request.log.error({ err: error }, 'unexpected failure');
  return html(reply, failure.kind === 'internal' ? 500 : 400, message(t, lang, 'error', t.failed, t.failedText));
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
    const { lang, t } = lookup(request);
    return html(reply, 200, home(t, lang, style));
  });

  app.get('/reset-password', { schema: { ...hidden, querystring: TokenQuery } }, async (request, reply) => {
    const { lang, t } = lookup(request);
    const token = request.query.token;
    // A used or expired link says so at once, not after the password was typed twice; checking spends nothing.
    if (!token || !(await core.resets.isUsable(token))) return html(reply, 400, message(t, lang, 'error', t.linkInvalid, t.linkInvalidText));
    return html(reply, 200, resetForm(t, lang, { token, csrf: forms.issue(request, reply) }));
  });

  app.post('/reset-password', { schema: { ...hidden, body: ResetForm, querystring: LangQuery }, preHandler: limits.perIp('reset') }, async (request, reply) => {
    const { lang, t } = lookup(request);
    const { token, password, confirm, csrf } = request.body;
    if (!forms.holds(request, csrf)) return html(reply, 403, message(t, lang, 'error', t.formExpired, t.formExpiredText));
    const again = (error: string) => html(reply, 400, resetForm(t, lang, { token, csrf: forms.issue(request, reply), error }));
    if (password !== confirm) return again(t.mismatch);
    try {
      await core.resets.reset(token, password);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'VALIDATION_FAILED') return again(password.length < 8 ? t.tooShort : t.tooLong);
      if (isGatehouseError(error) && error.code === 'RESET_TOKEN_INVALID') return html(reply, 400, message(t, lang, 'error', t.linkInvalid, t.linkInvalidText));
      throw error;
    }
    return html(reply, 200, message(t, lang, 'ok', t.resetDone, t.resetDoneText));
  });

  app.get('/verify-email', { schema: { ...hidden, querystring: TokenQuery } }, async (request, reply) => {
    const { lang, t } = lookup(request);
    const token = request.query.token;
    if (!token) return html(reply, 400, message(t, lang, 'error', t.linkInvalid, t.linkInvalidText));
    return html(reply, 200, verifyForm(t, lang, { token, csrf: forms.issue(request, reply) }));
  });

  app.post('/verify-email', { schema: { ...hidden, body: VerifyForm, querystring: LangQuery }, preHandler: limits.perIp('reset') }, async (request, reply) => {
    const { lang, t } = lookup(request);
    if (!forms.holds(request, request.body.csrf)) return html(reply, 403, message(t, lang, 'error', t.formExpired, t.formExpiredText));
    try {
      await core.verification.confirmToken(request.body.token);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'VERIFICATION_INVALID')
        return html(reply, 400, message(t, lang, 'error', t.linkInvalid, t.linkInvalidText));
      throw error;
    }
    return html(reply, 200, message(t, lang, 'ok', t.verifyDone, t.verifyDoneText));
  });
};
