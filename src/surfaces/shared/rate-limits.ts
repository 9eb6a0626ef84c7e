import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { fail } from '../../core/errors.ts';

/** What a route guards against. */
export type LimitGroup = 'register' | 'login' | 'refresh' | 'forgot' | 'reset' | 'password';

/** Rate-limit guards for routes: per client IP, and per target account. */
export interface RateLimits {
  /** At most `perIp` requests a minute from one IP to this group of endpoints. */
  perIp(group: LimitGroup): preHandlerAsyncHookHandler;
  /** At most `perAccount` requests a minute naming one account (the body field given), from anywhere. */
  perAccount(group: LimitGroup, field: string): preHandlerAsyncHookHandler;
}

const NO_LIMITS: RateLimits = {
  perIp: () => async () => {},
  perAccount: () => async () => {},
};

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;
type WithCreate = FastifyInstance & { createRateLimit(options: object): Limiter };

/**
 * Installs @fastify/rate-limit (counters in Redis when given, so every instance
 * counts together) and returns guards for routes. A guard runs before the
 * handler, so an abusive client is refused before any password is hashed; it
 * answers RATE_LIMITED (429 in each surface's shape) with Retry-After.
 */
export async function installRateLimits(app: FastifyInstance, limits: { perIp: number; perAccount: number } | null, redis?: Redis, prefix = 'gatehouse:'): Promise<RateLimits> {
  if (!limits) return NO_LIMITS;
  await app.register(rateLimit, { global: false, ...(redis ? { redis, nameSpace: `${prefix}rl:` } : {}) });
  const create = (app as WithCreate).createRateLimit.bind(app);
  const guard = (limiter: Limiter): preHandlerAsyncHookHandler =>
    async function (request: FastifyRequest, reply: FastifyReply) {
      const result = await limiter(request);
      if (result.isAllowed || !result.isExceeded) return;
      reply.header('retry-after', String(result.ttlInSeconds ?? 60));
      throw fail('RATE_LIMITED');
    };
  return {
    perIp: (group) => guard(create({ max: limits.perIp, timeWindow: 60_000, keyGenerator: (r: FastifyRequest) => `${group}:ip:${r.ip}` })),
    perAccount: (group, field) =>
      guard(
        create({
          max: limits.perAccount,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => {
            const value = (r.body as Record<string, unknown> | undefined)?.[field];
            return `${group}:acct:${typeof value === 'string' ? value.trim().toLowerCase() : ''}`;
          },
        }),
      ),
  };
}
