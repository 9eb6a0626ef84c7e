import { Type } from 'typebox';

/** A BCP 47 language tag such as `zh-CN` or `en`. */
const LANGUAGE = Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, examples: ['zh-CN'] });

export const SettingsBody = Type.Object(
  {
    language: Type.Optional(LANGUAGE),
    theme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')])),
    notifications: Type.Optional(Type.Object({ email: Type.Optional(Type.Boolean()), push: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ language: 'zh-CN', theme: 'dark', notifications: { email: true, push: false } }] },
);

export const ProfileBody = Type.Object(
  {
    full_name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    gender: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    age: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 150 }), Type.Null()])),
    birth_date: Type.Optional(Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: ['1990-05-17'] }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ full_name: '测试用户', gender: 'female', age: 30, birth_date: '1995-05-17' }] },
);

const Text = Type.Union([Type.String(), Type.Null()]);

export const ProfileAnswer = Type.Object({
  status: Type.Literal('success'),
  message: Type.String(),
  data: Type.Object({
    uuid: Type.String({ format: 'uuid' }),
    username: Text,
    full_name: Text,
    gender: Text,
    age: Type.Union([Type.Integer(), Type.Null()]),
    birth_date: Text,
    is_active: Type.Boolean(),
    created_at: Type.String({ examples: ['2024-01-01T10:00:00Z'] }),
    updated_at: Type.String({ examples: ['2024-01-01T10:00:00Z'] }),
  }),
});

export const SettingsAnswer = Type.Object({
  status: Type.Literal('success'),
  message: Type.String(),
  data: Type.Object({ updated_settings: Type.Array(Type.String()) }),
});
export const ProfileUpdateAnswer = Type.Object({
  status: Type.Literal('success'),
  message: Type.String(),
  data: Type.Object({ uuid: Type.String(), updated_fields: Type.Array(Type.String()) }),
});
