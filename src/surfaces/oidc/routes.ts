import type { IncomingMessage } from 'node:http';
import { useCookies } from '../shared/html/cookies.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Interaction, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { Type } from 'typebox';
import type { Core } from '../../core/core.ts';
import { isGatehouseError } from '../../core/errors.ts';
import { SecondFactorRequired } from '../../core/second-factors/second-step.ts';
import { clientMeta } from '../shared/authentication.ts';
import { classifyError } from '../shared/classify-error.ts';
import { createCsrf } from '../shared/html/csrf.ts';
import { chooseLang, type Lang, requestLang } from '../shared/html/lang.ts';
import { PAGE_CSP } from '../shared/html/reply.ts';
import { PAGE_HEADERS } from '../shared/http-hardening.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { ACR_MFA, acrOf, demandsSecondFactor } from './acr.ts';
import { API_RESOURCE_PATH, ISSUER_PATH } from './issuer-path.ts';
import type { OidcPages } from './provider.ts';
import type { SigningKeySource } from './signing-keys.ts';
import { consentPage, logoutPage, messagePage, secondStepPage, signInPage, texts } from './views.ts';

const Uid = Type.Object({ uid: Type.String({ maxLength: 64 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const LoginForm = Type.Object({ csrf: Type.String({ maxLength: 128 }), login: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) });
const CsrfForm = Type.Object({ csrf: Type.String({ maxLength: 128 }) });
const SecondFactorForm = Type.Object({
  csrf: Type.String({ maxLength: 128 }),
  mfa_token: Type.String({ maxLength: 128 }),
  code: Type.String({ maxLength: 64 }),
});

/** What a finished core sign-in (password, or the second step) hands over. */
type SignedIn = Awaited<ReturnType<Core['secondFactors']['step']['verify']>>;

/** The core session a sign-in creates also carries an access token nobody sees; it lives this long. */
const UNUSED_ACCESS_TTL = 60;

/**
 * The pages' CSP, with the origins a form on this page may end up at: after
 * sign-in or consent the provider redirects the browser to the app, and
 * browsers hold that redirect to form-action.
 */
function cspAllowing(...urls: unknown[]): string {
  const origins = new Set<string>();
  for (const url of urls) {
    if (typeof url !== 'string') continue;
    try {
      origins.add(new URL(url).origin);
    } catch {}
  }
  return PAGE_CSP.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' '));
}

function htmlHeaders(csp: string): Record<string, string> {
  return { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' };
}

/** The provider's own pages (logout, logged out, errors) in the page kit's look. */
function providerPages(): OidcPages {
  const lang = (ctx: KoaContextWithOIDC): Lang => chooseLang(ctx.req.headers['accept-language'], undefined);
  const send = (ctx: KoaContextWithOIDC, body: string, csp = PAGE_CSP) => {
    for (const [name, value] of Object.entries(htmlHeaders(csp))) ctx.set(name, value);
    ctx.type = 'html';
    ctx.body = body;
  };
  return {
    async logout(ctx, form) {
      send(ctx, logoutPage(lang(ctx), form), cspAllowing(ctx.oidc.params?.post_logout_redirect_uri));
    },
    async loggedOut(ctx) {
      const t = texts(lang(ctx));
      send(ctx, messagePage(lang(ctx), 'ok', t.loggedOutTitle, t.loggedOutText));
    },
    async error(ctx, out) {
      const t = texts(lang(ctx));
      send(ctx, messagePage(lang(ctx), 'error', t.errorTitle, t.errorText, out.error));
    },
  };
}

/** One provider per core, shared by both listeners. */
const providers = new WeakMap<Core, Promise<Provider>>();

/**
 * The OpenID Connect provider under `/oidc`: the provider's own routes handed
 * the raw request (it reads its own bodies), and the interaction pages —
 * sign-in (the core login), consent — as ordinary page routes.
 */
export function oidcRoutes(keys: (core: Core) => SigningKeySource): FastifyPluginAsync<SurfaceOptions> {
  return async (fastify, { core, config, limits }) => {
    await useCookies(fastify);
    // Built at the first OpenID Connect request, not at start: a server nobody signs in to through
    // OpenID Connect makes no RS256, ES256 or EdDSA key (an HS256 installation's JWKS stays empty).
    const log = fastify.log;
    const getProvider = (): Promise<Provider> => {
      let built = providers.get(core);
      if (!built) {
        // oidc-provider (and Koa under it) is loaded here too: ~0.1 s of start-up and its memory only once it is used.
        built = import('./provider.ts')
          .then(({ buildProvider }) =>
            buildProvider(
              core,
              `${config.publicUrl}${ISSUER_PATH}`,
              `${config.publicUrl}${API_RESOURCE_PATH}`,
              keys(core),
              providerPages(),
              Boolean(config.trustProxy),
            ),
          )
          .then(({ provider }) => {
            // The provider's own unexpected failures reach the log once, never as a bare stack on stderr.
            provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'OpenID provider failure'));
            return provider;
          });
        // A failed build (storage down) is tried again by the next request.
        built.catch(() => providers.delete(core));
        providers.set(core, built);
      }
      return built;
    };
    const handlers = new WeakMap<Provider, ReturnType<Provider['callback']>>();
    // A rotation, here or on another instance (the key set is polled every 5 s), makes the next request build
    // the provider again with the new keys; its state (codes, sessions, cookie keys) lives in the store.
    core.signingKeys.onChange(() => providers.delete(core));

    // The provider's routes: no body parsing here (the provider parses its own), the raw request as it came.
    await fastify.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const forward = async (request: FastifyRequest, reply: FastifyReply) => {
        const provider = await getProvider();
        let handle = handlers.get(provider);
        if (!handle) {
          handle = provider.callback();
          handlers.set(provider, handle);
        }
        reply.hijack();
        const req = request.raw as IncomingMessage & { originalUrl?: string };
        req.originalUrl = req.url;
        req.url = (req.url ?? '').slice(ISSUER_PATH.length) || '/';
        handle(req, reply.raw);
      };
      raw.all(`${ISSUER_PATH}/*`, { schema: { hide: true } }, forward);
    });

    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const forms = createCsrf(config.publicUrl);
    const base = `${ISSUER_PATH}/interaction/:uid`;

    const failurePage = (request: FastifyRequest, reply: FastifyReply, status: number) => {
      const lang = requestLang(request);
      const t = texts(lang);
      return reply
        .code(status)
        .headers(htmlHeaders(PAGE_CSP))
        .send(messagePage(lang, 'error', t.errorTitle, t.errorText));
    };
    app.setErrorHandler((error, request, reply) => {
      const failure = classifyError(error);
      if (failure.kind === 'internal' && !(error instanceof Error && error.name === 'SessionNotFound')) request.log.error({ err: error }, 'unexpected failure');
      if (failure.kind === 'core' && failure.error.code === 'STORE_UNAVAILABLE') return failurePage(request, reply.header('retry-after', '1'), 503);
      return failurePage(request, reply, 400);
    });

    const details = async (request: FastifyRequest, reply: FastifyReply, uid: string) =>
      (await getProvider()).interactionDetails(request.raw, reply.raw).then((d) => {
        if (d.uid !== uid) throw Object.assign(new Error('interaction mismatch'), { name: 'SessionNotFound' });
        return d;
      });
    const appName = async (clientId: unknown) => (typeof clientId === 'string' ? ((await core.apps.find(clientId))?.name ?? clientId) : '');

    app.get(base, { schema: { hide: true, params: Uid, querystring: LangQuery } }, async (request, reply) => {
      const lang = requestLang(request);
      const interaction = await details(request, reply, request.params.uid);
      const csp = cspAllowing(interaction.params.redirect_uri);
      const common = { uid: interaction.uid, app: await appName(interaction.params.client_id), csrf: forms.issue(request, reply) };
      if (interaction.prompt.name === 'login') return reply.code(200).headers(htmlHeaders(csp)).send(signInPage(lang, common));
      const scopes = String(interaction.params.scope ?? 'openid').split(' ');
      return reply
        .code(200)
        .headers(htmlHeaders(csp))
        .send(consentPage(lang, { ...common, scopes }));
    });

    app.post(
      `${base}/login`,
      { schema: { hide: true, params: Uid, querystring: LangQuery, body: LoginForm }, preHandler: limits.perIp('login') },
      async (request, reply) => {
        const lang = requestLang(request);
        const t = texts(lang);
        const interaction = await details(request, reply, request.params.uid);
        const csp = cspAllowing(interaction.params.redirect_uri);
        const again = async (status: number, error: string) =>
          reply
            .code(status)
            .headers(htmlHeaders(csp))
            .send(
              signInPage(lang, {
                uid: interaction.uid,
                app: await appName(interaction.params.client_id),
                csrf: forms.issue(request, reply),
                login: request.body.login,
                error,
              }),
            );
        if (!forms.holds(request, request.body.csrf)) return again(403, t.formExpired);
        if (interaction.prompt.name !== 'login') return failurePage(request, reply, 400);
        let signedIn: Awaited<ReturnType<Core['login']['login']>>;
        try {
          // THE sign-in: the core login (lockout, rate limits, re-hash, REQUIRE_VERIFIED_EMAIL, disabled accounts).
          signedIn = await core.login.login({
            by: 'either',
            identifier: request.body.login,
            password: request.body.password,
            accessTtl: UNUSED_ACCESS_TTL,
            // A hosted sign-in has a second step: an enrolled account gets an mfa_token, never a session, here.
            askSecondFactor: true,
            hostedSignIn: true,
            ...clientMeta(request),
          });
        } catch (error) {
          if (error instanceof SecondFactorRequired && error.mfaToken)
            return reply
              .code(200)
              .headers(htmlHeaders(csp))
              .send(secondStepPage(lang, { uid: interaction.uid, csrf: forms.issue(request, reply), mfaToken: error.mfaToken }));
          if (!isGatehouseError(error)) throw error;
          const words: Partial<Record<string, string>> = {
            INVALID_CREDENTIALS: t.invalid,
            ACCOUNT_LOCKED: t.locked,
            USER_DISABLED: t.disabled,
            EMAIL_NOT_VERIFIED: t.unverified,
            RATE_LIMITED: t.tooMany,
            VALIDATION_FAILED: t.invalid,
          };
          const said = words[error.code];
          if (!said) throw error;
          return again(error.code === 'RATE_LIMITED' ? 429 : error.code === 'ACCOUNT_LOCKED' ? 423 : 401, said);
        }
        // An account MFA_REQUIRED covers, with no second factor yet, enrols on /account first: apps get nothing before.
        if (signedIn.enrolment) {
          await core.sessions.end(signedIn.session.id);
          return again(403, t.enrolFirst);
        }
        return finishSignIn(request, reply, interaction, signedIn);
      },
    );

    // The second step: the core checks the code against the mfa_token (tries, replay, lockout) and starts the session.
    app.post(
      `${base}/second-factor`,
      { schema: { hide: true, params: Uid, querystring: LangQuery, body: SecondFactorForm }, preHandler: limits.perIp('login') },
      async (request, reply) => {
        const lang = requestLang(request);
        const t = texts(lang);
        const interaction = await details(request, reply, request.params.uid);
        const csp = cspAllowing(interaction.params.redirect_uri);
        const { mfa_token: mfaToken, code } = request.body;
        const again = (status: number, error: string) =>
          reply
            .code(status)
            .headers(htmlHeaders(csp))
            .send(secondStepPage(lang, { uid: interaction.uid, csrf: forms.issue(request, reply), mfaToken, error }));
        if (!forms.holds(request, request.body.csrf)) return again(403, t.formExpired);
        if (interaction.prompt.name !== 'login') return failurePage(request, reply, 400);
        const typed = code.replace(/\s+/g, '');
        let signedIn: Awaited<ReturnType<Core['secondFactors']['step']['verify']>>;
        try {
          signedIn = await core.secondFactors.step.verify(mfaToken, typed, {
            accessTtl: UNUSED_ACCESS_TTL,
            ...clientMeta(request),
          });
        } catch (error) {
          if (!isGatehouseError(error)) throw error;
          if (error.code === 'MFA_CODE_INVALID') return again(401, t.wrongCode);
          const words: Partial<Record<string, string>> = {
            MFA_TOKEN_INVALID: t.restart,
            ACCOUNT_LOCKED: t.locked,
            USER_DISABLED: t.disabled,
            RATE_LIMITED: t.tooMany,
          };
          const said = words[error.code];
          if (!said) throw error;
          return reply
            .code(error.code === 'RATE_LIMITED' ? 429 : error.code === 'ACCOUNT_LOCKED' ? 423 : 401)
            .headers(htmlHeaders(csp))
            .send(messagePage(lang, 'error', t.errorTitle, said));
        }
        return finishSignIn(request, reply, interaction, signedIn);
      },
    );

    /**
     * Hands the signed-in account to the provider, bound to the core session (findAccount binds it), with how it
     * signed in: `amr` the core sign-in's, `acr` from it, and `ts` the core session's start (what `max_age` measures).
     * An app that demands the second factor (`acr_values`) from an account without one gets
     * `unmet_authentication_requirements`, and the core session just started ends.
     */
    async function finishSignIn(request: FastifyRequest, reply: FastifyReply, interaction: Interaction, signedIn: SignedIn) {
      const provider = await getProvider();
      const { user, session } = signedIn;
      // The core sign-in's amr rides on the session's first access token (a refresh copies it forward).
      const amr = [...(core.tokens.verify(signedIn.accessToken, 'access').amr ?? ['pwd'])];
      const acr = acrOf(amr);
      if (demandsSecondFactor(interaction.params.acr_values) && acr !== ACR_MFA) {
        await core.sessions.end(session.id);
        const returnTo = await provider.interactionResult(
          request.raw,
          reply.raw,
          { error: 'unmet_authentication_requirements', error_description: 'a sign-in with a second factor was asked for; this account has none' },
          { mergeWithLastSubmission: false },
        );
        return reply.redirect(returnTo, 303);
      }
      const returnTo = await provider.interactionResult(request.raw, reply.raw, {
        login: { accountId: user.uuid, acr, amr, ts: Math.floor(session.createdAt / 1000), remember: true },
        gatehouse: { sid: session.id, expiresAt: session.expiresAt },
      });
      await core.audit.record('oidc.signed_in', null, user.uuid);
      return reply.redirect(returnTo, 303);
    }

    app.post(`${base}/consent`, { schema: { hide: true, params: Uid, querystring: LangQuery, body: CsrfForm } }, async (request, reply) => {
      const interaction = await details(request, reply, request.params.uid);
      const provider = await getProvider();
      if (!forms.holds(request, request.body.csrf)) return failurePage(request, reply, 403);
      if (interaction.prompt.name !== 'consent' || !interaction.session) return failurePage(request, reply, 400);
      const promptDetails = interaction.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId: interaction.session.accountId, clientId: String(interaction.params.client_id) });
      if (!grant) return failurePage(request, reply, 400);
      if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
      if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      const returnTo = await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return reply.redirect(returnTo, 303);
    });

    app.post(`${base}/abort`, { schema: { hide: true, params: Uid, querystring: LangQuery, body: CsrfForm } }, async (request, reply) => {
      await details(request, reply, request.params.uid);
      const provider = await getProvider();
      if (!forms.holds(request, request.body.csrf)) return failurePage(request, reply, 403);
      const returnTo = await provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(returnTo, 303);
    });
  };
}
