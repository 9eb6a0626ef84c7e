import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const COOKIE = 'gh_csrf';

/**
 * Cross-site request forgery protection for the pages' forms (double submit):
 * the form page sets a random value in a SameSite=Strict, HttpOnly cookie and
 * in a hidden field; a POST is accepted only when both are present and equal,
 * and, when the browser sends an Origin, it is this server's.
 */
export function issueCsrf(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readCookie(request.headers.cookie, COOKIE);
  const value = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
  reply.header('set-cookie', `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600${secure ? '; Secure' : ''}`);
  return value;
}

export function csrfHolds(request: FastifyRequest, field: unknown): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    const forwarded = request.headers['x-forwarded-host'];
    if (host !== request.headers.host && host !== forwarded) return false;
  }
  const cookie = readCookie(request.headers.cookie, COOKIE);
  if (!cookie || typeof field !== 'string' || field.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
