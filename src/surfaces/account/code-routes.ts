import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { requestLang } from '../shared/html/lang.ts';
import { createCodeBrowser } from '../shared/html/sign-in/code-browser.ts';
import { SignInFlow } from '../shared/html/sign-in/flow.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { AccountContext } from './context.ts';
import { answerStep } from './sign-in-routes.ts';
import { codeSignInPage, linkPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({ lang: Type.Optional(field(8)) });
const LinkQuery = Type.Object({ lang: Type.Optional(field(8)), token: Type.Optional(field(128)) });
const Ask = Type.Object({ csrf: Type.Optional(field(128)), to: field(254) });
const Enter = Type.Object({ csrf: Type.Optional(field(128)), to: field(254), code: field(16) });
const Link = Type.Object({ csrf: Type.Optional(field(128)), token: field(128) });

/**
 * Signing in on /account with a code texted or mailed (the one sign-in flow's
 * code steps): ask for it, type it in, or follow the mail's link — whose page
 * (GET) spends nothing and whose button (POST) signs in only the browser that
 * asked for the code (a cookie set when it asked); anywhere else the page
 * shows the code to type where it was asked for.
 */
export function accountCodeRoutes(fastify: FastifyInstance, context: AccountContext, config: Config, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { forms, page, send } = context;
  const flow = new SignInFlow(context.core);
  const browsers = createCodeBrowser(config.publicUrl);
  const seconds = Math.ceil(context.core.oneTimeCodes.settings.ttlMs / 1000);
  const hide = { hide: true };

  app.get('/account/code', { schema: { ...hide, querystring: Lang } }, async (request, reply) => send(reply, 200, codeSignInPage(page(request, reply))));

  app.post('/account/code/send', { schema: { ...hide, body: Ask, querystring: Lang }, preHandler: limits.perIp('otp') }, async (request, reply) => {
    const { csrf, to } = request.body;
    if (!forms.holds(request, csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    const browser = browsers.mark(request, reply, seconds);
    const linkTemplate = `${config.publicUrl}/account/code-link?token={token}&lang=${requestLang(request)}`;
    const asked = await flow.askCode(to, request.ip, { linkTemplate, browser });
    const c = page(request, reply);
    if (asked.kind === 'sent') return send(reply, 200, codeSignInPage(c, { to: to.trim(), sent: true }));
    if (asked.retryAfterSeconds) reply.header('retry-after', String(asked.retryAfterSeconds));
    return send(reply, asked.refusal[0], codeSignInPage(c, { to, refusal: asked.refusal[1] }));
  });

  app.post('/account/code/sign-in', { schema: { ...hide, body: Enter, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { csrf, to, code } = request.body;
    if (!forms.holds(request, csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    const step = await flow.withCode(to, code, context.place(request));
    return answerStep(context, request, reply, step, (c, refusal) => codeSignInPage(c, { to, sent: true, refusal }));
  });

  // Opened from the mail: read only (mail scanners open links too).
  app.get('/account/code-link', { schema: { ...hide, querystring: LinkQuery } }, async (request, reply) => {
    const token = request.query.token ?? '';
    const view = token ? await flow.linkView(token, browsers.read(request)) : null;
    return send(reply, view ? 200 : 400, linkPage(page(request, reply), token, view));
  });

  app.post('/account/code-link', { schema: { ...hide, body: Link, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const { csrf, token } = request.body;
    if (!forms.holds(request, csrf)) return context.refuse(request, reply, CSRF_REFUSAL[0], CSRF_REFUSAL[1]);
    const browser = browsers.read(request);
    const step = await flow.withLink(token, browser, context.place(request));
    // Refused (another browser, used, expired): the page as it now reads, with the refusal where the button was.
    const view = step.kind === 'refused' ? await flow.linkView(token, browser) : null;
    return answerStep(context, request, reply, step, (c, refusal) => linkPage(c, token, view, refusal));
  });
}
