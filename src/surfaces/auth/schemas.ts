import { Type } from 'typebox';

/** Letters (any script), digits, `_`, `.`, `-`; no `@`, so it never reads as an email on `/api/v1/auth`'s either-login. */
export const USERNAME = Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N}_.-]+$', examples: ['alice'] });

/** 8-128 characters with at least one letter and one digit (the rule this API documents). */
const PASSWORD = Type.String({
  minLength: 8,
  maxLength: 128,
  pattern: '^(?=[\\s\\S]*\\p{L})(?=[\\s\\S]*\\p{Nd})',
  description: 'At least one letter and one digit',
});

export const RegisterBody = Type.Object(
  {
    username: USERNAME,
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: PASSWORD,
    nickname: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { examples: [{ username: 'alice', email: 'alice@example.com', password: 'wonderland42', nickname: 'Alice' }] },
);

export const LoginBody = Type.Object(
  { username: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) },
  { examples: [{ username: 'alice', password: 'wonderland42' }] },
);

export const RefreshBody = Type.Object({ refresh_token: Type.String({ maxLength: 4096 }) });

export const UpdateMeBody = Type.Object(
  {
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    nickname: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    password: Type.Optional(PASSWORD),
  },
  { examples: [{ nickname: 'Queen Alice' }] },
);

export const UserObject = Type.Object({
  username: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  nickname: Type.Union([Type.String(), Type.Null()]),
  _id: Type.String({ format: 'uuid' }),
  is_admin: Type.Boolean(),
  is_active: Type.Boolean(),
  created_at: Type.String({ examples: ['2023-12-31T12:00:00'] }),
  updated_at: Type.String({ examples: ['2023-12-31T12:00:00'] }),
});

export const LoginAnswer = Type.Object({ access_token: Type.String(), refresh_token: Type.String(), token_type: Type.Literal('bearer') });
export const RefreshAnswer = Type.Object({ access_token: Type.String(), token_type: Type.Literal('bearer') });
