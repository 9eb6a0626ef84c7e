import type { FastifyReply } from 'fastify';
import { describeFailureZh } from '../shared/chinese-validation.ts';
import { CHINESE_ACCOUNT_ROWS, ENVELOPE_COMMON_ROWS, envelopeRenderer } from '../shared/envelope.ts';
import { bearerChallenge, CHINESE_SERVICE_ROWS, everyTokenFailure, type ErrorMap, type ErrorRenderer } from '../shared/error-map.ts';
import { DETAIL_BODY } from '../shared/fastapi-errors.ts';

/** The plain style's answers: `/api/v1/auth`'s Chinese messages in `{detail}`. */
export const ORGS_PLAIN_ERRORS: ErrorMap = {
  ...CHINESE_ACCOUNT_ROWS,
  ...everyTokenFailure([401, '无效的认证凭据']),
  ...CHINESE_SERVICE_ROWS,
};

/** The envelope style's answers, with the codes (ORG_FORBIDDEN, LAST_OWNER, ...). */
export const ORGS_ENVELOPE_ERRORS: ErrorMap = {
  ...CHINESE_ACCOUNT_ROWS,
  ...ENVELOPE_COMMON_ROWS,
  ACCOUNT_GONE: [401, 'token无效或已过期', 'INVALID_TOKEN'],
};

/** `{"detail": "..."}`; schema errors 400 `参数验证失败: <what>`, as `/api/v1/auth`'s plain style. */
export const orgsPlainRenderer: ErrorRenderer = {
  map: ORGS_PLAIN_ERRORS,
  body: (_status, message) => ({ detail: message }),
  invalid: (reply: FastifyReply, failure) => reply.code(400).send({ detail: `参数验证失败: ${describeFailureZh(failure)}` }),
  headers: bearerChallenge,
  internal: ['Internal Server Error', 'INTERNAL_ERROR'],
  validationStatus: 400,
  errorSchema: () => DETAIL_BODY,
};

export const orgsEnvelopeRenderer: ErrorRenderer = envelopeRenderer(ORGS_ENVELOPE_ERRORS);
