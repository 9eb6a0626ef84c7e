import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction, Provider } from 'oidc-provider';
import type { Core } from '../../core/core.ts';
import type { Grant } from '../../core/sessions.ts';
import type { User } from '../../core/ports/user-store.ts';
import { COMMON } from '../../texts/common.ts';
import { OIDC } from '../../texts/oidc.ts';
import { clientMeta } from '../shared/authentication.ts';
import { createCsrf, type Csrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { sendPage } from '../shared/html/reply.ts';
import type { SignInPlace } from '../shared/html/sign-in/flow.ts';
import { createUpstreamSignIn, type UpstreamSignIn } from '../shared/html/sign-in/upstream.ts';
import type { Html } from '../shared/html/template.ts';
import { ACR_MFA, acrOf, demandsSecondFactor } from './acr.ts';
import { cspAllowing } from './provider-pages.ts';
import { messagePage, type OidcPage } from './views.ts';

/** The core session a sign-in here creates also carries an access token nobody sees; it lives this long. */
const UNUSED_ACCESS_TTL = 60;

/** What the interaction routes (sign-in, consent) share: the provider, the interaction, and how a page is drawn. */
export interface Interactions {
  forms: Csrf;
  /** Signing in with upstream identity providers: the browser's cookies, the step, the pending link. */
  upstream: UpstreamSignIn;
  provider(): Promise<Provider>;
  /** The interaction this request continues, which must be the one its URL names. */
  details(request: FastifyRequest, reply: FastifyReply, uid: string): Promise<Interaction>;
  page(request: FastifyRequest, reply: FastifyReply, interaction: Interaction): Promise<OidcPage>;
  /** A page whose forms may end at the app (its redirect URI's origin in form-action). */
  send(reply: FastifyReply, status: number, body: Html, interaction: Interaction): FastifyReply;
  failure(request: FastifyRequest, reply: FastifyReply, status: number): FastifyReply;
  place(request: FastifyRequest): SignInPlace;
  /** Hands a finished core sign-in to the provider; returns where the browser goes next. */
  finish(request: FastifyRequest, reply: FastifyReply, interaction: Interaction, signedIn: Grant & { user: User }): Promise<string>;
}

export function interactions(core: Core, publicUrl: string, provider: () => Promise<Provider>): Interactions {
  const forms = createCsrf(publicUrl);
  const appName = async (clientId: unknown) => (typeof clientId === 'string' ? ((await core.apps.find(clientId))?.name ?? clientId) : '');
  return {
    forms,
    upstream: createUpstreamSignIn(core, publicUrl),
    provider,
    details: async (request, reply, uid) => {
      const found = await (await provider()).interactionDetails(request.raw, reply.raw);
      if (found.uid !== uid) throw Object.assign(new Error('interaction mismatch'), { name: 'SessionNotFound' });
      return found;
    },
    page: async (request, reply, interaction) => {
      const lang = requestLang(request);
      return {
        lang,
        t: OIDC[lang],
        common: COMMON[lang],
        csrf: forms.issue(request, reply),
        uid: interaction.uid,
        app: await appName(interaction.params.client_id),
        providers: core.identities.buttons(),
      };
    },
    send: (reply, status, body, interaction) => sendPage(reply, status, body, cspAllowing(interaction.params.redirect_uri)),
    failure: (request, reply, status) => {
      const lang = requestLang(request);
      return sendPage(reply, status, messagePage(lang, 'error', OIDC[lang].errorTitle, OIDC[lang].errorText));
    },
    place: (request) => ({ start: { accessTtl: UNUSED_ACCESS_TTL, ...clientMeta(request) }, hosted: true }),
    /**
     * Hands the signed-in account to the provider, bound to the core session (findAccount binds it), with how it
     * signed in: `amr` the core sign-in's, `acr` from it, and `ts` the core session's start (what `max_age`
     * measures). An app that demands the second factor (`acr_values`) from an account without one gets
     * `unmet_authentication_requirements`, and the core session just started ends.
     */
    finish: async (request, reply, interaction, signedIn) => {
      const oidc = await provider();
      const { user, session } = signedIn;
      // The core sign-in's amr rides on the session's first access token (a refresh copies it forward).
      const amr = [...(core.tokens.verify(signedIn.accessToken, 'access').amr ?? ['pwd'])];
      const acr = acrOf(amr);
      if (demandsSecondFactor(interaction.params.acr_values) && acr !== ACR_MFA) {
        await core.sessions.end(session.id);
        return oidc.interactionResult(
          request.raw,
          reply.raw,
          { error: 'unmet_authentication_requirements', error_description: 'a sign-in with a second factor was asked for; this account has none' },
          { mergeWithLastSubmission: false },
        );
      }
      const returnTo = await oidc.interactionResult(request.raw, reply.raw, {
        login: { accountId: user.uuid, acr, amr, ts: Math.floor(session.createdAt / 1000), remember: true },
        gatehouse: { sid: session.id, expiresAt: session.expiresAt },
      });
      await core.audit.record('oidc.signed_in', null, user.uuid);
      return returnTo;
    },
  };
}
