import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/core.ts';
import type { ProfileChanges } from '../../core/accounts.ts';
import { callerOf } from '../shared/caller.ts';
import { ENVELOPE_ERROR_CODES_401, envelopeRenderer, ok } from '../shared/envelope.ts';
import { errorHandler, type ErrorMap } from '../shared/error-map.ts';
import { zuluUtc } from '../shared/timestamps.ts';
import { ProfileAnswer, ProfileBody, ProfileUpdateAnswer, SettingsAnswer, SettingsBody } from './schemas.ts';

const TAG = 'v1-users (seed 003)';
const bearerAuth = [{ bearer: [] }];

/** Seed 003's codes. */
export const V1_USERS_ERRORS: ErrorMap = {
  ...ENVELOPE_ERROR_CODES_401,
  USER_NOT_FOUND: [404, '用户不存在', 'USER_NOT_FOUND'],
  USER_DISABLED: [403, '账户已被禁用', 'USER_DISABLED'],
  STORE_UNAVAILABLE: [503, '服务暂时不可用', 'SERVICE_UNAVAILABLE'],
  RATE_LIMITED: [429, '请求过于频繁，请稍后再试', 'RATE_LIMITED'],
};

/** Keys in the order the contract lists them, for `updated_settings` / `updated_fields`. */
function givenKeys<T extends object>(body: T, order: ReadonlyArray<keyof T & string>): string[] {
  return order.filter((k) => body[k] !== undefined);
}

/** Seed 003's `/api/v1/users/*`: profile and settings in the `{status, message, data}` envelope. */
export const v1UsersSurface: FastifyPluginAsync<{ core: Core }> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(errorHandler(envelopeRenderer(V1_USERS_ERRORS)));

  app.get('/profile', { schema: { tags: [TAG], summary: '获取用户信息', security: bearerAuth, response: { 200: ProfileAnswer } } }, async (request) => {
    const { user: u } = await callerOf(core, request);
    return ok('获取用户信息成功', {
      uuid: u.uuid,
      username: u.username,
      full_name: u.fullName,
      gender: u.gender,
      age: u.age,
      birth_date: u.birthDate,
      is_active: u.status === 'active',
      created_at: zuluUtc(u.createdAt),
      updated_at: zuluUtc(u.updatedAt),
    });
  });

  app.put('/settings', { schema: { tags: [TAG], summary: '更新用户配置', security: bearerAuth, body: SettingsBody, response: { 200: SettingsAnswer } } }, async (request) => {
    const { user } = await callerOf(core, request);
    const b = request.body;
    const changes: ProfileChanges = { language: b.language, theme: b.theme };
    if (b.notifications) changes.notifications = { ...user.notifications, ...b.notifications };
    await core.accounts.updateProfile(user, changes);
    return ok('配置更新成功', { updated_settings: givenKeys(b, ['language', 'theme', 'notifications']) });
  });

  app.put('/profile', { schema: { tags: [TAG], summary: '更新用户基本信息', security: bearerAuth, body: ProfileBody, response: { 200: ProfileUpdateAnswer } } }, async (request) => {
    const { user } = await callerOf(core, request);
    const b = request.body;
    await core.accounts.updateProfile(user, { fullName: b.full_name, gender: b.gender, age: b.age, birthDate: b.birth_date });
    return ok('用户信息更新成功', { uuid: user.uuid, updated_fields: givenKeys(b, ['full_name', 'gender', 'age', 'birth_date']) });
  });
};
