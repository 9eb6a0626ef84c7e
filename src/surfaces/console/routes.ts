import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { useCookies } from '../shared/html/cookies.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { Core } from '../../core/core.ts';
import { type ErrorCode, isGatehouseError } from '../../core/errors.ts';
import { SecondFactorRequired } from '../../core/second-factors/second-step.ts';
import { ID_TOKEN_ALGS, type IdTokenAlg } from '../../core/ports/app-store.ts';
import { AUDIT_TYPES, type AuditQuery, type AuditType, type StoredAuditEvent } from '../../core/ports/audit-log.ts';
import { type User, UUID_TEXT } from '../../core/ports/user-store.ts';
import type { Caller } from '../../core/sessions.ts';
import { isStaffMember, staffMay } from '../../core/staff.ts';
import { installationChecks, runChecks } from '../../health/installation-checks.ts';
import { classifyError } from '../shared/classify-error.ts';
import { createCsrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { html } from '../shared/html/reply.ts';
import { actAs } from '../shared/request-origin.ts';
import { serverErrorsInLastHour } from '../shared/server-errors.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { appPage, appsPage, keysPage } from './app-views.ts';
import { auditCsv } from './csv.ts';
import { ACCOUNT_ACTIONS, type AccountAction, TEXT, type Texts } from './i18n.ts';
import { type Frame, href } from './layout.ts';
import { PAGE_SESSION_SECONDS } from '../shared/html/page-session.ts';
import { consoleSession } from './session.ts';
import { accountPage, accountsPage, auditPage, healthPage, messagePage, secondStepPage, signInPage } from './views.ts';

/** Each core failure as the console's status; total, so a new code fails the type check until it is placed. */
const STATUS: Record<ErrorCode, number> = {
  EMAIL_TAKEN: 409,
  USERNAME_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  PASSWORD_INCORRECT: 400,
  USER_NOT_FOUND: 404,
  ACCOUNT_GONE: 404,
  USER_DISABLED: 409,
  ACCOUNT_LOCKED: 423,
  TOKEN_MISSING: 401,
  TOKEN_NOT_BEARER: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_WRONG_TYPE: 401,
  SESSION_ENDED: 401,
  TOKEN_REUSED: 401,
  RESET_TOKEN_INVALID: 400,
  VERIFICATION_INVALID: 400,
  EMAIL_NOT_VERIFIED: 403,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  STORE_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  MFA_REQUIRED: 401,
  MFA_CODE_INVALID: 400,
  MFA_STATE_CONFLICT: 409,
  MFA_TOKEN_INVALID: 400,
  MFA_ENROLMENT_REQUIRED: 403,
  STEP_UP_REQUIRED: 403,
  LAST_FACTOR_REQUIRED: 409,
  STAFF_SECOND_FACTOR_REQUIRED: 403,
};

const PAGE_SIZE = 25;
const TRAIL_SIZE = 50;
/** The most rows one CSV export holds; narrow the filter for more. */
const CSV_ROWS = 100_000;

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const Csrf = Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 128 })) });
const SearchQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  q: Type.Optional(Type.String({ maxLength: 254 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  done: Type.Optional(Type.String({ maxLength: 32 })),
});
const AccountParams = Type.Object({ uuid: Type.String({ maxLength: 64 }) });
const ActionParams = Type.Object({ uuid: Type.String({ maxLength: 64 }), action: Type.String({ maxLength: 32 }) });
const ActionForm = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 128 })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  session: Type.Optional(Type.String({ maxLength: 128 })),
  confirm: Type.Optional(Type.String({ maxLength: 254 })),
});
const SignInForm = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 128 })),
  login: Type.String({ maxLength: 254 }),
  password: Type.String({ maxLength: 1024 }),
});
const SecondStepForm = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 128 })),
  mfa_token: Type.String({ maxLength: 128 }),
  code: Type.String({ maxLength: 64 }),
});
const AppParams = Type.Object({ clientId: Type.String({ maxLength: 64 }) });
const AppForm = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 128 })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  redirect_uris: Type.Optional(Type.String({ maxLength: 4000 })),
  id_token_alg: Type.Optional(Type.String({ maxLength: 16 })),
  public: Type.Optional(Type.String({ maxLength: 8 })),
  confirm: Type.Optional(Type.String({ maxLength: 64 })),
});
const DoneQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })), done: Type.Optional(Type.String({ maxLength: 32 })) });
/** The redirect URIs of a textarea: one a line, blanks dropped. */
const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

const AuditQueryString = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  account: Type.Optional(Type.String({ maxLength: 254 })),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ maxLength: 32 })),
  to: Type.Optional(Type.String({ maxLength: 32 })),
  // Event ids are the database's 32-bit integers: a larger one is bad input (400), not a query PostgreSQL refuses.
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
});

type Grant = Awaited<ReturnType<Core['secondFactors']['step']['verify']>>;

const startOptions = (request: FastifyRequest) => ({ accessTtl: PAGE_SESSION_SECONDS, ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `2026-12-01T22:13` (a datetime-local field) read as UTC; undefined when empty, NaN when unreadable. */
const utc = (value: string | undefined) => (value ? Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`) : undefined);

/**
 * The staff console at `/admin`: server-rendered pages over the core's staff
 * service, in Chinese and English, working without JavaScript. Every page needs
 * a signed-in staff member; every form carries the CSRF value; every action is
 * audited with the staff member who took it.
 */
export const consoleRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core, config, limits }) => {
  await useCookies(fastify);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const forms = createCsrf(config.publicUrl);
  const session = consoleSession(core, config.publicUrl);
  const hidden = { hide: true };

  const frameOf = (request: FastifyRequest, reply: FastifyReply, caller?: Caller | null): Frame => {
    const lang = requestLang(request);
    const url = new URL(request.url, 'http://x');
    url.searchParams.delete('lang');
    return {
      lang,
      t: TEXT[lang],
      here: url.pathname + url.search,
      who: caller ? (caller.user.email ?? caller.user.username ?? caller.user.uuid) : undefined,
      csrf: caller ? forms.issue(request, reply) : undefined,
    };
  };

  app.setErrorHandler(async (error, request, reply) => {
    const frame = frameOf(request, reply, await session.caller(request).catch(() => null));
    const { t } = frame;
    const failure = classifyError(error);
    if (failure.kind === 'core') {
      const code = failure.error.code;
      const status = STATUS[code];
      if (code === 'STORE_UNAVAILABLE') reply.header('retry-after', '1');
      const [title, text] =
        code === 'FORBIDDEN'
          ? [t.noAccess, t.noAccessText]
          : code === 'USER_NOT_FOUND' || code === 'ACCOUNT_GONE' || code === 'NOT_FOUND'
            ? [t.notFound, t.notFoundText]
            : code === 'EMAIL_TAKEN'
              ? [t.badInput, t.emailTaken]
              : code === 'USER_DISABLED'
                ? [t.badInput, t.disabledAccount]
                : code === 'RATE_LIMITED'
                  ? [t.tooMany, t.tooManyText]
                  : code === 'STORE_UNAVAILABLE'
                    ? [t.unavailable, t.unavailableText]
                    : [t.failed, t.failedText];
      return html(reply, status, messagePage(frame, title, text));
    }
    if (failure.kind === 'validation') {
      const rule = failure.issues.find((i) => i.keyword === 'rule')?.params.message;
      return html(reply, 400, messagePage(frame, t.badInput, typeof rule === 'string' ? rule : t.failedText));
    }
    if (failure.kind === 'malformed-body' || failure.kind === 'http') return html(reply, 400, messagePage(frame, t.badInput, t.failedText));
    request.log.error({ err: error }, 'unexpected failure');
    return html(reply, 500, messagePage(frame, t.failed, t.failedText));
  });

  /** The signed-in staff member, or the answer already sent: the sign-in page for a GET, 403 for anything else or anyone else. */
  async function staffOnly(request: FastifyRequest, reply: FastifyReply): Promise<Caller | null> {
    const caller = await session.caller(request);
    if (!caller) {
      if (request.method === 'GET') {
        const { lang } = frameOf(request, reply);
        await reply.redirect(href(lang, '/admin/sign-in'), 303);
      } else {
        const frame = frameOf(request, reply);
        await html(reply, 403, messagePage(frame, frame.t.formExpired, frame.t.formExpiredText));
      }
      return null;
    }
    // The one rule for staff power (core/staff.ts): staff only, and wherever CONSOLE_MFA (on by default) or
    // MFA_REQUIRED covers them, a sign-in with a second factor. Without one enrolled, enrolment comes first
    // (the account page shares this sign-in); with one, a sign-in that asks for it.
    const refused = await core.staff.refusal(caller, 'console');
    if (refused === 'not-staff') {
      const frame = frameOf(request, reply, caller);
      await html(reply, 403, messagePage(frame, frame.t.noAccess, frame.t.noAccessText));
      return null;
    }
    if (refused) {
      const enrolled = refused === 'second-factor';
      if (request.method === 'GET') {
        const lang = requestLang(request);
        if (enrolled) await session.end(request, reply);
        await reply.redirect(enrolled ? href(lang, '/admin/sign-in') : `/account?lang=${lang}`, 303);
      } else {
        const frame = frameOf(request, reply, caller);
        await html(reply, 403, messagePage(frame, frame.t.noAccess, frame.t.noAccessText));
      }
      return null;
    }
    return caller;
  }

  /** A form POST from a staff member: the CSRF value must be there, and what follows is audited as theirs. */
  async function staffForm(request: FastifyRequest, reply: FastifyReply, csrf: string | undefined): Promise<Caller | null> {
    const caller = await staffOnly(request, reply);
    if (!caller) return null;
    if (!forms.holds(request, csrf)) {
      const frame = frameOf(request, reply, caller);
      await html(reply, 403, messagePage(frame, frame.t.formExpired, frame.t.formExpiredText));
      return null;
    }
    actAs(caller.user.id);
    return caller;
  }

  /** The accounts named by a page of events (owners and staff), for links. */
  async function namesOf(events: StoredAuditEvent[]): Promise<Map<number, User>> {
    const ids = new Set<number>();
    for (const ev of events) {
      if (ev.userId !== null) ids.add(ev.userId);
      if (ev.actorId !== null) ids.add(ev.actorId);
    }
    const users = await Promise.all([...ids].map((id) => core.accounts.findById(id)));
    return new Map(users.filter((u): u is User => u !== null).map((u) => [u.id, u]));
  }

  app.get('/admin/sign-in', { schema: { ...hidden, querystring: LangQuery } }, async (request, reply) => {
    const caller = await session.caller(request);
    const frame = frameOf(request, reply);
    if (caller && isStaffMember(caller.user)) return reply.redirect(href(frame.lang, '/admin'), 303);
    return html(reply, 200, signInPage(frame, forms.issue(request, reply)));
  });

  app.post('/admin/sign-in', { schema: { ...hidden, querystring: LangQuery, body: SignInForm }, preHandler: limits.perIp('login') }, async (request, reply) => {
    const frame = frameOf(request, reply);
    const { t } = frame;
    if (!forms.holds(request, request.body.csrf)) return html(reply, 403, messagePage(frame, t.formExpired, t.formExpiredText));
    const again = (status: number, error: string) => html(reply, status, signInPage(frame, forms.issue(request, reply), error, request.body.login));
    let grant: Grant;
    try {
      // The one login: lockout, password, status, the second-factor gate and the session all come from the core.
      grant = await core.login.login({
        by: 'either',
        identifier: request.body.login,
        password: request.body.password,
        askSecondFactor: true,
        ...startOptions(request),
      });
    } catch (error) {
      if (error instanceof SecondFactorRequired && error.mfaToken) return html(reply, 200, secondStepPage(frame, forms.issue(request, reply), error.mfaToken));
      if (isGatehouseError(error) && error.code === 'INVALID_CREDENTIALS') return again(401, t.wrongCredentials);
      if (isGatehouseError(error) && error.code === 'ACCOUNT_LOCKED') return again(423, t.lockedOut);
      // MFA_REQUIRED covers this account and it has no second factor: it enrols on the account page first.
      if (isGatehouseError(error) && error.code === 'MFA_ENROLMENT_REQUIRED') return reply.redirect(`/account?lang=${frame.lang}`, 303);
      throw error;
    }
    return finishSignIn(request, reply, grant);
  });

  app.post(
    '/admin/sign-in/second-step',
    { schema: { ...hidden, querystring: LangQuery, body: SecondStepForm }, preHandler: limits.perIp('login') },
    async (request, reply) => {
      const frame = frameOf(request, reply);
      const { t } = frame;
      if (!forms.holds(request, request.body.csrf)) return html(reply, 403, messagePage(frame, t.formExpired, t.formExpiredText));
      const code = request.body.code.trim();
      let grant: Grant;
      try {
        grant = await core.secondFactors.step.verify(request.body.mfa_token, code, startOptions(request));
      } catch (error) {
        const failed = isGatehouseError(error) ? error.code : undefined;
        if (failed === 'MFA_CODE_INVALID') return html(reply, 401, secondStepPage(frame, forms.issue(request, reply), request.body.mfa_token, t.wrongCode));
        if (failed === 'MFA_TOKEN_INVALID') return html(reply, 400, signInPage(frame, forms.issue(request, reply), t.stepExpired));
        if (failed === 'ACCOUNT_LOCKED') return html(reply, 423, signInPage(frame, forms.issue(request, reply), t.lockedOut));
        throw error;
      }
      return finishSignIn(request, reply, grant);
    },
  );

  /** Staff get the cookie and the console; anyone else a 403, and the session just started ends at once. */
  async function finishSignIn(request: FastifyRequest, reply: FastifyReply, grant: Grant) {
    const frame = frameOf(request, reply);
    if (!isStaffMember(grant.user)) {
      await core.sessions.end(grant.session.id);
      return html(reply, 403, messagePage(frame, frame.t.noAccess, frame.t.noAccessText));
    }
    session.set(reply, grant);
    return reply.redirect(href(frame.lang, '/admin'), 303);
  }

  app.post('/admin/sign-out', { schema: { ...hidden, querystring: LangQuery, body: Csrf } }, async (request, reply) => {
    if (!(await staffForm(request, reply, request.body.csrf))) return reply;
    await session.end(request, reply);
    return reply.redirect(href(requestLang(request), '/admin/sign-in'), 303);
  });

  app.get('/admin', { schema: { ...hidden, querystring: SearchQuery } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const q = request.query.q?.trim() ?? '';
    const page = request.query.page ?? 1;
    const found = await core.staff.search(caller.user, q, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    const done = request.query.done === 'delete' ? frame.t.done.delete : undefined;
    return html(reply, 200, accountsPage(frame, q, page, found.slice(0, PAGE_SIZE), found.length > PAGE_SIZE, done));
  });

  app.get(
    '/admin/accounts/:uuid',
    {
      schema: {
        ...hidden,
        params: AccountParams,
        querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })), done: Type.Optional(Type.String({ maxLength: 32 })) }),
      },
    },
    async (request, reply) => {
      const caller = await staffOnly(request, reply);
      if (!caller) return reply;
      const frame = frameOf(request, reply, caller);
      const user = await core.staff.find(caller.user, request.params.uuid);
      const [file, events] = await Promise.all([core.staff.file(caller.user, user), core.staff.auditTrail(caller.user, { limit: 20, userId: user.id })]);
      const done = (ACCOUNT_ACTIONS as readonly string[]).includes(request.query.done ?? '') ? frame.t.done[request.query.done as AccountAction] : undefined;
      return html(
        reply,
        200,
        accountPage(frame, file, events, await namesOf(events), (action) => staffMay(caller.user, action), done),
      );
    },
  );

  app.post(
    '/admin/accounts/:uuid/:action',
    { schema: { ...hidden, params: ActionParams, querystring: LangQuery, body: ActionForm } },
    async (request, reply) => {
      const caller = await staffForm(request, reply, request.body.csrf);
      if (!caller) return reply;
      const action = request.params.action as AccountAction;
      if (!ACCOUNT_ACTIONS.includes(action)) {
        const frame = frameOf(request, reply, caller);
        return html(reply, 404, messagePage(frame, frame.t.notFound, frame.t.notFoundText));
      }
      const actor = caller.user;
      const user = await core.staff.find(actor, request.params.uuid);
      const { body } = request;
      const lang = requestLang(request);
      switch (action) {
        case 'disable':
        case 'enable':
          await core.staff.setStatus(actor, user, action === 'disable' ? 'disabled' : 'active');
          break;
        case 'verify-email':
        case 'verify-phone':
          await core.staff.setVerified(actor, user, action === 'verify-email' ? 'email' : 'phone');
          break;
        case 'change-email': {
          const email = body.email?.trim() ?? '';
          if (!EMAIL.test(email)) {
            const frame = frameOf(request, reply, caller);
            return html(reply, 400, messagePage(frame, frame.t.badInput, frame.t.newEmail));
          }
          await core.staff.changeEmail(actor, user, email);
          break;
        }
        case 'send-reset':
          await core.staff.sendReset(actor, user);
          break;
        case 'resend-verification':
          await core.staff.resendVerification(actor, user);
          break;
        case 'end-session':
          await core.staff.endSession(actor, user, body.session ?? '');
          break;
        case 'end-sessions':
          await core.staff.endAllSessions(actor, user);
          break;
        case 'unlock':
          await core.staff.unlock(actor, user);
          break;
        case 'reset-factors':
          await core.staff.resetFactors(actor, user);
          break;
        case 'grant-staff':
        case 'revoke-staff':
        case 'grant-superuser':
        case 'revoke-superuser':
          await core.staff.setRole(actor, user, action.endsWith('superuser') ? 'superuser' : 'staff', action.startsWith('grant'));
          break;
        case 'delete':
          await core.staff.delete(actor, user, body.confirm ?? '');
          return reply.redirect(href(lang, '/admin', { done: 'delete' }), 303);
        default:
          // Every action has its case: the compiler says which one is missing.
          action satisfies never;
      }
      return reply.redirect(href(lang, `/admin/accounts/${user.uuid}`, { done: action }), 303);
    },
  );

  /** The audit filter from the query: the account named by uuid, email or username; a known event type; UTC times. */
  async function auditFilter(actor: User, query: Static<typeof AuditQueryString>, t: Texts): Promise<{ query?: Omit<AuditQuery, 'limit'>; error?: string }> {
    const filter: Omit<AuditQuery, 'limit'> = {};
    const account = query.account?.trim();
    if (account) {
      const user = UUID_TEXT.test(account) ? await core.staff.find(actor, account).catch(() => null) : await core.accounts.findByLogin(account);
      if (!user) return { error: t.notFoundText };
      filter.userId = user.id;
    }
    if (query.type) {
      if (!(AUDIT_TYPES as readonly string[]).includes(query.type)) return { error: t.badInput };
      filter.type = query.type as AuditType;
    }
    const from = utc(query.from);
    const to = utc(query.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return { error: t.badInput };
    if (from !== undefined) filter.from = from;
    if (to !== undefined) filter.to = to;
    if (query.before !== undefined) filter.beforeId = query.before;
    return { query: filter };
  }

  app.get('/admin/audit', { schema: { ...hidden, querystring: AuditQueryString } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const q = request.query;
    const shown = { account: q.account ?? '', type: q.type ?? '', from: q.from ?? '', to: q.to ?? '' };
    const { query, error } = await auditFilter(caller.user, q, frame.t);
    if (!query) return html(reply, 400, auditPage(frame, shown, [], new Map(), undefined, error));
    const events = await core.staff.auditTrail(caller.user, { ...query, limit: TRAIL_SIZE + 1 });
    const page = events.slice(0, TRAIL_SIZE);
    const older = events.length > TRAIL_SIZE ? page[page.length - 1]!.id : undefined;
    return html(reply, 200, auditPage(frame, shown, page, await namesOf(page), older));
  });

  app.get('/admin/audit.csv', { schema: { ...hidden, querystring: AuditQueryString } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const { query, error } = await auditFilter(caller.user, request.query, frame.t);
    if (!query) return html(reply, 400, messagePage(frame, frame.t.badInput, error ?? frame.t.failedText));
    const events = await core.staff.auditTrail(caller.user, { ...query, limit: CSV_ROWS });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="gatehouse-audit.csv"')
      .header('cache-control', 'no-store')
      .send(auditCsv(events, await namesOf(events)));
  });

  app.get('/admin/health', { schema: { ...hidden, querystring: LangQuery } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const ping = async () => {
      await core.stores.ping();
      return 'reachable from this server';
    };
    const checks = await runChecks(installationChecks(config, { database: ping, redis: ping, signingAlgorithm: core.signingKeys.algorithm }));
    const counts = await core.audit.countRecent(3600_000);
    return html(
      reply,
      200,
      healthPage(frame, checks, {
        logins: counts['login.succeeded'] ?? 0,
        failures: counts['login.failed'] ?? 0,
        lockouts: counts['account.locked'] ?? 0,
        serverErrors: serverErrorsInLastHour(Date.now()),
      }),
    );
  });
  // Apps (OpenID Connect clients) and signing keys: staff read, superusers change.
  const appDone = (frame: Frame, done: string | undefined) =>
    done === 'redirect-uris' || done === 'removed' || done === 'rotated' ? frame.t.appDone[done] : undefined;

  app.get('/admin/apps', { schema: { ...hidden, querystring: DoneQuery } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const apps = await core.staff.apps(caller.user);
    return html(reply, 200, appsPage(frame, apps, staffMay(caller.user, 'manage-apps'), appDone(frame, request.query.done)));
  });

  app.post('/admin/apps', { schema: { ...hidden, querystring: LangQuery, body: AppForm } }, async (request, reply) => {
    const caller = await staffForm(request, reply, request.body.csrf);
    if (!caller) return reply;
    const alg = request.body.id_token_alg ?? 'RS256';
    const { app: made, secret } = await core.staff.addApp(caller.user, {
      name: request.body.name ?? '',
      redirectUris: lines(request.body.redirect_uris),
      isPublic: request.body.public === '1',
      idTokenAlg: (ID_TOKEN_ALGS as readonly string[]).includes(alg) ? (alg as IdTokenAlg) : ('none' as IdTokenAlg),
    });
    // The secret is in this answer and nowhere else (not in a URL): no redirect.
    const frame = frameOf(request, reply, caller);
    return html(reply, 201, appPage(frame, made, true, frame.t.appAdded, secret));
  });

  app.get('/admin/apps/:clientId', { schema: { ...hidden, params: AppParams, querystring: DoneQuery } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const found = await core.staff.app(caller.user, request.params.clientId);
    return html(reply, 200, appPage(frame, found, staffMay(caller.user, 'manage-apps'), appDone(frame, request.query.done)));
  });

  app.post(
    '/admin/apps/:clientId/:action',
    {
      schema: {
        ...hidden,
        params: Type.Object({ clientId: Type.String({ maxLength: 64 }), action: Type.String({ maxLength: 32 }) }),
        querystring: LangQuery,
        body: AppForm,
      },
    },
    async (request, reply) => {
      const caller = await staffForm(request, reply, request.body.csrf);
      if (!caller) return reply;
      const { clientId, action } = request.params;
      const lang = requestLang(request);
      if (action === 'redirect-uris') {
        await core.staff.setRedirectUris(caller.user, clientId, lines(request.body.redirect_uris));
        return reply.redirect(href(lang, `/admin/apps/${clientId}`, { done: 'redirect-uris' }), 303);
      }
      if (action === 'rotate-secret') {
        const secret = await core.staff.rotateAppSecret(caller.user, clientId);
        const frame = frameOf(request, reply, caller);
        return html(reply, 200, appPage(frame, await core.staff.app(caller.user, clientId), true, undefined, secret));
      }
      if (action === 'remove') {
        await core.staff.removeApp(caller.user, clientId, request.body.confirm ?? '');
        return reply.redirect(href(lang, '/admin/apps', { done: 'removed' }), 303);
      }
      const frame = frameOf(request, reply, caller);
      return html(reply, 404, messagePage(frame, frame.t.notFound, frame.t.notFoundText));
    },
  );

  app.get('/admin/keys', { schema: { ...hidden, querystring: DoneQuery } }, async (request, reply) => {
    const caller = await staffOnly(request, reply);
    if (!caller) return reply;
    const frame = frameOf(request, reply, caller);
    const keys = await core.staff.keys(caller.user);
    return html(reply, 200, keysPage(frame, keys, staffMay(caller.user, 'rotate-keys'), appDone(frame, request.query.done)));
  });

  app.post('/admin/keys/rotate', { schema: { ...hidden, querystring: LangQuery, body: Csrf } }, async (request, reply) => {
    const caller = await staffForm(request, reply, request.body.csrf);
    if (!caller) return reply;
    await core.staff.rotateKeys(caller.user);
    return reply.redirect(href(requestLang(request), '/admin/keys', { done: 'rotated' }), 303);
  });
};
