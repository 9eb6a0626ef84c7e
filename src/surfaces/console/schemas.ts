import { type TOptional, type TString, Type } from 'typebox';

const text = (max: number) => Type.String({ maxLength: max });

/**
 * Optional text fields, each with its longest length: what a form or a query
 * may carry. The CSRF value is optional too: a form without it is refused as
 * forged (403), not as malformed (400).
 */
function optional<K extends string>(fields: Record<K, number>): { [P in K]: TOptional<TString> } {
  return Object.fromEntries(Object.entries<number>(fields).map(([name, max]) => [name, Type.Optional(text(max))])) as { [P in K]: TOptional<TString> };
}

/** The console's forms and queries (TypeBox: validation and the request types; hidden from the OpenAPI document). */
export const LangQuery = Type.Object(optional({ lang: 8 }));
export const DoneQuery = Type.Object(optional({ lang: 8, done: 32 }));
export const CsrfForm = Type.Object(optional({ csrf: 128 }));

export const SignInForm = Type.Object({ ...optional({ csrf: 128 }), login: text(254), password: text(1024) });
export const SecondStepForm = Type.Object({
  // `passkey`: the page offered one (the account has one), offered again after a wrong code.
  ...optional({ csrf: 128, passkey: 1 }),
  mfa_token: text(256),
  code: text(64),
});
export const PasskeyJson = Type.Object({
  ...optional({ csrf: 128, ceremony_id: 128, mfa_token: 256 }),
  credential: Type.Optional(Type.Object({ id: text(1024) }, { additionalProperties: true })),
});

export const SearchQuery = Type.Object({ ...optional({ lang: 8, q: 254, done: 32 }), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });
export const AccountParams = Type.Object({ uuid: text(64) });
export const ActionParams = Type.Object({ uuid: text(64), action: text(32) });
export const ActionForm = Type.Object({
  // An identity to unlink is named by its issuer and subject (at most what the identity store keeps).
  ...optional({ csrf: 128, session: 128, confirm: 254, issuer: 512, subject: 512 }),
  // The new address's shape, checked as every API's email field is.
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
});

/** An upstream identity provider's button and its outcome (CONSOLE_PROVIDERS); the provider's id is ProviderParams. */
export const ProviderStart = Type.Object({ ...optional({ lang: 8, csrf: 128 }) });
export const ProviderReturn = Type.Object({ ticket: Type.String({ maxLength: 64 }), ...optional({ lang: 8 }) });

export const AuditQuery = Type.Object({
  ...optional({ lang: 8, account: 254, type: 64, from: 32, to: 32 }),
  // Event ids are the database's 32-bit integers: a larger one is bad input (400), not a query PostgreSQL refuses.
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
});

export const AppParams = Type.Object({ clientId: text(64) });
export const WebhookParams = Type.Object({ id: text(64) });
export const WebhookActionParams = Type.Object({ id: text(64), action: text(32) });
export const WebhookForm = Type.Object({
  ...optional({ csrf: 128, url: 2100, description: 200, confirm: 64 }),
  // One checkbox per event type: one ticked is a string, several an array.
  events: Type.Optional(Type.Union([text(64), Type.Array(text(64), { maxItems: 64 })])),
});
export const OrganizationParams = Type.Object({ id: text(64) });
export const ReplayParams = Type.Object({ id: text(64), deliveryId: Type.Integer({ minimum: 1 }) });
export const AppActionParams = Type.Object({ clientId: text(64), action: text(32) });
export const AppForm = Type.Object(optional({ csrf: 128, name: 200, redirect_uris: 4000, id_token_alg: 16, public: 8, confirm: 64 }));
export const ProviderParams = Type.Object({ id: text(64) });
// The admin API's lengths (surfaces/admin/provider-routes.ts); audiences and domains one a line: 20 of 512, 50 of 253.
export const ProviderForm = Type.Object(
  optional({
    csrf: 128,
    kind: 16,
    id: 32,
    name: 100,
    issuer: 2048,
    client_id: 512,
    client_secret: 4096,
    team_id: 64,
    key_id: 64,
    private_key: 4096,
    audiences: 20 * 514,
    domains: 50 * 255,
    signup: 8,
    trust_mfa: 8,
    confirm: 64,
  }),
);
