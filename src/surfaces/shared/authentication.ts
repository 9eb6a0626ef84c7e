import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Core } from '../../core/core.ts';
import type { Caller } from '../../core/sessions.ts';
import { bearerToken } from './bearer.ts';
import { actAs } from './request-origin.ts';
import { answering, TOKEN_CODES } from './documented-answers.ts';

/** What a route needs of its caller: a live access token, or one of a superuser. */
export type AuthRequirement = 'caller' | 'superuser';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs an authenticated caller; `request.caller` is set before the handler runs. */
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    /** The authenticated caller, on routes declared with `config.auth`. */
    caller: Caller;
  }
}

/** The OpenAPI security requirement of every authenticated route. */
export const BEARER_SECURITY = [{ bearer: [] }];

/**
 * Authentication as a route option: a route that declares `config: { auth }`
 * gets one hook that resolves `request.caller` from the bearer token (throwing
 * the core's token errors, which the route's surface renders as its own 401 or
 * 403) and the OpenAPI security entry. It runs after the route's own guards
 * (rate limits), as the handler's first step did before. Install it before the
 * API documentation plugin, so the security entry is in place when routes are read.
 */
export function installAuthentication(app: FastifyInstance, core: Core): void {
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRoute', (route) => {
    const need = route.config?.auth;
    if (!need) return;
    route.schema = { ...route.schema, security: BEARER_SECURITY };
    const authenticate: preHandlerAsyncHookHandler = async (request: FastifyRequest) => {
      const caller = await core.sessions.authenticate(bearerToken(request.headers.authorization));
      // Staff power: the one rule in core (superusers, and a second factor where CONSOLE_MFA / MFA_REQUIRED say).
      if (need === 'superuser') {
        await core.staff.admitApi(caller);
        // What the staff API does is audited as the superuser's, as the console's actions are.
        actAs(caller.user.id);
      }
      request.caller = caller;
    };
    answering(need === 'superuser' ? [...TOKEN_CODES, 'FORBIDDEN', 'STAFF_SECOND_FACTOR_REQUIRED'] : TOKEN_CODES, authenticate);
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat();
    route.preHandler = [...own, authenticate];
  });
}

/** Client details kept with a new session. */
export function clientMeta(request: FastifyRequest): { ip: string; userAgent: string | null } {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}
