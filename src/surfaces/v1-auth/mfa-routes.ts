import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/core.ts';
import { fail } from '../../core/errors.ts';
import type { SecondFactorStatus } from '../../core/second-factors/second-factors.ts';
import type { StartOptions } from '../../core/sessions.ts';
import { clientMeta } from '../shared/authentication.ts';

import { qrSvg } from '../shared/qr-svg.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import { zuluOrNull, zuluUtc } from '../shared/timestamps.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import {
  CeremonyStart,
  MfaStatus,
  MfaVerifyBody,
  PasskeyParams,
  PasskeyRegisterBody,
  PasskeySignInBody,
  PasskeyView,
  RecoveryCodes,
  StepUpBody,
  TotpCodeBody,
  TotpSetup,
} from './mfa-schemas.ts';
import type { MappedCode } from '../shared/error-map.ts';
import { answersIn, type Style } from './styles.ts';

interface MfaDeps {
  core: Core;
  style: Style;
  accessTtl: number;
  tags: string[];
  limits: RateLimits;
}

/**
 * `/api/v1/auth/mfa/*`: the second step of a login (`/mfa/verify`, a passkey
 * alone or as the second step), and a user's own second factors for apps that
 * draw their own screens (Bearer; every change behind the core's step-up).
 */
// The Bearer routes have no per-address limit: they need a live session, and every code or
// password they check takes a slot of the account's lockout budgets (atomic, every instance).
export function mfaRoutes(fastify: FastifyInstance, deps: MfaDeps): void {
  mfaSecondStepRoutes(fastify, deps);
  mfaFactorRoutes(fastify, deps);
}

/** What the routes of both parts share: the answers they add to the surface's, the step-up route shape, a session's start. */
function shared({ style, accessTtl, tags }: MfaDeps) {
  // The answers these routes add to the surface's usual ones (listed in the OpenAPI document).
  const answers = answersIn(style);
  // Every change to how the account is protected asks for a fresh proof (core/second-factors/step-up.ts).
  const STEP_UP: MappedCode[] = ['STEP_UP_REQUIRED', 'PASSWORD_INCORRECT', 'MFA_CODE_INVALID'];
  // A request without a body asks for a step-up with nothing to show: the answer says what is needed (403), not "body must be object".
  const noBodyIsEmpty = async (request: { body: unknown }) => {
    request.body ??= {};
  };
  /** A route that changes how the account is protected: the step-up body, and the answers the step-up adds. */
  const stepUp = (summary: string, response: TSchema, ...codes: MappedCode[]) => ({
    schema: { tags, summary, body: StepUpBody, response: { 200: response } },
    preValidation: noBodyIsEmpty,
    config: { auth: 'caller' as const, errors: answers(...codes, ...STEP_UP) },
  });
  const startOf = (request: Parameters<typeof clientMeta>[0]): StartOptions => ({
    accessTtl,
    withRefreshToken: style.issuesRefreshTokens,
    ...clientMeta(request),
  });

  return { answers, STEP_UP, stepUp, startOf, noBodyIsEmpty };
}

/** The second step of a login (a code, or a passkey) and a sign-in with a passkey alone: each answered as a login. */
function mfaSecondStepRoutes(fastify: FastifyInstance, deps: MfaDeps): void {
  const { core, style, tags, limits, accessTtl } = deps;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { answers, startOf } = shared(deps);
  app.post(
    '/mfa/verify',
    {
      schema: {
        tags,
        summary: '两步验证：用登录返回的 mfa_token 和 6 位验证码（或一个恢复码）完成登录，答复与登录成功相同',
        body: MfaVerifyBody,
        response: { 200: style.login.Answer },
      },
      config: { errors: answers('MFA_TOKEN_INVALID', 'MFA_CODE_INVALID', 'RATE_LIMITED') },
      preHandler: limits.perIp('login'),
    },
    async (request) => {
      const { mfa_token, code, recovery_code } = request.body;
      if ((code === undefined) === (recovery_code === undefined)) throw fail('VALIDATION_FAILED', '需要 code 或 recovery_code 之一', 'code');
      const grant = await core.secondFactors.step.verify(mfa_token, code ?? recovery_code ?? '', startOf(request));
      return style.login.view(grant, accessTtl);
    },
  );

  app.post(
    '/mfa/passkeys/authenticate/options',
    {
      schema: { tags, summary: '开始用通行密钥登录（单独登录，或作为两步验证）', response: { 200: style.Data(CeremonyStart) } },
      preHandler: limits.perIp('login'),
    },
    async () => {
      const { ceremonyId, options } = await core.secondFactors.step.passkeyOptions();
      return style.data('请在浏览器中完成通行密钥验证', { ceremony_id: ceremonyId, options });
    },
  );
  app.post(
    '/mfa/passkeys/authenticate/verify',
    {
      schema: {
        tags,
        summary: '完成通行密钥登录：带 mfa_token 时为两步验证，否则为单独登录；答复与登录成功相同',
        body: PasskeySignInBody,
        response: { 200: style.login.Answer },
      },
      config: { errors: answers('MFA_TOKEN_INVALID', 'MFA_CODE_INVALID') },
      preHandler: limits.perIp('login'),
    },
    async (request) => {
      const { ceremony_id, credential, mfa_token } = request.body;
      const response = credential as unknown as AuthenticationResponseJSON;
      const start = startOf(request);
      const grant =
        mfa_token === undefined
          ? await core.secondFactors.step.signInWithPasskey(ceremony_id, response, start)
          : await core.secondFactors.step.verifyPasskey(mfa_token, ceremony_id, response, start);
      return style.login.view(grant, accessTtl);
    },
  );
}

/** A user's own factors (Bearer): what is enrolled, the authenticator app and its recovery codes, passkeys. */
function mfaFactorRoutes(fastify: FastifyInstance, deps: MfaDeps): void {
  const { core, style, tags } = deps;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { answers, STEP_UP, stepUp, startOf, noBodyIsEmpty } = shared(deps);
  app.get(
    '/mfa',
    { schema: { tags, summary: '当前用户的两步验证：已启用的方式与剩余恢复码数量', response: { 200: style.Data(MfaStatus) } }, config: { auth: 'caller' } },
    async (request) => {
      const userId = request.caller.user.id;
      const [status, methods] = await Promise.all([core.secondFactors.status(userId), core.secondFactors.methods(userId)]);
      return style.data('获取两步验证状态成功', statusView(status, methods));
    },
  );

  app.post(
    '/mfa/totp',
    stepUp(
      '开始绑定身份验证器（TOTP）：密钥、otpauth URI 与二维码（确认前不生效）；需要重新验证身份（密码，已有身份验证器时加验证码）',
      style.Data(TotpSetup),
      'MFA_STATE_CONFLICT',
    ),
    async (request) => {
      const { secret, otpauthUri } = await core.secondFactors.totp.begin(request.caller, request.body);
      return style.data('请用身份验证器扫描二维码，然后提交验证码确认', { secret, otpauth_uri: otpauthUri, qr_svg: await qrSvg(otpauthUri) });
    },
  );

  app.post(
    '/mfa/totp/confirm',
    {
      schema: {
        tags,
        summary: '用身份验证器显示的验证码确认绑定；返回 10 个恢复码（只显示这一次）',
        body: TotpCodeBody,
        response: { 200: style.Data(RecoveryCodes) },
      },
      config: { auth: 'caller', errors: answers('MFA_STATE_CONFLICT', 'MFA_CODE_INVALID') },
    },
    async (request) => {
      const { recoveryCodes } = await core.secondFactors.totp.confirm(request.caller, request.body.code, startOf(request));
      return style.data('两步验证已启用，请妥善保存恢复码', { recovery_codes: recoveryCodes });
    },
  );

  app.delete(
    '/mfa/totp',
    stepUp('解除身份验证器（需要密码和验证码）；恢复码随之失效', style.Said, 'MFA_STATE_CONFLICT', 'LAST_FACTOR_REQUIRED'),
    async (request) => {
      await core.secondFactors.totp.remove(request.caller, request.body);
      return style.said('身份验证器已解除');
    },
  );

  app.post(
    '/mfa/recovery-codes',
    stepUp('重新生成 10 个恢复码（需要密码和验证码）；旧的恢复码立即失效', style.Data(RecoveryCodes), 'MFA_STATE_CONFLICT'),
    async (request) => {
      const codes = await core.secondFactors.totp.regenerateRecoveryCodes(request.caller, request.body);
      return style.data('恢复码已重新生成，请妥善保存', { recovery_codes: codes });
    },
  );

  // Passkeys (WebAuthn, RP ID from PUBLIC_URL): adding one (Bearer), and signing in with one, alone or as the second step.
  app.post(
    '/mfa/passkeys/register/options',
    stepUp('开始添加通行密钥（passkey）：浏览器的注册选项；需要重新验证身份（密码，已有身份验证器时加验证码）', style.Data(CeremonyStart)),
    async (request) => {
      const { ceremonyId, options } = await core.secondFactors.passkeys.registrationOptions(request.caller, request.body);
      return style.data('请在浏览器中完成通行密钥注册', { ceremony_id: ceremonyId, options });
    },
  );
  app.post(
    '/mfa/passkeys/register/verify',
    {
      schema: { tags, summary: '完成添加通行密钥', body: PasskeyRegisterBody, response: { 200: style.Data(PasskeyView) } },
      config: { auth: 'caller', errors: answers('MFA_TOKEN_INVALID', 'MFA_CODE_INVALID') },
    },
    async (request) => {
      const { ceremony_id, credential, name } = request.body;
      const { passkey } = await core.secondFactors.passkeys.add(
        request.caller,
        ceremony_id,
        credential as unknown as RegistrationResponseJSON,
        name ?? '',
        startOf(request),
      );
      return style.data('通行密钥已添加', { id: passkey.id, name: passkey.name, created_at: zuluUtc(passkey.createdAt) });
    },
  );
  app.delete(
    '/mfa/passkeys/:id',
    {
      schema: { tags, summary: '删除一个通行密钥（需要重新验证身份）', params: PasskeyParams, body: StepUpBody, response: { 200: style.Said } },
      preValidation: noBodyIsEmpty,
      config: {
        auth: 'caller',
        errors: { ...answers('LAST_FACTOR_REQUIRED', ...STEP_UP), NOT_FOUND: [404, '通行密钥不存在', 'PASSKEY_NOT_FOUND'] },
      },
    },
    async (request) => {
      await core.secondFactors.passkeys.remove(request.caller, request.params.id, request.body);
      return style.said('通行密钥已删除');
    },
  );
}

function statusView(status: SecondFactorStatus, methods: string[]) {
  return {
    methods,
    totp: status.totp,
    recovery_codes_left: status.recoveryCodesLeft,
    passkeys: status.passkeys.map((p) => ({ id: p.id, name: p.name, created_at: zuluUtc(p.createdAt), last_used_at: zuluOrNull(p.lastUsedAt) })),
  };
}
