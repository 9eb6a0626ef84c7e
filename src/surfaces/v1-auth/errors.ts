import type { FastifyReply } from 'fastify';
import { describeFailureZh } from '../shared/chinese-validation.ts';
import { ENVELOPE_COMMON_ROWS } from '../shared/envelope.ts';
import { bearerChallenge, CHINESE_SERVICE_ROWS, everyTokenFailure, type ErrorMap, type ErrorRenderer } from '../shared/error-map.ts';

/** Seed 004's answers (plain style). */
export const V1_PLAIN_ERRORS: ErrorMap = {
  ...everyTokenFailure([401, '无效的认证凭据']),
  ...CHINESE_SERVICE_ROWS,
  USERNAME_TAKEN: [400, '用户名已存在'],
  EMAIL_TAKEN: [400, '邮箱已存在'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误'],
  USER_DISABLED: [403, '账户未激活'],
  ACCOUNT_LOCKED: [423, '账户已被锁定'],
  PASSWORD_INCORRECT: [400, '旧密码错误'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期'],
  USER_NOT_FOUND: [404, '用户不存在'],
  NOT_FOUND: [404, '资源不存在'],
  FORBIDDEN: [403, '权限不足'],
};

/** `{"detail": "..."}` bodies; schema errors are 400 `参数验证失败: <what>` (seed 004 says 400, not 422). */
export const v1PlainRenderer: ErrorRenderer = {
  map: V1_PLAIN_ERRORS,
  body: (_status, message) => ({ detail: message }),
  invalid: (reply: FastifyReply, failure) => reply.code(400).send({ detail: `参数验证失败: ${describeFailureZh(failure)}` }),
  headers: bearerChallenge,
  internal: ['Internal Server Error', 'INTERNAL_ERROR'],
};

/** Seed 003's codes for the auth endpoints (envelope style); codes seed 003 does not name are Gatehouse's. */
export const V1_ENVELOPE_ERRORS: ErrorMap = {
  ...ENVELOPE_COMMON_ROWS,
  ACCOUNT_GONE: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  USERNAME_TAKEN: [400, '用户名已存在', 'USERNAME_EXISTS'],
  EMAIL_TAKEN: [400, '邮箱已存在', 'EMAIL_EXISTS'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误', 'INVALID_CREDENTIALS'],
  USER_DISABLED: [403, '账户未激活', 'USER_DISABLED'],
  ACCOUNT_LOCKED: [423, '账户已被锁定', 'ACCOUNT_LOCKED'],
  PASSWORD_INCORRECT: [400, '旧密码错误', 'INVALID_OLD_PASSWORD'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期', 'INVALID_RESET_TOKEN'],
  USER_NOT_FOUND: [404, '用户不存在', 'USER_NOT_FOUND'],
  NOT_FOUND: [404, '资源不存在', 'NOT_FOUND'],
  FORBIDDEN: [403, '权限不足', 'FORBIDDEN'],
};
