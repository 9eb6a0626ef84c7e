import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieNames } from '../cookies.ts';

/** The value's shape: 32 random bytes, base64url. */
const VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface CodeBrowser {
  /** The browser asking for a sign-in code: its value (kept if it has one), set in the cookie for `seconds`. */
  mark(request: FastifyRequest, reply: FastifyReply, seconds: number): string;
  /** The value of the browser opening a mailed link, if it is one that asked. */
  read(request: FastifyRequest): string | undefined;
}

/**
 * The cookie that binds a mailed sign-in link to the browser that asked for
 * the code (core/one-time-codes.ts keeps only its hash): the link's button
 * signs in that browser and no other, so a link forwarded, leaked or opened
 * by a mail scanner on another machine signs nobody in there. HttpOnly;
 * SameSite=Lax, because the link is opened from a mail (a cross-site
 * top-level visit) and its page must know the browser to offer the button.
 */
export function createCodeBrowser(publicUrl: string): CodeBrowser {
  const { secure, prefix } = cookieNames(publicUrl);
  const name = `${prefix}gh_code_browser`;
  return {
    mark(request, reply, seconds) {
      const existing = request.cookies[name];
      const value = existing && VALUE.test(existing) ? existing : randomBytes(32).toString('base64url');
      reply.setCookie(name, value, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: seconds });
      return value;
    },
    read(request) {
      const value = request.cookies[name];
      return value && VALUE.test(value) ? value : undefined;
    },
  };
}
