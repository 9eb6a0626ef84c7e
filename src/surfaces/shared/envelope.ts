import { Type, type TSchema } from 'typebox';
import type { FastifyReply } from 'fastify';
import { describeFailureZh } from './chinese-validation.ts';
import { bearerChallenge, CHINESE_SERVICE_ROWS, type ErrorMap, type ErrorOverrides, type ErrorRenderer } from './error-map.ts';

/** Seed 003's success shape. */
export function ok<T>(message: string, data: T): { status: 'success'; message: string; data: T } {
  return { status: 'success', message, data };
}

/** Seed 003's `{status, message, code}` errors; schema errors are 400 VALIDATION_ERROR. */
export const envelopeRenderer = (map: ErrorMap): ErrorRenderer => ({
  map,
  body: (_status, message, code) => ({ status: 'error', message, code }),
  invalid: (reply: FastifyReply, failure) =>
    reply.code(400).send({
      status: 'error',
      message: `请求参数错误: ${describeFailureZh(failure)}`,
      code: 'VALIDATION_ERROR',
    }),
  headers: bearerChallenge,
  internal: ['服务器内部错误', 'INTERNAL_ERROR'],
  validationStatus: 400,
  errorSchema: () => ENVELOPE_ERROR_BODY,
});

/** `{"status": "error", "message": "...", "code": "..."}`. */
const ENVELOPE_ERROR_BODY = {
  type: 'object',
  required: ['status', 'message', 'code'],
  properties: { status: { type: 'string', enum: ['error'] }, message: { type: 'string' }, code: { type: 'string' } },
};

/** Seed 003's 401 answers for every way a bearer token can fail, and its 429/503 (both envelope surfaces share them). */
export const ENVELOPE_COMMON_ROWS = {
  ...CHINESE_SERVICE_ROWS,
  TOKEN_MISSING: [401, '缺少认证token', 'MISSING_TOKEN'],
  TOKEN_NOT_BEARER: [401, 'token格式错误', 'INVALID_TOKEN_FORMAT'],
  TOKEN_MALFORMED: [401, 'token格式错误', 'INVALID_TOKEN_FORMAT'],
  TOKEN_INVALID: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  TOKEN_EXPIRED: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  SESSION_ENDED: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  TOKEN_REUSED: [401, 'token无效或已过期', 'INVALID_TOKEN'],
  TOKEN_WRONG_TYPE: [401, 'token类型错误', 'INVALID_TOKEN_TYPE'],
} as const satisfies ErrorOverrides;

/** The schema of a seed 003 success answer carrying `data` (null: no data). */
export function Enveloped(data: TSchema | null) {
  return Type.Object({ status: Type.Literal('success'), message: Type.String(), data: data ?? Type.Null() });
}

/** The Chinese answers for account failures, with the codes the envelope names; plain style drops the codes. */
export const CHINESE_ACCOUNT_ROWS = {
  USERNAME_TAKEN: [400, '用户名已存在', 'USERNAME_EXISTS'],
  EMAIL_TAKEN: [400, '邮箱已存在', 'EMAIL_EXISTS'],
  INVALID_CREDENTIALS: [401, '用户名或密码错误', 'INVALID_CREDENTIALS'],
  USER_DISABLED: [403, '账户未激活', 'USER_DISABLED'],
  ACCOUNT_LOCKED: [423, '账户已被锁定', 'ACCOUNT_LOCKED'],
  PASSWORD_INCORRECT: [400, '旧密码错误', 'INVALID_OLD_PASSWORD'],
  RESET_TOKEN_INVALID: [400, '重置令牌无效或已过期', 'INVALID_RESET_TOKEN'],
  VERIFICATION_INVALID: [400, '验证链接或验证码无效或已过期', 'INVALID_VERIFICATION'],
  EMAIL_NOT_VERIFIED: [403, '邮箱尚未验证，请先打开验证邮件中的链接', 'EMAIL_NOT_VERIFIED'],
  USER_NOT_FOUND: [404, '用户不存在', 'USER_NOT_FOUND'],
  NOT_FOUND: [404, '资源不存在', 'NOT_FOUND'],
  FORBIDDEN: [403, '权限不足', 'FORBIDDEN'],
  MFA_REQUIRED: [403, '需要两步验证', 'MFA_REQUIRED'],
  MFA_ENROLMENT_REQUIRED: [403, '请先在 /account 页面设置两步验证', 'MFA_ENROLMENT_REQUIRED'],
  MFA_TOKEN_INVALID: [401, '两步验证令牌无效或已过期，请重新登录', 'INVALID_MFA_TOKEN'],
  MFA_CODE_INVALID: [400, '验证码错误或已使用', 'INVALID_MFA_CODE'],
  OTP_INVALID: [400, '验证码错误或已过期', 'INVALID_OTP'],
  PHONE_TAKEN: [400, '该手机号已被其他账户验证', 'PHONE_EXISTS'],
  MFA_STATE_CONFLICT: [409, '两步验证当前状态不允许此操作', 'MFA_STATE_CONFLICT'],
  STEP_UP_REQUIRED: [403, '此操作需要重新验证身份：请提供密码（已启用身份验证器时还需验证码），或使用两步验证重新登录', 'STEP_UP_REQUIRED'],
  LAST_FACTOR_REQUIRED: [409, '此账户必须保留至少一种两步验证方式', 'LAST_FACTOR_REQUIRED'],
  ORG_FORBIDDEN: [403, '您在该组织中的角色不允许此操作', 'ORG_FORBIDDEN'],
  LAST_OWNER: [409, '组织必须保留至少一位所有者', 'LAST_OWNER'],
  SLUG_TAKEN: [409, '该组织标识已被使用', 'SLUG_TAKEN'],
  INVITATION_INVALID: [400, '邀请无效、已使用、已撤销或已过期', 'INVITATION_INVALID'],
  INVITATION_EMAIL_MISMATCH: [403, '该邀请发给了其他邮箱：账户已验证的邮箱必须与受邀邮箱一致', 'INVITATION_EMAIL_MISMATCH'],
  UPSTREAM_FAILED: [400, '无法验证身份提供方的登录结果', 'UPSTREAM_FAILED'],
  IDENTITY_LINK_REQUIRED: [409, '已有账户使用此邮箱，且未关联此身份', 'IDENTITY_LINK_REQUIRED'],
  IDENTITY_NOT_ALLOWED: [403, '此身份提供方不能用于登录此账户', 'IDENTITY_NOT_ALLOWED'],
  LAST_WAY_IN: [409, '这是此账户最后一种登录方式', 'LAST_WAY_IN'],
  STAFF_SECOND_FACTOR_REQUIRED: [403, '管理权限需要使用两步验证登录（CONSOLE_MFA / MFA_REQUIRED）', 'STAFF_SECOND_FACTOR_REQUIRED'],
} as const satisfies ErrorOverrides;
