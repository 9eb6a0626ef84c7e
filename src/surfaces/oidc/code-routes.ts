import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/core.ts';
import { COMMON } from '../../texts/common.ts';
import { requestLang } from '../shared/html/lang.ts';
import { sendPage } from '../shared/html/reply.ts';
import { mailedCodePage } from '../shared/html/sign-in/code-views.ts';
import { createCodeBrowser } from '../shared/html/sign-in/code-browser.ts';
import { SignInFlow } from '../shared/html/sign-in/flow.ts';
import { CSRF_REFUSAL } from '../shared/html/sign-in/refusals.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { ISSUER_PATH } from './issuer-path.ts';
import type { Interactions } from './interactions.ts';
import { answerStep } from './sign-in-routes.ts';
import { codeSignInPage, linkPage, signInPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Uid = Type.Object({ uid: field(64) });
const LangQuery = Type.Object({ lang: Type.Optional(field(8)) });
const LinkQuery = Type.Object({ lang: Type.Optional(field(8)), token: Type.Optional(field(128)) });
const Ask = Type.Object({ csrf: Type.Optional(field(128)), to: field(254) });
const Enter = Type.Object({ csrf: Type.Optional(field(128)), to: field(254), code: field(16) });
const Link = Type.Object({ csrf: Type.Optional(field(128)), token: field(128) });

/**
 * Signing in to an app with a code (the one sign-in flow's code steps), so an
 * app using Sign in with Gatehouse gets code sign-in with no work: ask for a
 * code, type it, or follow the mail's link back to this interaction — whose
 * GET spends nothing and whose button signs in only the browser that asked.
 */
export function oidcCodeRoutes(fastify: FastifyInstance, core: Core, io: Interactions, limits: RateLimits, publicUrl: string): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const flow = new SignInFlow(core);
  const browsers = createCodeBrowser(publicUrl);
  const seconds = Math.ceil(core.oneTimeCodes.settings.ttlMs / 1000);
  const base = `${ISSUER_PATH}/interaction/:uid`;
  const hide = { hide: true };

  app.get(`${base}/code`, { schema: { ...hide, params: Uid, querystring: LangQuery } }, async (request, reply) => {
    const interaction = await io.details(request, reply, request.params.uid);
    if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
    return io.send(reply, 200, codeSignInPage(await io.page(request, reply, interaction)), interaction);
  });

  app.post(
    `${base}/code/send`,
    { schema: { ...hide, params: Uid, querystring: LangQuery, body: Ask }, preHandler: limits.perIp('otp') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const { csrf, to } = request.body;
      if (!io.forms.holds(request, csrf))
        return io.send(reply, CSRF_REFUSAL[0], signInPage(await io.page(request, reply, interaction), CSRF_REFUSAL[1]), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      const browser = browsers.mark(request, reply, seconds);
      const linkTemplate = `${publicUrl}${ISSUER_PATH}/interaction/${encodeURIComponent(interaction.uid)}/code-link?token={token}&lang=${requestLang(request)}`;
      const asked = await flow.askCode(to, request.ip, { linkTemplate, browser });
      const c = await io.page(request, reply, interaction);
      if (asked.kind === 'sent') return io.send(reply, 200, codeSignInPage(c, { to: to.trim(), sent: true }), interaction);
      if (asked.retryAfterSeconds) reply.header('retry-after', String(asked.retryAfterSeconds));
      return io.send(reply, asked.refusal[0], codeSignInPage(c, { to, refusal: asked.refusal[1] }), interaction);
    },
  );

  app.post(
    `${base}/code/sign-in`,
    { schema: { ...hide, params: Uid, querystring: LangQuery, body: Enter }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const { csrf, to, code } = request.body;
      if (!io.forms.holds(request, csrf))
        return io.send(reply, CSRF_REFUSAL[0], signInPage(await io.page(request, reply, interaction), CSRF_REFUSAL[1]), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      const step = await flow.withCode(to, code, io.place(request));
      return answerStep(core, io, { request, reply, interaction }, step, (c, refusal) => codeSignInPage(c, { to, sent: true, refusal }));
    },
  );

  // Opened from the mail: read only (mail scanners open links too).
  app.get(`${base}/code-link`, { schema: { ...hide, params: Uid, querystring: LinkQuery } }, async (request, reply) => {
    const token = request.query.token ?? '';
    const interaction = await io.details(request, reply, request.params.uid).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'SessionNotFound') return null;
      throw error;
    });
    // Another browser (or a mail scanner): this sign-in does not exist there; the code, to type where it was asked for.
    if (!interaction) {
      const view = token ? await flow.linkView(token, undefined) : null;
      const lang = requestLang(request);
      return sendPage(reply, view ? 200 : 400, mailedCodePage(lang, COMMON[lang], view));
    }
    const view = token ? await flow.linkView(token, browsers.read(request)) : null;
    return io.send(reply, view ? 200 : 400, linkPage(await io.page(request, reply, interaction), token, view), interaction);
  });

  app.post(
    `${base}/code-link`,
    { schema: { ...hide, params: Uid, querystring: LangQuery, body: Link }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const interaction = await io.details(request, reply, request.params.uid);
      const { csrf, token } = request.body;
      if (!io.forms.holds(request, csrf))
        return io.send(reply, CSRF_REFUSAL[0], signInPage(await io.page(request, reply, interaction), CSRF_REFUSAL[1]), interaction);
      if (interaction.prompt.name !== 'login') return io.failure(request, reply, 400);
      const browser = browsers.read(request);
      const step = await flow.withLink(token, browser, io.place(request));
      const view = step.kind === 'refused' ? await flow.linkView(token, browser) : null;
      return answerStep(core, io, { request, reply, interaction }, step, (c, refusal) => linkPage(c, token, view, refusal));
    },
  );
}
