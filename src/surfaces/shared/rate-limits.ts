import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateLimitStore } from '../../store/rate-limit-counters.ts';
import { fail } from '../../core/errors.ts';
import { answering } from './documented-answers.ts';

/** What a route guards against. */
export type LimitGroup = 'register' | 'login' | 'refresh' | 'forgot' | 'reset' | 'password';

/**
 * Which requests naming an account count: `failures` (logins: only failed
 * attempts, so nobody can keep a user from logging in with the right password
 * by sending requests in their name) or `every` (mail-sending endpoints).
 */
export type AccountCounting = 'failures' | 'every';

/** Rate-limit guards for routes: per client IP, and per target account. */
export interface RateLimits {
  /** At most `perIp` requests a minute from one IP to this group of endpoints. */
  perIp(group: LimitGroup): preHandlerAsyncHookHandler;
  /** At most `perAccount` counted requests a minute naming one account (the body field given), from anywhere. */
  perAccount(group: LimitGroup, field: string, counting?: AccountCounting): preHandlerAsyncHookHandler;
}

const NO_LIMITS: RateLimits = {
  perIp: () => async () => {},
  perAccount: () => async () => {},
};

type Limiter = (
  request: FastifyRequest,
  options?: { increment: boolean },
) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number; remaining?: number }>;
type WithCreate = FastifyInstance & { createRateLimit(options: object): Limiter };

/** A guard that can refuse: the OpenAPI document lists 429 for the routes it guards (off, a guard declares nothing). */
const limited = (guard: preHandlerAsyncHookHandler) => answering(['RATE_LIMITED'], guard);

/** A refusal: 429 in the surface's shape, with Retry-After. */
function refuse(reply: FastifyReply, ttlInSeconds: number | undefined): never {
  reply.header('retry-after', String(Math.max(1, ttlInSeconds ?? 60)));
  throw fail('RATE_LIMITED');
}

/**
 * Installs @fastify/rate-limit over the given counter store (shared by every
 * listener of the process; in Redis when configured, so every instance counts
 * together) and returns guards for routes. A guard runs before the handler, so
 * an abusive client is refused before any password is hashed.
 */
export async function installRateLimits(
  app: FastifyInstance,
  limits: { perIp: number; perAccount: number } | null,
  store: new () => RateLimitStore,
): Promise<RateLimits> {
  if (!limits) return NO_LIMITS;
  // The store's callback contract is what the plugin calls; its typings describe an older one.
  await app.register(rateLimit, { global: false, store: store as unknown as FastifyRateLimitStoreCtor });
  const create = (app as WithCreate).createRateLimit.bind(app);
  const accountKey = (group: LimitGroup, field: string) => (r: FastifyRequest) => {
    const value = (r.body as Record<string, unknown> | undefined)?.[field];
    return `${group}:acct:${typeof value === 'string' ? value.trim().toLowerCase() : ''}`;
  };
  return {
    perIp(group) {
      const limiter = create({ max: limits.perIp, timeWindow: 60_000, keyGenerator: (r: FastifyRequest) => `${group}:ip:${r.ip}` });
      return limited(async (request, reply) => {
        const result = await limiter(request);
        if (!result.isAllowed && result.isExceeded) refuse(reply, result.ttlInSeconds);
      });
    },
    perAccount(group, field, counting = 'failures') {
      const limiter = create({ max: limits.perAccount, timeWindow: 60_000, keyGenerator: accountKey(group, field) });
      if (counting === 'every') {
        return limited(async (request, reply) => {
          const result = await limiter(request);
          if (!result.isAllowed && result.isExceeded) refuse(reply, result.ttlInSeconds);
        });
      }
      return limited(async (request, reply) => {
        const seen = await limiter(request, { increment: false });
        if (!seen.isAllowed && seen.remaining === 0) refuse(reply, seen.ttlInSeconds);
        // Count the attempt once its answer is known: only failures count.
        reply.raw.once('finish', () => {
          const status = reply.statusCode;
          if (status >= 400 && status !== 429 && status < 500) void limiter(request).catch(() => {});
        });
      });
    },
  };
}
