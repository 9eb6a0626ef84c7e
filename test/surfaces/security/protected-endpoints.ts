import type { Client } from '../../helpers/http.ts';

export interface Endpoint {
  method: string;
  path: string;
  body?: unknown;
}

/** Bodies that pass each route's schema, so the token is what decides the answer. */
const HARMLESS_BODIES: Record<string, unknown> = {
  'PUT /api/user/me': { nickname: 'x' },
  'POST /api/v1/auth/change-password': { old_password: 'password123', new_password: 'password456' },
  'PUT /api/v1/users/profile': { gender: 'x' },
  'PUT /api/v1/users/settings': { theme: 'dark' },
  'POST /api/v1/auth/verify-phone': { code: '123456' },
  'POST /api/v1/auth/mfa/totp/confirm': { code: '123456' },
  'DELETE /api/v1/auth/mfa/totp': { password: 'password123' },
  'POST /api/v1/auth/mfa/recovery-codes': { password: 'password123' },
  'POST /api/v1/auth/mfa/passkeys/register/verify': { ceremony_id: 'x', credential: { id: 'x' } },
  'DELETE /api/v1/auth/mfa/passkeys/{id}': { password: 'password123' },
  'PATCH /api/admin/users/{uuid}': { is_email_verified: true },
  'POST /api/admin/clients': { name: 'x', redirect_uris: ['https://x.example/cb'] },
  'POST /api/admin/webhooks': { url: 'https://x.example/hook' },
  'PUT /api/admin/roles/{name}': { permissions: [] },
  'POST /api/v1/orgs': { name: 'x', slug: 'xx' },
  'PATCH /api/v1/orgs/{org}': { name: 'x' },
  'PATCH /api/v1/orgs/{org}/members/{user}': { roles: ['member'] },
  'POST /api/v1/orgs/{org}/invitations': { email: 'x@example.com', roles: ['member'] },
  'POST /api/v1/orgs/invitations/accept': { token: 'x' },
  'POST /api/admin/providers': { id: 'x', kind: 'oidc', name: 'x', issuer: 'https://x.example', client_id: 'x' },
};

/** What stands for a uuid in a path: a well-formed one that names nothing. */
export const NOBODY_UUID = '00000000-0000-4000-8000-000000000000';

/**
 * Every endpoint that needs an access token, read from the OpenAPI document's
 * `security` entries (so a new protected route is attacked without anyone
 * listing it here). Refresh endpoints are left out: their credential rules
 * (an expired token may refresh on `/api/users/refresh_token`) have their own tests.
 */
export async function protectedEndpoints(http: Client): Promise<Endpoint[]> {
  const doc = (await http('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const endpoints: Endpoint[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    if (/\/refresh(_token)?$/.test(template)) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.security?.length) continue;
      // Parameters that are uuids (an account, an organisation) get a well-formed one, so the schema lets the token decide.
      const path = template
        .replace(/\{(uuid|org|user)\}/g, NOBODY_UUID)
        .replace('{delivery_id}', '1')
        .replace(/\{[^}]+\}/g, 'x');
      const key = `${method.toUpperCase()} ${template}`;
      endpoints.push({ method: method.toUpperCase(), path, body: HARMLESS_BODIES[key] });
    }
  }
  return endpoints;
}
