import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { CounterState, RateLimitStore } from '../../core/ports/rate-limit-store.ts';
import { fail } from '../../core/errors.ts';
import { answering } from './documented-answers.ts';

/** What a route guards against. */
export type LimitGroup = 'register' | 'login' | 'refresh' | 'forgot' | 'reset' | 'password' | 'profile' | 'otp';

/**
 * Which requests naming an account count: `failures` (logins: every attempt
 * takes a slot before it is judged, and a success gives it back, so nobody can
 * keep a user from logging in with the right password by sending requests in
 * their name, and parallel guesses never overshoot) or `every` (mail-sending
 * endpoints).
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
  const counters = new store();
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
      const key = accountKey(group, field);
      return limited(async (request, reply) => {
        // The slot is taken before the password is checked (atomic in the counter store), so
        // 40 parallel guesses get the limit's slots and no more.
        const name = key(request);
        const state = await new Promise<CounterState>((resolve, reject) =>
          counters.incr(name, (error, counted) => (error || !counted ? reject(error ?? new Error('no count')) : resolve(counted)), 60_000, limits.perAccount),
        );
        if (state.current > limits.perAccount) refuse(reply, Math.ceil(state.ttl / 1000));
        // Only failures keep their slot: a success (or an answer that judged nothing) gives it back.
        // A login's 403 comes only after the right password (second factor required, disabled, unverified): not a guess.
        reply.raw.once('finish', () => {
          const status = reply.statusCode;
          if (status < 400 || status >= 500 || status === 403) void counters.decr(name).catch(() => {});
        });
      });
    },
  };
}
