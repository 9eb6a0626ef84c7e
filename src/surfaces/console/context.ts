import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Core } from '../../core/core.ts';
import type { StoredAuditEvent } from '../../core/ports/audit-log.ts';
import type { User } from '../../core/ports/user-store.ts';
import type { Caller } from '../../core/sessions.ts';
import { staffMay } from '../../core/staff.ts';
import { COMMON, type Lang } from '../../texts/common.ts';
import { CONSOLE } from '../../texts/console.ts';
import { clientMeta } from '../shared/authentication.ts';
import { createCsrf, type Csrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { createPageSession, PAGE_SESSION_SECONDS, type PageSession } from '../shared/html/page-session.ts';
import { sendPage } from '../shared/html/reply.ts';
import type { SignInPlace } from '../shared/html/sign-in/flow.ts';
import { createUpstreamSignIn, type UpstreamSignIn } from '../shared/html/sign-in/upstream.ts';
import type { PageRefusal } from '../shared/html/sign-in/refusals.ts';
import type { Html } from '../shared/html/template.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { Names } from './audit-views.ts';
import { type ConsolePage, href, messagePage } from './layout.ts';
import { accountName } from './search-views.ts';

/** What the console's route plugins share: the CSRF guard, the signed-in cookie, and how a page is drawn and sent. */
export interface ConsoleContext {
  core: Core;
  config: Config;
  forms: Csrf;
  /** The HTML pages' one signed-in cookie (shared/html/page-session.ts): signing in on /account signs in here and back. */
  signedIn: PageSession;
  /** How this request's page is drawn; with the staff member (past the guard), the bar shows the navigation. */
  page(request: FastifyRequest, reply: FastifyReply, staff?: Caller | null): ConsolePage;
  send(reply: FastifyReply, status: number, body: Html): FastifyReply;
  /** The message page with a refusal's status and sentence (PAGE_REFUSALS, CSRF_REFUSAL). */
  refuse(request: FastifyRequest, reply: FastifyReply, refusal: PageRefusal, staff?: Caller | null): FastifyReply;
  /** 303 to a console page, in the request's language. */
  redirect(request: FastifyRequest, reply: FastifyReply, path: string, query?: Record<string, string | number | undefined>): FastifyReply;
  /** The core session a sign-in here starts: the pages' 12 hours and the client's details; never an enrolment session. */
  place(request: FastifyRequest): SignInPlace;
  /** The accounts a page of events names (owners and staff), for links. */
  namesOf(events: StoredAuditEvent[]): Promise<Names>;
  /** Signing in with an upstream identity provider (CONSOLE_PROVIDERS): the browser's cookies and the step. */
  upstream: UpstreamSignIn;
}

/** Where staff without a second factor set one up: the account page, which says why and links back here after. */
export const enrolAt = (lang: Lang) => `/account?lang=${lang}&from=console`;

/** What the console's route plugins are registered with. */
export interface ConsolePluginOptions {
  context: ConsoleContext;
  limits: RateLimits;
  /** The one staff guard (guard.ts): on every route of the staff plugins, and on the sign-out. */
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}

export function consoleContext(core: Core, config: Config): ConsoleContext {
  const forms = createCsrf(config.publicUrl);
  const send = (reply: FastifyReply, status: number, body: Html) => sendPage(reply, status, body);
  const page = (request: FastifyRequest, reply: FastifyReply, staff?: Caller | null): ConsolePage => {
    const lang = requestLang(request);
    // The language switch reloads the page; a form's answer cannot be reloaded, so it switches on the console's start.
    const url = new URL(request.method === 'GET' ? request.url : '/admin', 'http://x');
    url.searchParams.delete('lang');
    return {
      lang,
      t: CONSOLE[lang],
      common: COMMON[lang],
      csrf: forms.issue(request, reply),
      here: url.pathname + url.search,
      who: staff ? accountName(staff.user) : undefined,
      // The superusers' sections (sign-in providers) are in the bar for them only.
      superuser: staff ? staffMay(staff.user, 'manage-providers') : false,
      providers: config.consoleProviders ? core.identities.buttons() : [],
    };
  };
  return {
    core,
    config,
    forms,
    signedIn: createPageSession(core, config.publicUrl),
    upstream: createUpstreamSignIn(core, config.publicUrl),
    page,
    send,
    refuse: (request, reply, [status, refusal], staff) => send(reply, status, messagePage(page(request, reply, staff), refusal)),
    redirect: (request, reply, path, query) => reply.redirect(href(requestLang(request), path, query), 303),
    place: (request) => ({ start: { accessTtl: PAGE_SESSION_SECONDS, ...clientMeta(request) }, hosted: false }),
    async namesOf(events) {
      const ids = new Set<number>();
      for (const ev of events) {
        if (ev.userId !== null) ids.add(ev.userId);
        if (ev.actorId !== null) ids.add(ev.actorId);
      }
      const users = await Promise.all([...ids].map((id) => core.accounts.findById(id)));
      return new Map(users.filter((u): u is User => u !== null).map((u) => [u.id, u]));
    },
  };
}
