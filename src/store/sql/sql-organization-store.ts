import { type Kysely, type Selectable, sql } from 'kysely';
import type { CustomRole, Invitation, MemberChange, Membership, MembershipOf, Organization, OrganizationStore } from '../../core/ports/organization-store.ts';
import type { OutboxEvent } from '../../core/ports/webhook-store.ts';
import type { Dialect } from '../migrations/dialect.ts';
import { normaliseRoles } from '../../core/organizations/rules.ts';
import type { Database, OrganizationsTable, OrgInvitationsTable, OrgMembershipsTable } from './schema.ts';
import { asUniqueViolation } from './unique-violation.ts';
import { UniqueViolation } from '../../core/ports/user-store.ts';
import { type EventSignal, typesColumn, writeEvents } from './sql-webhook-store.ts';

const rolesColumn = typesColumn;
const rolesOf = (column: string): string[] => column.split(',').filter((r) => r !== '');

const toOrg = (r: Selectable<OrganizationsTable>): Organization => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  createdBy: r.created_by == null ? null : Number(r.created_by),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toMembership = (r: Selectable<OrgMembershipsTable>): Membership => ({
  orgId: r.org_id,
  userId: Number(r.user_id),
  roles: rolesOf(r.roles),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toInvitation = (r: Selectable<OrgInvitationsTable>): Invitation => ({
  id: r.id,
  orgId: r.org_id,
  email: r.email,
  roles: rolesOf(r.roles),
  tokenHash: r.token_hash,
  invitedBy: r.invited_by == null ? null : Number(r.invited_by),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/**
 * Organisations in SQL. A change that could take the last owner away locks
 * the organisation's row first (PostgreSQL `FOR UPDATE`; SQLite runs one
 * write transaction at a time), then counts the other owners: two owners
 * demoting each other at once leave one. An invitation is spent by one
 * conditional DELETE … RETURNING: one of parallel accepts gets the row.
 */
export class SqlOrganizationStore implements OrganizationStore {
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;
  readonly #signal: EventSignal | undefined;

  constructor(db: Kysely<Database>, dialect: Dialect = 'sqlite', signal?: EventSignal) {
    this.#db = db;
    this.#dialect = dialect;
    this.#signal = signal;
  }

  /** Runs a change in a transaction; its events are written in it when it changed something. */
  async #changing<T>(events: (result: T) => readonly OutboxEvent[], change: (tx: Kysely<Database>) => Promise<T>, changed: (result: T) => boolean): Promise<T> {
    const result = await this.#db.transaction().execute(async (tx) => {
      const done = await change(tx);
      if (changed(done)) await writeEvents(tx, this.#dialect, events(done));
      return done;
    });
    if (changed(result)) this.#signal?.notify();
    return result;
  }

  /** Locks the organisation's row for the rest of the transaction (PostgreSQL; SQLite's write lock serialises already). */
  async #lock(tx: Kysely<Database>, orgId: string): Promise<void> {
    if (this.#dialect === 'postgres') await tx.selectFrom('organizations').select('id').where('id', '=', orgId).forUpdate().execute();
  }

  async #otherOwners(tx: Kysely<Database>, orgId: string, userId: number): Promise<number> {
    const r = await tx
      .selectFrom('org_memberships')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('org_id', '=', orgId)
      .where('user_id', '!=', userId)
      .where('roles', 'like', '%,owner,%')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async create(org: Organization, owner: Membership, events: readonly OutboxEvent[]): Promise<boolean> {
    try {
      await this.#changing(
        () => events,
        async (tx) => {
          await tx
            .insertInto('organizations')
            .values({ id: org.id, name: org.name, slug: org.slug, created_by: org.createdBy, created_at: org.createdAt, updated_at: org.updatedAt })
            .execute();
          await tx.insertInto('org_memberships').values(this.#membershipRow(owner)).execute();
          return true;
        },
        (done) => done,
      );
      return true;
    } catch (error) {
      if (asUniqueViolation(error) instanceof UniqueViolation) return false;
      throw error;
    }
  }

  #membershipRow(m: Membership) {
    return { org_id: m.orgId, user_id: m.userId, roles: rolesColumn(m.roles), created_at: m.createdAt, updated_at: m.updatedAt };
  }

  async get(id: string): Promise<Organization | null> {
    const r = await this.#db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  async bySlug(slug: string): Promise<Organization | null> {
    const r = await this.#db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  async update(id: string, change: { name?: string; slug?: string }, at: number, events: readonly OutboxEvent[]): Promise<Organization | null | 'slug_taken'> {
    try {
      return await this.#changing(
        () => events,
        async (tx) => {
          const r = await tx
            .updateTable('organizations')
            .set({ ...change, updated_at: at })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          return r ? toOrg(r) : null;
        },
        (done) => done !== null,
      );
    } catch (error) {
      if (asUniqueViolation(error) instanceof UniqueViolation) return 'slug_taken';
      throw error;
    }
  }

  async remove(id: string, events: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(
      () => events,
      async (tx) => {
        // Cascades would do it; explicit deletes keep it so where foreign keys are off.
        await tx.deleteFrom('org_invitations').where('org_id', '=', id).execute();
        await tx.deleteFrom('org_memberships').where('org_id', '=', id).execute();
        const r = await tx.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      (done) => done,
    );
  }

  async list(limit: number, offset: number, search?: string): Promise<Organization[]> {
    let query = this.#db.selectFrom('organizations').selectAll();
    if (search) {
      const needle = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([sql<boolean>`slug LIKE ${needle} ESCAPE '\\'`, sql<boolean>`lower(name) LIKE ${needle} ESCAPE '\\'`]));
    }
    const rows = await query.orderBy('slug').limit(limit).offset(offset).execute();
    return rows.map(toOrg);
  }

  async ofUser(userId: number, limit: number, offset: number): Promise<MembershipOf[]> {
    const rows = await this.#db
      .selectFrom('org_memberships as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select([
        'm.org_id',
        'm.user_id',
        'm.roles',
        'm.created_at',
        'm.updated_at',
        'o.name',
        'o.slug',
        'o.created_by',
        'o.created_at as org_created_at',
        'o.updated_at as org_updated_at',
      ])
      .where('m.user_id', '=', userId)
      .orderBy('m.org_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({
      ...toMembership(r),
      organization: toOrg({ id: r.org_id, name: r.name, slug: r.slug, created_by: r.created_by, created_at: r.org_created_at, updated_at: r.org_updated_at }),
    }));
  }

  async membership(orgId: string, userId: number): Promise<Membership | null> {
    const r = await this.#db.selectFrom('org_memberships').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return r ? toMembership(r) : null;
  }

  async members(orgId: string, limit: number, offset: number): Promise<Membership[]> {
    const rows = await this.#db.selectFrom('org_memberships').selectAll().where('org_id', '=', orgId).orderBy('user_id').limit(limit).offset(offset).execute();
    return rows.map(toMembership);
  }

  async addMember(member: Membership, events: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(
      () => events,
      async (tx) => {
        const r = await tx
          .insertInto('org_memberships')
          .values(this.#membershipRow(member))
          .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      },
      (done) => done,
    );
  }

  async setRoles(orgId: string, userId: number, roles: string[], at: number, events: readonly OutboxEvent[]): Promise<MemberChange> {
    return this.#changing(
      () => events,
      async (tx): Promise<MemberChange> => {
        await this.#lock(tx, orgId);
        const current = await tx.selectFrom('org_memberships').select('roles').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
        if (!current) return 'missing';
        if (rolesOf(current.roles).includes('owner') && !roles.includes('owner') && (await this.#otherOwners(tx, orgId, userId)) === 0) return 'last_owner';
        await tx
          .updateTable('org_memberships')
          .set({ roles: rolesColumn(roles), updated_at: at })
          .where('org_id', '=', orgId)
          .where('user_id', '=', userId)
          .execute();
        return 'done';
      },
      (done) => done === 'done',
    );
  }

  async removeMember(orgId: string, userId: number, events: readonly OutboxEvent[]): Promise<MemberChange> {
    return this.#changing(
      () => events,
      async (tx): Promise<MemberChange> => {
        await this.#lock(tx, orgId);
        const current = await tx.selectFrom('org_memberships').select('roles').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
        if (!current) return 'missing';
        if (rolesOf(current.roles).includes('owner') && (await this.#otherOwners(tx, orgId, userId)) === 0) return 'last_owner';
        await tx.deleteFrom('org_memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
        return 'done';
      },
      (done) => done === 'done',
    );
  }

  async soleOwnerships(userId: number): Promise<string[]> {
    const rows = await sql<{ org_id: string }>`SELECT m.org_id FROM org_memberships m
      WHERE m.user_id = ${userId} AND m.roles LIKE '%,owner,%'
      AND NOT EXISTS (SELECT 1 FROM org_memberships o WHERE o.org_id = m.org_id AND o.user_id <> m.user_id AND o.roles LIKE '%,owner,%')`.execute(this.#db);
    return rows.rows.map((r) => r.org_id);
  }

  async roles(): Promise<CustomRole[]> {
    const rows = await this.#db.selectFrom('org_roles').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      description: r.description,
      permissions: JSON.parse(r.permissions) as string[],
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  async putRole(role: CustomRole): Promise<void> {
    const row = {
      name: role.name,
      description: role.description,
      permissions: JSON.stringify(role.permissions),
      created_at: role.createdAt,
      updated_at: role.updatedAt,
    };
    await this.#db
      .insertInto('org_roles')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ description: row.description, permissions: row.permissions, updated_at: row.updated_at }))
      .execute();
  }

  async removeRole(name: string): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('org_roles').where('name', '=', name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      for (const table of ['org_memberships', 'org_invitations'] as const)
        await sql`UPDATE ${sql.table(table)} SET roles = replace(roles, ${`,${name},`}, ',') WHERE roles LIKE ${`%,${name},%`}`.execute(tx);
      return true;
    });
  }

  async addInvitation(i: Invitation, events: readonly OutboxEvent[]): Promise<void> {
    await this.#changing(
      () => events,
      async (tx) => {
        await tx
          .insertInto('org_invitations')
          .values({
            id: i.id,
            org_id: i.orgId,
            email: i.email,
            roles: rolesColumn(i.roles),
            token_hash: i.tokenHash,
            invited_by: i.invitedBy,
            created_at: i.createdAt,
            expires_at: i.expiresAt,
          })
          .execute();
        return true;
      },
      (done) => done,
    );
  }

  async invitations(orgId: string, now: number, limit: number, offset: number): Promise<Invitation[]> {
    const rows = await this.#db
      .selectFrom('org_invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toInvitation);
  }

  async invitationsFor(email: string, now: number): Promise<Invitation[]> {
    const rows = await this.#db
      .selectFrom('org_invitations')
      .selectAll()
      .where('email', '=', email)
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .execute();
    return rows.map(toInvitation);
  }

  async invitationByHash(tokenHash: string): Promise<Invitation | null> {
    const r = await this.#db.selectFrom('org_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toInvitation(r) : null;
  }

  async revokeInvitation(orgId: string, id: string, events: readonly OutboxEvent[]): Promise<boolean> {
    return this.#changing(
      () => events,
      async (tx) => {
        const r = await tx.deleteFrom('org_invitations').where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      (done) => done,
    );
  }

  async accept(tokenHash: string, userId: number, at: number, events: (membership: Membership) => readonly OutboxEvent[]): Promise<Membership | null> {
    return this.#changing(
      (m) => (m ? events(m) : []),
      async (tx): Promise<Membership | null> => {
        // The one winner: the DELETE that gets the row back.
        const spent = await tx.deleteFrom('org_invitations').where('token_hash', '=', tokenHash).where('expires_at', '>', at).returningAll().executeTakeFirst();
        if (!spent) return null;
        const invitation = toInvitation(spent);
        await this.#lock(tx, invitation.orgId);
        const existing = await tx
          .selectFrom('org_memberships')
          .selectAll()
          .where('org_id', '=', invitation.orgId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (existing) {
          const roles = normaliseRoles([...rolesOf(existing.roles), ...invitation.roles]);
          await tx
            .updateTable('org_memberships')
            .set({ roles: rolesColumn(roles), updated_at: at })
            .where('org_id', '=', invitation.orgId)
            .where('user_id', '=', userId)
            .execute();
          return { ...toMembership(existing), roles, updatedAt: at };
        }
        const membership: Membership = { orgId: invitation.orgId, userId, roles: invitation.roles, createdAt: at, updatedAt: at };
        await tx.insertInto('org_memberships').values(this.#membershipRow(membership)).execute();
        return membership;
      },
      (done) => done !== null,
    );
  }
}
