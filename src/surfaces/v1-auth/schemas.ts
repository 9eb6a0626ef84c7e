import { Type } from 'typebox';

/** 3-50 letters, digits, `_` or `-` (seed 004). */
export const V1_USERNAME = Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_-]+$', examples: ['testuser'] });
const PASSWORD = Type.String({ minLength: 8, maxLength: 128, examples: ['password123'] });
const OptionalText = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

export const RegisterBody = Type.Object(
  {
    username: V1_USERNAME,
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: PASSWORD,
    confirm_password: Type.String({ maxLength: 128 }),
    full_name: OptionalText(100),
    phone: OptionalText(32),
  },
  {
    examples: [
      {
        username: 'testuser',
        email: 'test@example.com',
        password: 'password123',
        confirm_password: 'password123',
        full_name: '测试用户',
        phone: '13800138000',
      },
    ],
  },
);

/** Form or JSON; `username` may be a username or an email. Other OAuth2 form fields are ignored. */
export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { examples: [{ username: 'testuser', password: 'password123' }] },
);

export const JsonLoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    remember_me: Type.Optional(Type.Boolean()),
  },
  { examples: [{ username: 'testuser', password: 'password123', remember_me: false }] },
);

export const RefreshBody = Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 4096 })) });
export const ChangePasswordBody = Type.Object(
  {
    old_password: Type.String({ maxLength: 1024 }),
    new_password: PASSWORD,
    code: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'an authenticator or recovery code: needed when the account has an authenticator app, unless this session signed in with it within STEP_UP_MAX_AGE_SECONDS',
      }),
    ),
  },
  { examples: [{ old_password: 'oldpassword123', new_password: 'newpassword123' }] },
);
export const ForgotPasswordBody = Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }, { examples: [{ email: 'test@example.com' }] });
export const ResetPasswordBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 256 }), new_password: PASSWORD },
  { examples: [{ token: 'reset_token_here', new_password: 'newpassword123' }] },
);

/** Seed 003's envelope register: email optional. */
export const EnvelopeRegisterBody = Type.Object(
  {
    username: V1_USERNAME,
    password: PASSWORD,
    full_name: OptionalText(100),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
  },
  { examples: [{ username: 'testuser', password: 'password123', full_name: '测试用户' }] },
);

export const EnvelopeRefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 4096 }) });

const Text = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({ examples: ['2024-01-01T12:00:00Z'] });

export const RegisteredUser = Type.Object({
  id: Type.Integer(),
  username: Text,
  email: Text,
  full_name: Text,
  phone: Text,
  is_superuser: Type.Boolean(),
  is_staff: Type.Boolean(),
  status: Type.String(),
  created_at: Time,
});

export const LoginUser = Type.Object({
  id: Type.Integer(),
  username: Text,
  email: Text,
  full_name: Text,
  avatar_url: Text,
  is_superuser: Type.Boolean(),
  is_staff: Type.Boolean(),
  status: Type.String(),
  created_at: Time,
  last_login_at: Type.Union([Time, Type.Null()]),
});

export const LoginAnswer = Type.Object({ access_token: Type.String(), token_type: Type.Literal('bearer'), expires_in: Type.Integer(), user: LoginUser });

export const Profile = Type.Object({
  id: Type.Integer(),
  username: Text,
  email: Text,
  full_name: Text,
  avatar_url: Text,
  bio: Text,
  phone: Text,
  is_email_verified: Type.Boolean(),
  is_phone_verified: Type.Boolean(),
  is_superuser: Type.Boolean(),
  is_staff: Type.Boolean(),
  status: Type.String(),
  language: Type.String(),
  timezone: Type.String(),
  theme: Type.String(),
  created_at: Time,
  updated_at: Time,
  last_login_at: Type.Union([Time, Type.Null()]),
  login_count: Type.Integer(),
});

export const RefreshAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  user: Type.Object({ id: Type.Integer(), username: Text, email: Text }),
});

export const Message = Type.Object({ message: Type.String() });

export const SessionView = Type.Object({
  id: Type.String(),
  created_at: Time,
  last_seen_at: Time,
  expires_at: Time,
  ip: Text,
  user_agent: Text,
  remember_me: Type.Boolean(),
  current: Type.Boolean(),
});
export const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const EndedSessions = Type.Object({ message: Type.String(), ended: Type.Integer() });

export const EnvelopeRegistered = Type.Object({ uuid: Type.String(), username: Text, full_name: Text, email: Text, created_at: Time });
export const TokenData = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});
export const EnvelopeProfile = Type.Object({ uuid: Type.String(), ...Profile.properties });

/** The mailed link's token, or the code with the address it went to. */
export const VerifyEmailBody = Type.Union(
  [
    Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
    Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
  ],
  { examples: [{ token: 'token_from_the_mail' }, { email: 'test@example.com', code: '123456' }] },
);
export const ResendVerificationBody = Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }, { examples: [{ email: 'test@example.com' }] });
export const PhoneCodeBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { examples: [{ code: '123456' }] });

/** Where a sign-in code goes: a phone number (read under PHONE_DEFAULT_REGION) or an email address; one of the two. */
const codeAddress = {
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
};

export const OtpSendBody = Type.Object(codeAddress, { examples: [{ phone: '13800138000' }, { email: 'test@example.com' }] });

export const OtpLoginBody = Type.Object(
  { ...codeAddress, code: Type.String({ minLength: 1, maxLength: 16 }), remember_me: Type.Optional(Type.Boolean()) },
  { examples: [{ phone: '13800138000', code: '123456' }] },
);
