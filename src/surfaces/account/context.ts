import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../core/sessions.ts';
import { ACCOUNT } from '../../texts/account.ts';
import { COMMON, type Refusal } from '../../texts/common.ts';
import type { Config } from '../../config.ts';
import type { Core } from '../../core/core.ts';
import { clientMeta } from '../shared/authentication.ts';
import { createCsrf, type Csrf } from '../shared/html/csrf.ts';
import { requestLang } from '../shared/html/lang.ts';
import { createPageSession, PAGE_SESSION_SECONDS, type PageSession } from '../shared/html/page-session.ts';
import { sendPage } from '../shared/html/reply.ts';
import type { SignInPlace } from '../shared/html/sign-in/flow.ts';
import type { Html } from '../shared/html/template.ts';
import { createUpstreamSignIn, type UpstreamSignIn } from '../shared/html/sign-in/upstream.ts';
import { type AccountPage, signInPage } from './views.ts';

/** The cookie saying the person came from the staff console to set up a factor, and goes back there after. */
const FROM_CONSOLE = 'gh_return';

/** What the account page's route plugins share: the CSRF guard, the signed-in cookie, and how a page is drawn. */
export interface AccountContext {
  core: Core;
  forms: Csrf;
  signedIn: PageSession;
  /** Signing in with upstream identity providers: the browser's cookies, the step, the pending link. */
  upstream: UpstreamSignIn;
  page(request: FastifyRequest, reply: FastifyReply): AccountPage;
  send(reply: FastifyReply, status: number, body: Html): FastifyReply;
  /** The sign-in page with a refusal (its status and sentence), for a form that cannot go on. */
  refuse(request: FastifyRequest, reply: FastifyReply, status: number, refusal?: Refusal): FastifyReply;
  /** Back to /account (303), with the notice a finished change names. */
  back(request: FastifyRequest, reply: FastifyReply, done?: string): FastifyReply;
  /** The core session a sign-in here starts: the page's 12 hours, the client's details; an enrolment session where MFA_REQUIRED says. */
  place(request: FastifyRequest): SignInPlace;
  /** MFA_REQUIRED covers the account and it has no factor yet. */
  mustEnrol(caller: Caller): Promise<boolean>;
  /** Whether the person came here from the staff console (and goes back there after setting up a factor). */
  fromConsole: { mark(reply: FastifyReply): void; read(request: FastifyRequest): boolean; clear(reply: FastifyReply): void };
}

export function accountContext(core: Core, config: Config): AccountContext {
  const forms = createCsrf(config.publicUrl);
  const signedIn = createPageSession(core, config.publicUrl);
  const secure = config.publicUrl.startsWith('https:');
  const page = (request: FastifyRequest, reply: FastifyReply): AccountPage => {
    const lang = requestLang(request);
    return { lang, t: ACCOUNT[lang], common: COMMON[lang], csrf: forms.issue(request, reply), providers: core.identities.buttons() };
  };
  const send = (reply: FastifyReply, status: number, body: Html) => sendPage(reply, status, body);
  return {
    core,
    forms,
    signedIn,
    upstream: createUpstreamSignIn(core, config.publicUrl),
    page,
    send,
    refuse: (request, reply, status, refusal) => send(reply, status, signInPage(page(request, reply), refusal)),
    back: (request, reply, done) => reply.redirect(`/account?lang=${requestLang(request)}${done ? `&done=${done}` : ''}`, 303),
    place: (request) => ({ start: { accessTtl: PAGE_SESSION_SECONDS, ...clientMeta(request) }, hosted: true }),
    mustEnrol: async (caller) => core.secondFactors.mustEnrol(caller.user) && (await core.secondFactors.methods(caller.user.id)).length === 0,
    fromConsole: {
      mark: (reply) => void reply.setCookie(FROM_CONSOLE, 'console', { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 900 }),
      read: (request) => request.cookies[FROM_CONSOLE] === 'console',
      clear: (reply) => void reply.setCookie(FROM_CONSOLE, '', { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 }),
    },
  };
}
