import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';

/**
 * @fastify/cookie for the HTML surfaces only: each registers it in its own
 * context, so the JSON APIs (whose hot paths carry no cookie) pay for neither
 * its parsing hook nor its onSend writer.
 */
export async function useCookies(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
}

/** The attributes of the pages' cookies: HttpOnly always; behind HTTPS `Secure` (and the names take `__Host-`). */
export function cookieNames(publicUrl: string) {
  const secure = publicUrl.startsWith('https:');
  return { secure, prefix: secure ? '__Host-' : '' };
}
