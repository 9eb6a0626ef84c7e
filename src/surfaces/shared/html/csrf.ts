import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieNames } from './cookies.ts';

/** The token's shape: 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface Csrf {
  /** Sets (or keeps) the cookie and returns the value for the form's hidden field (forms.ts, `csrfField`). */
  issue(request: FastifyRequest, reply: FastifyReply): string;
  /** Whether a form POST carries the cookie's value and, when the browser says, comes from this server. */
  holds(request: FastifyRequest, field: unknown): boolean;
}

/**
 * Cross-site request forgery protection for the pages' forms (double submit):
 * the form page sets a random value in a SameSite=Strict, HttpOnly cookie and
 * in a hidden field; a POST is accepted only when both are present and equal,
 * and, when the browser sends an Origin, it is this server's: the Host the
 * request came to, or PUBLIC_URL's (never a header the client may write, such
 * as X-Forwarded-Host). Behind HTTPS the cookie is `__Host-` prefixed, so no
 * sibling subdomain can plant one; over plain HTTP (development) browsers
 * refuse that prefix, so the plain name is used. Cookies through
 * @fastify/cookie (cookies.ts), registered by each HTML surface.
 */
export function createCsrf(publicUrl: string): Csrf {
  const { secure, prefix } = cookieNames(publicUrl);
  const name = `${prefix}gh_csrf`;
  const publicHost = new URL(publicUrl).host;
  return {
    issue(request, reply) {
      const existing = request.cookies[name];
      const value = existing && TOKEN.test(existing) ? existing : randomBytes(32).toString('base64url');
      reply.setCookie(name, value, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: 3600, secure });
      return value;
    },
    holds(request, field) {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== 'null') {
        let host: string;
        try {
          host = new URL(origin).host;
        } catch {
          return false;
        }
        if (host !== request.headers.host && host !== publicHost) return false;
      }
      const cookie = request.cookies[name];
      if (!cookie || !TOKEN.test(cookie) || typeof field !== 'string') return false;
      // Compared as bytes: a field as long as the cookie in characters but not in bytes is simply unequal.
      const a = Buffer.from(cookie);
      const b = Buffer.from(field);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
