import type { FastifyReply } from 'fastify';
import { describeFailureZh } from '../shared/chinese-validation.ts';
import { ENVELOPE_ERROR_CODES_401 } from '../shared/envelope.ts';
import { bearerChallenge, everyTokenFailure, type ErrorMap, type ErrorRenderer } from '../shared/error-map.ts';

/** Seed 004's answers (plain style). */
export const V1_AUTH_ERRORS: ErrorMap = {
  ...everyTokenFailure([401, '无效的认证凭据']),
  USERNAME_TAKEN: [400, '用户名已存在'],
  EMAIL_TAKEN: [400, '邮箱已存在'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误'],
  USER_DISABLED: [403, '账户未激活'],
  ACCOUNT_LOCKED: [423, '账户已被锁定'],
  PASSWORD_INCORRECT: [400, '旧密码错误'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期'],
  STORE_UNAVAILABLE: [503, '服务暂时不可用'],
  RATE_LIMITED: [429, '请求过于频繁，请稍后再试'],
};

/** `{"detail": "..."}` bodies; schema errors are 400 `参数验证失败: <what>` (seed 004 says 400, not 422). */
export const v1PlainRenderer: ErrorRenderer = {
  map: V1_AUTH_ERRORS,
  body: (_status, message) => ({ detail: message }),
  invalid: (reply: FastifyReply, failure) =>
    reply.code(400).send({ detail: `参数验证失败: ${describeFailureZh(failure)}` }),
  headers: bearerChallenge,
};

/** Seed 003's codes for the auth endpoints (envelope style). */
export const V1_ENVELOPE_ERRORS: ErrorMap = {
  ...ENVELOPE_ERROR_CODES_401,
  USERNAME_TAKEN: [400, '用户名已存在', 'USERNAME_EXISTS'],
  EMAIL_TAKEN: [400, '邮箱已存在', 'EMAIL_EXISTS'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误', 'INVALID_CREDENTIALS'],
  USER_DISABLED: [403, '账户未激活', 'USER_DISABLED'],
  ACCOUNT_LOCKED: [423, '账户已被锁定', 'ACCOUNT_LOCKED'],
  PASSWORD_INCORRECT: [400, '旧密码错误', 'INVALID_OLD_PASSWORD'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期', 'INVALID_RESET_TOKEN'],
  USER_NOT_FOUND: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  STORE_UNAVAILABLE: [503, '服务暂时不可用', 'SERVICE_UNAVAILABLE'],
  RATE_LIMITED: [429, '请求过于频繁，请稍后再试', 'RATE_LIMITED'],
};
