import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ProfileChanges } from '../../core/accounts.ts';
import { envelopeRenderer, ok } from '../shared/envelope.ts';
import { useErrors } from '../shared/documented-answers.ts';
import type { SurfaceOptions } from '../shared/surface.ts';
import { zuluUtc } from '../shared/timestamps.ts';
import { V1_USERS_ERRORS } from './errors.ts';
import { ProfileAnswer, ProfileBody, ProfileUpdateAnswer, SettingsAnswer, SettingsBody } from './schemas.ts';

const TAG = 'v1-users (profile and settings, envelope)';

/** Keys in the order the contract lists them, for `updated_settings` / `updated_fields`. */
function givenKeys<T extends object>(body: T, order: ReadonlyArray<keyof T & string>): string[] {
  return order.filter((k) => body[k] !== undefined);
}

/** Seed 003's `/api/v1/users/*`: profile and settings in the `{status, message, data}` envelope. */
export const v1UsersRoutes: FastifyPluginAsync<SurfaceOptions> = async (fastify, { core }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  useErrors(app, envelopeRenderer(V1_USERS_ERRORS));

  app.get('/profile', { schema: { tags: [TAG], summary: '获取用户信息', response: { 200: ProfileAnswer } }, config: { auth: 'caller' } }, async (request) => {
    const { user: u } = request.caller;
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

  app.put(
    '/settings',
    { schema: { tags: [TAG], summary: '更新用户配置', body: SettingsBody, response: { 200: SettingsAnswer } }, config: { auth: 'caller' } },
    async (request) => {
      const { user } = request.caller;
      const b = request.body;
      const changes: ProfileChanges = { language: b.language, theme: b.theme };
      if (b.notifications) changes.notifications = { ...user.notifications, ...b.notifications };
      await core.accounts.updateProfile(user, changes);
      return ok('配置更新成功', { updated_settings: givenKeys(b, ['language', 'theme', 'notifications']) });
    },
  );

  app.put(
    '/profile',
    { schema: { tags: [TAG], summary: '更新用户基本信息', body: ProfileBody, response: { 200: ProfileUpdateAnswer } }, config: { auth: 'caller' } },
    async (request) => {
      const { user } = request.caller;
      const b = request.body;
      await core.accounts.updateProfile(user, { fullName: b.full_name, gender: b.gender, age: b.age, birthDate: b.birth_date });
      return ok('用户信息更新成功', { uuid: user.uuid, updated_fields: givenKeys(b, ['full_name', 'gender', 'age', 'birth_date']) });
    },
  );
};
