import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { Caller } from '../../core/sessions.ts';
import { refusalOf } from '../shared/html/sign-in/flow.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { AccountContext } from './context.ts';
import { accountPages, enrolling } from './pages.ts';
import { at, recoveryCodesPage } from './views.ts';

const field = (max: number) => Type.String({ maxLength: max });
const Lang = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  done: Type.Optional(Type.String({ maxLength: 32 })),
  from: Type.Optional(Type.String({ maxLength: 16 })),
});
const Code = Type.Object({ csrf: Type.Optional(field(128)), code: field(16) });
/** A change to how the account is protected: the fresh proof core/second-factors/step-up.ts asks for. */
const StepUp = Type.Object({ csrf: Type.Optional(field(128)), password: Type.Optional(field(1024)), code: Type.Optional(field(64)) });
const RemovePasskey = Type.Object({ csrf: Type.Optional(field(128)), id: field(1024), password: Type.Optional(field(1024)), code: Type.Optional(field(64)) });
const RenamePasskey = Type.Object({ csrf: Type.Optional(field(128)), id: field(1024), name: field(64) });
const AddPasskey = Type.Object({
  csrf: Type.Optional(field(128)),
  ceremony_id: Type.Optional(field(128)),
  credential: Type.Optional(Type.Object({ id: field(1024) }, { additionalProperties: true })),
  name: Type.Optional(field(64)),
  password: Type.Optional(field(1024)),
  code: Type.Optional(field(64)),
});

type StepUpForm = { csrf?: string; password?: string; code?: string };
const proofOf = (body: StepUpForm) => ({ password: body.password, code: body.code });

/**
 * The account's second factors on /account: the authenticator app and its
 * recovery codes, passkeys. Every change goes through the core's step-up; an
 * enrolment session reaches only the set-up of its first factor.
 */
export function accountFactorRoutes(fastify: FastifyInstance, context: AccountContext, limits: RateLimits): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { core, forms, signedIn, page, send } = context;
  const { setupPage, enrolmentPage, guarded } = accountPages(context);
  const hide = { hide: true };

  app.post(
    '/account/totp',
    { schema: { ...hide, body: StepUp, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm>(
      async (request, reply, caller) =>
        enrolling(caller)
          ? enrolmentPage(request, reply, caller)
          : setupPage(request, reply, caller, await core.secondFactors.totp.begin(caller, proofOf(request.body))),
      { whileEnrolling: true },
    ),
  );

  app.post(
    '/account/totp/confirm',
    { schema: { ...hide, body: Code, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<{ csrf?: string; code: string }>(
      async (request, reply, caller) => {
        const c = page(request, reply);
        try {
          // The page's session becomes one whose amr shows the code just confirmed (an enrolment session always does).
          const start = { ...context.place(request).start, renew: true };
          const { recoveryCodes, grant } = await core.secondFactors.totp.confirm(caller, request.body.code.trim(), start);
          if (grant) signedIn.start(reply, grant);
          const toConsole = context.fromConsole.read(request);
          if (toConsole) context.fromConsole.clear(reply);
          const next = toConsole ? { href: `/admin?lang=${c.lang}`, label: c.t.backToConsole } : undefined;
          return send(reply, 200, recoveryCodesPage(c, recoveryCodes, c.t.totpEnabled, next));
        } catch (error) {
          const pending = await core.secondFactors.totp.pending(caller.user);
          if (refusalOf(error)?.refusal[1] === 'wrongCode' && pending) return setupPage(request, reply, caller, pending, 401, true);
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
      return context.back(request, reply, 'removed');
    }),
  );

  app.post(
    '/account/recovery-codes',
    { schema: { ...hide, body: StepUp, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm>(async (request, reply, caller) => {
      const codes = await core.secondFactors.totp.regenerateRecoveryCodes(caller, proofOf(request.body));
      return send(reply, 200, recoveryCodesPage(page(request, reply), codes));
    }),
  );

  app.post(
    '/account/passkeys/remove',
    { schema: { ...hide, body: RemovePasskey, querystring: Lang }, preHandler: limits.perIp('password') },
    guarded<StepUpForm & { id: string }>(async (request, reply, caller) => {
      await core.secondFactors.passkeys.remove(caller, request.body.id, proofOf(request.body));
      return context.back(request, reply, 'passkeyRemoved');
    }),
  );

  app.post(
    '/account/passkeys/rename',
    { schema: { ...hide, body: RenamePasskey, querystring: Lang } },
    guarded<{ csrf?: string; id: string; name: string }>(async (request, reply, caller) => {
      await core.secondFactors.passkeys.rename(caller, request.body.id, request.body.name);
      return context.back(request, reply, 'passkeyRenamed');
    }),
  );

  // Adding a passkey (JSON, from account-passkeys.js): the step-up fields go with the options request.
  const json = { ...hide, body: AddPasskey, querystring: Lang };
  const refused = (reply: FastifyReply, status: number, text: string) => reply.code(status).header('cache-control', 'no-store').send({ error: text });
  const passkeyJson =
    (handle: (request: FastifyRequest<{ Body: Static<typeof AddPasskey> }>, reply: FastifyReply, caller: Caller) => Promise<unknown>) =>
    async (request: FastifyRequest<{ Body: Static<typeof AddPasskey> }>, reply: FastifyReply) => {
      const c = page(request, reply);
      if (!forms.holds(request, request.body.csrf)) return refused(reply, 403, c.common.refusals.formExpired);
      const caller = await signedIn.read(request, { enrolment: true });
      if (!caller) return refused(reply, 401, c.common.refusals.formExpired);
      try {
        return await handle(request, reply, caller);
      } catch (error) {
        const failed = refusalOf(error);
        if (!failed) throw error;
        const [status, refusal] = failed.refusal;
        if (failed.retryAfterSeconds) reply.header('retry-after', String(failed.retryAfterSeconds));
        // A passkey that does not verify reads alike, whatever the core's reason.
        return refused(reply, status, c.common.refusals[refusal === 'wrongCode' || refusal === 'stepExpired' ? 'passkeyFailed' : refusal]);
      }
    };

  app.post(
    '/account/passkeys/register-options',
    { schema: json, preHandler: limits.perIp('password') },
    passkeyJson(async (request, _reply, caller) => {
      const { ceremonyId, options } = await core.secondFactors.passkeys.registrationOptions(caller, proofOf(request.body));
      return { ceremony_id: ceremonyId, options };
    }),
  );

  app.post(
    '/account/passkeys/register',
    { schema: json },
    passkeyJson(async (request, reply, caller) => {
      const { ceremony_id, credential, name } = request.body;
      const start = { ...context.place(request).start, renew: true };
      const { grant } = await core.secondFactors.passkeys.add(caller, ceremony_id ?? '', credential as unknown as RegistrationResponseJSON, name ?? '', start);
      if (grant) signedIn.start(reply, grant);
      return { ok: true, redirect: at(page(request, reply), '/account') };
    }),
  );
}
