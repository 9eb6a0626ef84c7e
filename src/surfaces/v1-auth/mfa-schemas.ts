import { Type } from 'typebox';

const SIX_DIGITS = Type.String({ pattern: '^[0-9]{6}$', examples: ['123456'] });

/** The second step of a login: the mfa_token and one TOTP code or one recovery code. */
export const MfaVerifyBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 256 }),
    code: Type.Optional(SIX_DIGITS),
    recovery_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { examples: [{ mfa_token: 'mfa_token_from_login', code: '123456' }] },
);

export const TotpCodeBody = Type.Object({ code: SIX_DIGITS }, { examples: [{ code: '123456' }] });

/** The fresh proof a change to the account's protection needs (core/second-factors/step-up.ts). */
const STEP_UP_FIELDS = {
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: "the account's password" })),
  code: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'an authenticator code or a recovery code, when the account has an authenticator app',
    }),
  ),
};
export const StepUpBody = Type.Object(STEP_UP_FIELDS, {
  description:
    'Not needed when this session signed in with a second factor within STEP_UP_MAX_AGE_SECONDS; otherwise the password, and a code when the account has an authenticator app (403 STEP_UP_REQUIRED without them)',
  examples: [{ password: 'password123', code: '123456' }],
});

export const TotpSetup = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an authenticator app' }),
  otpauth_uri: Type.String(),
  qr_svg: Type.String({ description: 'the otpauth URI as an SVG QR code' }),
});

export const RecoveryCodes = Type.Object({ recovery_codes: Type.Array(Type.String(), { description: '10 codes, each usable once; shown only now' }) });

export const MfaStatus = Type.Object({
  methods: Type.Array(Type.String(), { description: 'what a login can finish with: totp, recovery_code, webauthn' }),
  totp: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('active')]),
  recovery_codes_left: Type.Integer(),
  passkeys: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
      last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
});

const SecondStep = { mfa_token: Type.String(), methods: Type.Array(Type.String()) };

/** 403 of a login for an enrolled account, plain style: `{detail, mfa_required, mfa_token, methods}` (other 403s: `{detail}`). */
export const PlainLogin403 = Type.Object({
  detail: Type.String(),
  mfa_required: Type.Optional(Type.Boolean()),
  mfa_token: Type.Optional(SecondStep.mfa_token),
  methods: Type.Optional(SecondStep.methods),
});

/** 403 of a login for an enrolled account, envelope style: the error envelope with `data: {mfa_token, methods}`. */
export const EnvelopeLogin403 = Type.Object({
  status: Type.Literal('error'),
  message: Type.String(),
  code: Type.String(),
  data: Type.Optional(Type.Object(SecondStep)),
});

/** A WebAuthn ceremony to run in the browser (`startRegistration` / `startAuthentication` of @simplewebauthn/browser). */
export const CeremonyStart = Type.Object({ ceremony_id: Type.String(), options: Type.Unknown({ description: 'PublicKeyCredential options JSON' }) });

const Credential = Type.Object({ id: Type.String({ maxLength: 1024 }) }, { additionalProperties: true, description: 'what the browser library returned' });

export const PasskeyRegisterBody = Type.Object({
  ceremony_id: Type.String({ minLength: 1, maxLength: 128 }),
  credential: Credential,
  name: Type.Optional(Type.String({ maxLength: 64 })),
});

export const PasskeySignInBody = Type.Object({
  ceremony_id: Type.String({ minLength: 1, maxLength: 128 }),
  credential: Credential,
  mfa_token: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: "the login's mfa_token: the passkey as its second step; without it, a sign-in with the passkey alone",
    }),
  ),
});

export const PasskeyView = Type.Object({ id: Type.String(), name: Type.String(), created_at: Type.String({ format: 'date-time' }) });
export const PasskeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });
