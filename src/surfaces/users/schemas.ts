import { Type } from 'typebox';

const Name = Type.Union([Type.String({ maxLength: 100 }), Type.Null()]);

export const RegisterBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, examples: ['alice@example.com'] }),
    password: Type.String({ minLength: 8, maxLength: 128, examples: ['correct-horse-42'] }),
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    phone_number: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  },
  {
    description: 'At least one of first_name, last_name, phone_number must be given and not blank (otherwise 422 with that sentence as detail).',
    examples: [{ email: 'alice@example.com', password: 'correct-horse-42', first_name: 'Alice', last_name: 'Liddell', phone_number: '13800138000' }],
  },
);

export const LoginBody = Type.Object(
  { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) },
  { examples: [{ email: 'alice@example.com', password: 'correct-horse-42' }] },
);

export const ResetPasswordBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    old_password: Type.String({ maxLength: 1024 }),
    new_password: Type.String({ minLength: 8, maxLength: 128 }),
  },
  { examples: [{ email: 'alice@example.com', old_password: 'correct-horse-42', new_password: 'battery-staple-43' }] },
);

export const Message = Type.Object({ message: Type.String() });
export const Detail = Type.Object({ detail: Type.Unknown() });

export const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  /** Minutes, as seed 000 says. */
  expires_in: Type.Integer({ description: 'Access-token lifetime in minutes (180 by default)' }),
});

export const Me = Type.Object({
  email: Type.Union([Type.String(), Type.Null()]),
  first_name: Type.Union([Type.String(), Type.Null()]),
  last_name: Type.Union([Type.String(), Type.Null()]),
  phone_number: Type.Union([Type.String(), Type.Null()]),
});
