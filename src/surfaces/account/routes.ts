import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type ErrorCode, isGatehouseError } from '../../core/errors.ts';
import { SecondFactorRequired } from '../../core/second-factors/second-step.ts';
import type { TotpSetup } from '../../core/second-factors/totp.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Caller } from '../../core/sessions.ts';
import { clientMeta } from '../shared/authentication.ts';
import { classifyError } from '../shared/classify-error.ts';
import { createCsrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { createPageSession, PAGE_SESSION_SECONDS } from '../shared/html/page-session.ts';
import { html } from '../shared/html/reply.ts';
import { qrSvg } from '../shared/qr-svg.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { TEXT, type Texts } from './i18n.ts';
import { dashboardPage, type FormContext, recoveryCodesPage, secondStepPage, signInPage, totpSetupPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })), done: Type.Optional(Type.String({ maxLength: 32 })) });
const Csrf = Type.Object({ csrf: field(128) });
const SignIn = Type.Object({ csrf: field(128), login: field(254), password: field(1024) });
const SecondStep = Type.Object({ csrf: field(128), mfa_token: field(256), code: Type.Optional(field(16)), recovery_code: Type.Optional(field(64)) });
const Code = Type.Object({ csrf: field(128), code: field(16) });
/** A change to how the account is protected: the fresh proof core/second-factors/step-up.ts asks for. */
const StepUp = Type.Object({ csrf: field(128), password: Type.Optional(field(1024)), code: Type.Optional(field(64)) });
const ChangePassword = Type.Object({ csrf: field(128), old_password: field(1024), new_password: field(1024), code: Type.Optional(field(64)) });
const EndSession = Type.Object({ csrf: field(128), id: field(64) });
const RemovePasskey = Type.Object({ csrf: field(128), id: field(1024), password: Type.Optional(field(1024)), code: Type.Optional(field(64)) });
const Credential = Type.Object({ id: field(1024) }, { additionalProperties: true });
const PasskeyJson = Type.Object({
  csrf: field(128),
  ceremony_id: Type.Optional(field(128)),
  credential: Type.Optional(Credential),
  name: Type.Optional(field(64)),
  mfa_token: Type.Optional(field(256)),
  password: Type.Optional(field(1024)),
  code: Type.Optional(field(64)),
});

/** The notices a redirect after a change names (`?done=`), so a reload repeats nothing. */
const NOTICES = {
  password: 'passwordChanged',
  totp: 'totpEnabled',
  removed: 'totpRemoved',
  session: 'sessionEnded',
  passkeyRemoved: 'passkeyRemoved',
} as const satisfies Record<string, keyof Texts>;

/** Core failures a form shows in words, beside the form. */
function sentence(t: Texts, code: ErrorCode): string | undefined {
  const words: Partial<Record<ErrorCode, string>> = {
    INVALID_CREDENTIALS: t.wrongCredentials,
    ACCOUNT_LOCKED: t.locked,
    USER_DISABLED: t.disabled,
    MFA_CODE_INVALID: t.wrongCode,
    MFA_TOKEN_INVALID: t.stepExpired,
    PASSWORD_INCORRECT: t.wrongPassword,
    VALIDATION_FAILED: t.tooShort,
    RATE_LIMITED: t.tooMany,
    STEP_UP_REQUIRED: t.stepUpNeeded,
    LAST_FACTOR_REQUIRED: t.lastFactor,
  };
  return words[code];
}

/**
 * `/account`: the self-service page. Sign in (password, then the second factor),
 * the profile, two-step verification (TOTP with its QR code, recovery codes),
 * devices, the password, sign out. Server-rendered; every form carries a CSRF
 * token; the signed-in cookie is a core session (shared/html/page-session.ts).
 */
export const accountRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const forms = createCsrf(config.publicUrl);
  const signedIn = createPageSession(core, config.publicUrl);
  const hide = { hide: true };

  const context = (request: FastifyRequest, reply: FastifyReply): FormContext => {
    const lang = requestLang(request);
    return { lang, t: TEXT[lang], csrf: forms.issue(request, reply) };
  };

  app.setErrorHandler((error, request, reply) => {
    const c = context(request, reply);
    const failure = classifyError(error);
    if (failure.kind === 'core' && failure.error.code === 'STORE_UNAVAILABLE')
      return html(reply.header('retry-after', '1'), 503, signInPage(c, c.t.unavailable));
    if (failure.kind === 'core' && failure.error.code === 'RATE_LIMITED') return html(reply, 429, signInPage(c, c.t.tooMany));
    if (failure.kind === 'internal') request.log.error({ err: error }, 'unexpected failure');
    return html(reply, failure.kind === 'internal' ? 500 : 400, signInPage(c, failure.kind === 'internal' ? c.t.failed : c.t.formExpired));
  });

  const dashboard = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, status: number, notice?: string, error?: string) => {
    const [factors, sessions] = await Promise.all([core.secondFactors.status(caller.user.id), core.sessions.listForUser(caller.user.id)]);
    return html(
      reply,
      status,
      dashboardPage(context(request, reply), { user: caller.user, factors, sessions, currentSessionId: caller.session.id, notice, error }),
    );
  };

  /** MFA_REQUIRED covers the account and it has no second factor yet: enrolment comes before anything else. */
  const mustEnrol = async (caller: Caller) => core.secondFactors.mustEnrol(caller.user) && (await core.secondFactors.methods(caller.user.id)).length === 0;
  const enrolling = (caller: Caller) => caller.claims.type === 'enrolment';
  const setupPage = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, setup: TotpSetup, status: number, error?: string) => {
    const c = context(request, reply);
    return html(reply, status, totpSetupPage(c, { ...setup, qrSvg: await qrSvg(setup.otpauthUri) }, error, enrolling(caller) ? c.t.mustEnrol : undefined));
  };
  /** An enrolment session's page: the set-up it began (while it may be confirmed), else a new one (the session is its proof). */
  const enrolmentPage = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, status = 200, error?: string) =>
    setupPage(request, reply, caller, (await core.secondFactors.totp.pending(caller.user)) ?? (await core.secondFactors.totp.begin(caller, {})), status, error);

  /**
   * A signed-in form: CSRF checked, the caller known (otherwise the sign-in page). An enrolment session
   * reaches only the routes that set up its first factor; a normal session of an account MFA_REQUIRED
   * covers without a factor (signed in before the rule, or reset since) signs in again to enrol.
   */
  const guarded =
    <B extends { csrf: string }>(
      handle: (request: FastifyRequest<{ Body: B }>, reply: FastifyReply, caller: Caller) => Promise<unknown>,
      options: { whileEnrolling?: boolean } = {},
    ) =>
    async (request: FastifyRequest<{ Body: B }>, reply: FastifyReply) => {
      const c = context(request, reply);
      if (!forms.holds(request, (request.body as B).csrf)) return html(reply, 403, signInPage(c, c.t.formExpired));
      const caller = await signedIn.read(request, { enrolment: true });
      if (!caller) return html(reply, 401, signInPage(c));
      if (enrolling(caller) && !options.whileEnrolling) return back(request, reply);
      if (!enrolling(caller) && (await mustEnrol(caller))) return enrolAgain(request, reply);
      try {
        return await handle(request, reply, caller);
      } catch (error) {
        const words = isGatehouseError(error) ? sentence(c.t, error.code) : undefined;
        if (!words) throw error;
        return dashboard(request, reply, caller, 400, undefined, words);
      }
    };
  const back = (request: FastifyRequest, reply: FastifyReply, done?: keyof typeof NOTICES) =>
    reply.redirect(`/account?lang=${requestLang(request)}${done ? `&done=${done}` : ''}`, 303);
  /** A normal session of an account that must enrol: it ends, and the sign-in (which starts an enrolment session) says why. */
  const enrolAgain = async (request: FastifyRequest, reply: FastifyReply) => {
    await signedIn.end(request, reply);
    const c = context(request, reply);
    return html(reply, 200, signInPage(c, c.t.signInToEnrol));
  };

  app.get('/account', { schema: { ...hide, querystring: Lang } }, async (request, reply) => {
    const caller = await signedIn.read(request, { enrolment: true });
    const c = context(request, reply);
    if (!caller) return html(reply, 200, signInPage(c));
    if (enrolling(caller)) return enrolmentPage(request, reply, caller);
    if (await mustEnrol(caller)) return enrolAgain(request, reply);
    const done = request.query.done as keyof typeof NOTICES | undefined;
    return dashboard(request, reply, caller, 200, done && Object.hasOwn(NOTICES, done) ? c.t[NOTICES[done]] : undefined);
  });

  const start = (request: FastifyRequest) => ({ accessTtl: PAGE_SESSION_SECONDS, ...clientMeta(request) });

  app.post('/account/sign-in', { schema: { ...hide, body: SignIn, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const c = context(request, reply);
    if (!forms.holds(request, request.body.csrf)) return html(reply, 403, signInPage(c, c.t.formExpired));
    try {
      const grant = await core.login.login({
        by: 'either',
        identifier: request.body.login,
        password: request.body.password,
        askSecondFactor: true,
        hostedSignIn: true,
        ...start(request),
      });
      signedIn.start(reply, grant);
      return back(request, reply);
    } catch (error) {
      if (error instanceof SecondFactorRequired && error.mfaToken)
        return html(reply, 200, secondStepPage(c, error.mfaToken, undefined, error.methods.includes('webauthn')));
      const words = isGatehouseError(error) ? sentence(c.t, error.code) : undefined;
      if (!words) throw error;
      return html(reply, error instanceof SecondFactorRequired ? 403 : 401, signInPage(c, words, request.body.login));
    }
  });

  app.post('/account/second-step', { schema: { ...hide, body: SecondStep, querystring: Lang }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const c = context(request, reply);
    const { csrf, mfa_token, code, recovery_code } = request.body;
    if (!forms.holds(request, csrf)) return html(reply, 403, signInPage(c, c.t.formExpired));
    // One field takes either code; the old recovery_code field is still read, for one release.
    const proof = code?.trim() ? code : (recovery_code ?? '');
    try {
      signedIn.start(reply, await core.secondFactors.step.verify(mfa_token, proof, start(request)));
      return back(request, reply);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'MFA_CODE_INVALID') return html(reply, 400, secondStepPage(c, mfa_token, c.t.wrongCode));
      const words = isGatehouseError(error) ? sentence(c.t, error.code) : undefined;
      if (!words) throw error;
      return html(reply, 400, signInPage(c, words));
    }
  });

  app.post('/account/sign-out', { schema: { ...hide, body: Csrf, querystring: Lang } }, async (request, reply) => {
    const c = context(request, reply);
    if (!forms.holds(request, request.body.csrf)) return html(reply, 403, signInPage(c, c.t.formExpired));
    await signedIn.end(request, reply);
    return back(request, reply);
  });

  app.post(
    '/account/password',
    { schema: { ...hide, body: ChangePassword, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<{ csrf: string; old_password: string; new_password: string; code?: string }>(async (request, reply, caller) => {
      await core.accounts.changePassword(caller, request.body.old_password, request.body.new_password, request.body.code);
      return back(request, reply, 'password');
    }),
  );

  app.post(
    '/account/sessions/end',
    { schema: { ...hide, body: EndSession, querystring: Lang } },
    guarded<{ csrf: string; id: string }>(async (request, reply, caller) => {
      await core.sessions.endOwn(caller.user.id, request.body.id);
      return back(request, reply, 'session');
    }),
  );

  type StepUpForm = { csrf: string; password?: string; code?: string };
  const proofOf = (body: StepUpForm) => ({ password: body.password, code: body.code });

  app.post(
    '/account/totp',
    { schema: { ...hide, body: StepUp, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm>(
      async (request, reply, caller) =>
        enrolling(caller)
          ? enrolmentPage(request, reply, caller)
          : setupPage(request, reply, caller, await core.secondFactors.totp.begin(caller, proofOf(request.body)), 200),
      { whileEnrolling: true },
    ),
  );

  app.post(
    '/account/totp/confirm',
    { schema: { ...hide, body: Code, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<{ csrf: string; code: string }>(
      async (request, reply, caller) => {
        const c = context(request, reply);
        try {
          const { recoveryCodes, grant } = await core.secondFactors.totp.confirm(caller, request.body.code.trim(), start(request));
          // An enrolment session is replaced by a normal one whose amr shows the code just confirmed.
          if (grant) signedIn.start(reply, grant);
          return html(reply, 200, recoveryCodesPage(c, recoveryCodes, c.t.totpEnabled));
        } catch (error) {
          const pending = await core.secondFactors.totp.pending(caller.user);
          if (isGatehouseError(error) && error.code === 'MFA_CODE_INVALID' && pending) return setupPage(request, reply, caller, pending, 400, c.t.wrongCode);
          throw error;
        }
      },
      { whileEnrolling: true },
    ),
  );

  app.post(
    '/account/totp/remove',
    { schema: { ...hide, body: StepUp, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm>(async (request, reply, caller) => {
      await core.secondFactors.totp.remove(caller, proofOf(request.body));
      return back(request, reply, 'removed');
    }),
  );

  app.post(
    '/account/recovery-codes',
    { schema: { ...hide, body: StepUp, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm>(async (request, reply, caller) => {
      const codes = await core.secondFactors.totp.regenerateRecoveryCodes(caller, proofOf(request.body));
      return html(reply, 200, recoveryCodesPage(context(request, reply), codes));
    }),
  );

  // The passkey ceremonies (JSON, from account-passkeys.js): the same CSRF token as the forms.
  type PasskeyBody = StepUpForm & { ceremony_id?: string; credential?: { id: string }; name?: string; mfa_token?: string };
  const json = { ...hide, body: PasskeyJson, querystring: Lang };
  const refused = (reply: FastifyReply, status: number, text: string) => reply.code(status).header('cache-control', 'no-store').send({ error: text });
  const passkeyFailure = (reply: FastifyReply, t: Texts, error: unknown) => {
    const code = isGatehouseError(error) ? error.code : undefined;
    if (code === 'RATE_LIMITED' || code === 'STORE_UNAVAILABLE' || code === undefined) throw error;
    if (code === 'STEP_UP_REQUIRED' || code === 'PASSWORD_INCORRECT' || code === 'MFA_CODE_INVALID' || code === 'ACCOUNT_LOCKED')
      return refused(reply, code === 'STEP_UP_REQUIRED' ? 403 : code === 'ACCOUNT_LOCKED' ? 423 : 400, sentence(t, code) ?? t.passkeyFailed);
    return refused(reply, 400, code === 'MFA_TOKEN_INVALID' ? t.stepExpired : code === 'USER_DISABLED' ? t.disabled : t.passkeyFailed);
  };

  app.post('/account/passkeys/register-options', { schema: json }, async (request, reply) => {
    const t = TEXT[requestLang(request)];
    const body = request.body as PasskeyBody;
    if (!forms.holds(request, body.csrf)) return refused(reply, 403, t.formExpired);
    const caller = await signedIn.read(request, { enrolment: true });
    if (!caller) return refused(reply, 401, t.formExpired);
    try {
      const { ceremonyId, options } = await core.secondFactors.passkeys.registrationOptions(caller, proofOf(body));
      return { ceremony_id: ceremonyId, options };
    } catch (error) {
      return passkeyFailure(reply, t, error);
    }
  });

  app.post('/account/passkeys/register', { schema: json }, async (request, reply) => {
    const t = TEXT[requestLang(request)];
    const body = request.body as PasskeyBody;
    if (!forms.holds(request, body.csrf)) return refused(reply, 403, t.formExpired);
    const caller = await signedIn.read(request, { enrolment: true });
    if (!caller) return refused(reply, 401, t.formExpired);
    try {
      const response = body.credential as unknown as RegistrationResponseJSON;
      const { grant } = await core.secondFactors.passkeys.add(caller, body.ceremony_id ?? '', response, body.name ?? '', start(request));
      if (grant) signedIn.start(reply, grant);
    } catch (error) {
      return passkeyFailure(reply, t, error);
    }
    return { ok: true };
  });

  app.post('/account/passkeys/options', { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    const t = TEXT[requestLang(request)];
    if (!forms.holds(request, request.body.csrf)) return refused(reply, 403, t.formExpired);
    const { ceremonyId, options } = await core.secondFactors.step.passkeyOptions();
    return { ceremony_id: ceremonyId, options };
  });

  app.post('/account/passkeys/sign-in', { schema: json, preHandler: limits.perIp('login') }, async (request, reply) => {
    const t = TEXT[requestLang(request)];
    const body = request.body as PasskeyBody;
    if (!forms.holds(request, body.csrf)) return refused(reply, 403, t.formExpired);
    const response = body.credential as unknown as AuthenticationResponseJSON;
    try {
      const grant = body.mfa_token
        ? await core.secondFactors.step.verifyPasskey(body.mfa_token, body.ceremony_id ?? '', response, start(request))
        : await core.secondFactors.step.signInWithPasskey(body.ceremony_id ?? '', response, start(request));
      signedIn.start(reply, grant);
    } catch (error) {
      return passkeyFailure(reply, t, error);
    }
    return { ok: true };
  });

  app.post(
    '/account/passkeys/remove',
    { schema: { ...hide, body: RemovePasskey, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm & { id: string }>(async (request, reply, caller) => {
      await core.secondFactors.passkeys.remove(caller, request.body.id, proofOf(request.body));
      return back(request, reply, 'passkeyRemoved');
    }),
  );
};
