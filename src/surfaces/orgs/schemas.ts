import { Type, type TSchema } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ description: 'UTC, `2026-01-01T12:00:00Z`' });
const Roles = Type.Array(Type.String(), { description: 'built-in (owner, admin, member) and custom role names' });
const RoleName = Type.String({ minLength: 1, maxLength: 64 });

export const OrgParams = Type.Object({ org: Uuid });
export const MemberParams = Type.Object({ org: Uuid, user: Uuid });
export const InvitationParams = Type.Object({ org: Uuid, id: Type.String({ minLength: 1, maxLength: 64 }) });

export const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 })),
});

export const NewOrg = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), slug: Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9-]+$' }) },
  { additionalProperties: false },
);
export const OrgChange = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    slug: Type.Optional(Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const RolesBody = Type.Object({ roles: Type.Array(RoleName, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false });
export const NewInvitation = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), roles: Type.Array(RoleName, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);
export const AcceptBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const OrgView = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String(), created_at: Time });
export const MyOrgView = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String(), roles: Roles, joined_at: Time });
export const MemberView = Type.Object({
  user: Type.Object({
    uuid: Uuid,
    email: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    full_name: Type.Union([Type.String(), Type.Null()]),
  }),
  roles: Roles,
  joined_at: Time,
});
export const InvitationView = Type.Object({ id: Type.String(), email: Type.String(), roles: Roles, created_at: Time, expires_at: Time });
export const MeView = Type.Object({ organization: OrgView, roles: Roles, permissions: Type.Array(Type.String()) });
export const AcceptedView = Type.Object({ organization: OrgView, roles: Roles });
export const RoleView = Type.Object({ name: Type.String(), description: Type.String(), built_in: Type.Boolean(), permissions: Type.Array(Type.String()) });

/** A page of a list, as `/api/admin/users` answers. */
export const Listed = (item: TSchema) =>
  Type.Object({ items: Type.Array(item), limit: Type.Integer(), offset: Type.Integer(), next_offset: Type.Union([Type.Integer(), Type.Null()]) });
