import type { FastifyReply } from 'fastify';
import { describeFailureZh } from '../shared/chinese-validation.ts';
import { DETAIL_BODY } from '../shared/fastapi-errors.ts';
import type { GatehouseError } from '../../core/errors.ts';
import { SecondFactorRequired } from '../../core/second-factors/second-step.ts';
import { CHINESE_ACCOUNT_ROWS, ENVELOPE_COMMON_ROWS, envelopeRenderer } from '../shared/envelope.ts';
import { bearerChallenge, CHINESE_SERVICE_ROWS, everyTokenFailure, type ErrorMap, type ErrorRenderer } from '../shared/error-map.ts';

/** The plain style's answers: the Chinese messages (its `{detail}` body carries no code). */
export const V1_PLAIN_ERRORS: ErrorMap = {
  ...CHINESE_ACCOUNT_ROWS,
  ...everyTokenFailure([401, '无效的认证凭据']),
  ...CHINESE_SERVICE_ROWS,
};

/** `{"detail": "..."}` bodies; schema errors are 400 `参数验证失败: <what>` (its document says 400, not 422). */
export const v1PlainRenderer: ErrorRenderer = {
  map: V1_PLAIN_ERRORS,
  body: (_status, message, _code, error) => {
    const second = secondStep(error);
    return second ? { detail: message, mfa_required: true, ...second } : { detail: message };
  },
  invalid: (reply: FastifyReply, failure) => reply.code(400).send({ detail: `参数验证失败: ${describeFailureZh(failure)}` }),
  headers: bearerChallenge,
  internal: ['Internal Server Error', 'INTERNAL_ERROR'],
  validationStatus: 400,
  errorSchema: () => DETAIL_BODY,
};

/** The envelope style's codes for the auth endpoints; codes the envelope document does not name are Gatehouse's. */
export const V1_ENVELOPE_ERRORS: ErrorMap = {
  ...CHINESE_ACCOUNT_ROWS,
  ...ENVELOPE_COMMON_ROWS,
  ACCOUNT_GONE: [401, 'token无效或已过期', 'INVALID_TOKEN'],
};

/** The envelope style; MFA_REQUIRED carries the mfa_token and methods in `data`. */
const envelopeBase = envelopeRenderer(V1_ENVELOPE_ERRORS);
export const v1EnvelopeRenderer: ErrorRenderer = {
  ...envelopeBase,
  body: (status, message, code, error) => {
    const second = secondStep(error);
    return second ? { status: 'error', code, message, data: second } : envelopeBase.body(status, message, code);
  },
};

/** The second step a login answer offers: only this surface has one (`POST /mfa/verify`). */
function secondStep(error: GatehouseError | undefined): { mfa_token: string; methods: string[] } | null {
  if (!(error instanceof SecondFactorRequired) || error.mfaToken === null) return null;
  return { mfa_token: error.mfaToken, methods: [...error.methods] };
}
