// `gatehouse copy` must carry every table that defines an account: each table
// the migrations create is either copied or listed, with its reason, as left
// behind (a table added by a later migration fails here until it is placed);
// and every row of a copied table arrives as it was, across batches, its
// sealed secret sealed again under the target's key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { SecretBox } from '../../src/core/secret-box.ts';
import { migrateToLatest } from '../../src/store/migrations/migrate.ts';
import { copyDatabase } from '../../src/store/moving-in/copy-database.ts';
import { COPIED, NOT_COPIED, type Row } from '../../src/store/moving-in/copy-plan.ts';
import { openDatabase, type DatabaseTarget } from '../../src/store/open-stores.ts';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';

const backends = backendUrls();

/** The tables (and their columns) a fresh database has after every migration. */
async function migratedTables(target: Exclude<DatabaseTarget, { kind: 'memory' }>): Promise<Map<string, string[]>> {
  const { db, dialect } = await openDatabase(target);
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  } finally {
    await db.destroy();
  }
}

function checkPlan(tables: Map<string, string[]>): void {
  const copied = COPIED.map((t) => t.name as string);
  const left = Object.keys(NOT_COPIED);
  for (const name of tables.keys()) {
    assert.ok(
      copied.includes(name) || left.includes(name),
      `${name}: neither copied by gatehouse copy nor listed in NOT_COPIED (src/store/moving-in/copy-plan.ts)`,
    );
  }
  for (const name of [...copied, ...left]) assert.ok(tables.has(name), `${name} is in the copy plan but no migration creates it`);
  assert.deepEqual(
    copied.filter((name) => left.includes(name)),
    [],
    'a table is either copied or left behind',
  );
  for (const table of COPIED) {
    const columns = tables.get(table.name)!;
    for (const key of table.key) assert.ok(columns.includes(key), `${table.name}.${key}: the copy reads in this key's order`);
    // A secret sealed with MFA_ENCRYPTION_KEY must be re-sealed under the target's key, or it does not open there.
    const sealed = columns.filter((c) => c.startsWith('sealed_'));
    assert.deepEqual(sealed, table.sealed ? [table.sealed.column] : [], `${table.name}: every sealed column has its re-sealing rule`);
  }
}

describe('the copy plan covers every table the migrations create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-plan-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SQLite', async () => {
    checkPlan(await migratedTables({ kind: 'sqlite', path: join(dir, 'plan.db') }));
  });

  test('PostgreSQL', { skip: backends ? false : NO_BACKENDS }, async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    try {
      checkPlan(await migratedTables({ kind: 'postgres', url: db.url }));
    } finally {
      await db.drop();
    }
  });
});

type Place = Exclude<DatabaseTarget, { kind: 'memory' }>;

const KEY_A = 'source-key-source-key-source-key-0123456789';
const KEY_B = 'target-key-target-key-target-key-0123456789';

/** Rows in every copied table, several per batch of 2, composite keys with several rows per first column. */
async function fill(place: Place, box: SecretBox): Promise<void> {
  const { db, dialect } = await openDatabase(place);
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
    // Columns with defaults left out: the schema types list every column.
    const loose = db as unknown as Kysely<Record<string, Row>>;
    const at = 1_700_000_000_000;
    const users = [1, 2, 3, 4, 5];
    await loose
      .insertInto('users')
      .values(
        users.map((id) => ({
          id,
          uuid: `uuid-${id}`,
          email: `u${id}@example.com`,
          password_hash: `$argon2id$${id}`,
          created_at: at + id,
          updated_at: at,
          bio: id === 3 ? 'ünïcødé ✓' : null,
        })),
      )
      .execute();
    await loose
      .insertInto('totp_factors')
      .values(
        [1, 2, 3].map((id) => ({ user_id: id, sealed_secret: box.seal(`SECRET${id}`, `totp:${id}`), created_at: at, confirmed_at: id === 3 ? null : at })),
      )
      .execute();
    await loose
      .insertInto('recovery_codes')
      .values([1, 2].flatMap((id) => ['a', 'b', 'c'].map((c) => ({ user_id: id, code_hash: `${c}${id}`, created_at: at }))))
      .execute();
    await loose
      .insertInto('passkeys')
      .values(
        ['p1', 'p2', 'p3'].map((id, i) => ({
          id,
          user_id: i + 1,
          public_key: `pk-${id}`,
          counter: i,
          transports: '["usb"]',
          name: id,
          backed_up: i % 2,
          created_at: at,
          last_used_at: null,
        })),
      )
      .execute();
    await loose
      .insertInto('verifications')
      .values(
        [1, 2, 3].flatMap((id) =>
          ['email', 'phone'].map((channel) => ({
            user_id: id,
            channel,
            target: `${channel}-${id}`,
            token_hash: `t-${channel}-${id}`,
            code_hash: `c-${id}`,
            created_at: at,
            expires_at: at + 1,
            attempts_left: 5,
          })),
        ),
      )
      .execute();
    await loose
      .insertInto('password_resets')
      .values(['r1', 'r2', 'r3'].map((token_hash, i) => ({ token_hash, user_id: i + 1, created_at: at, expires_at: at + 1, used_at: i === 0 ? at : null })))
      .execute();
    await loose
      .insertInto('oidc_clients')
      .values(
        ['c1', 'c2', 'c3'].map((client_id, i) => ({
          client_id,
          name: client_id,
          secret_hash: i === 0 ? null : `h-${client_id}`,
          redirect_uris: '["https://a.example/cb"]',
          id_token_alg: 'RS256',
          created_at: at,
        })),
      )
      .execute();
    await loose
      .insertInto('signing_keys')
      .values(
        ['k1', 'k2', 'k3'].map((kid, i) => ({
          kid,
          alg: 'ES256',
          sealed_private_jwk: box.seal(`{"d":"${kid}"}`, `signing-key:${kid}`),
          public_jwk: `{"kid":"${kid}"}`,
          created_at: at + i,
          verify_until: at + 10,
          retired_at: null,
        })),
      )
      .execute();
    await loose
      .insertInto('audit_events')
      .values(
        [1, 2, 3, 4, 5].map((id) => ({
          id,
          at: at + id,
          type: 'login.succeeded',
          user_id: id === 5 ? null : id,
          ip: '192.0.2.1',
          user_agent: null,
          actor_id: null,
          detail: `#${id}`,
        })),
      )
      .execute();
    await loose
      .insertInto('products')
      .values(
        [7, 8, 9].map((id) => ({
          id,
          model: `M${id}`,
          quantity: id,
          image: `catalog/${id}.png`,
          price: id + 0.25,
          name: `P${id}`,
          description: '',
          featured_rank: null,
          status: 'enabled',
          viewed: 0,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    await loose
      .insertInto('outbox')
      .values([1, 2, 3].map((id) => ({ id, recipient: `u${id}@example.com`, subject: 's', body: 'b', created_at: at })))
      .execute();
    const endpoints = ['ep_1', 'ep_2', 'ep_3'];
    await loose
      .insertInto('webhook_endpoints')
      .values(
        endpoints.map((id, i) => ({
          id,
          url: `https://hooks.example/${id}`,
          description: '',
          event_types: i === 0 ? '' : ',user.created,',
          enabled: i === 2 ? 0 : 1,
          disabled_reason: i === 2 ? 'gone' : null,
          failing_since: i === 1 ? at : null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    await loose
      .insertInto('webhook_secrets')
      .values(
        ['wsk_1', 'wsk_2', 'wsk_3'].map((id, i) => ({
          id,
          endpoint_id: 'ep_1',
          sealed_secret: box.seal(`whsec_${id}`, `webhook-secret:${id}`),
          created_at: at + i,
          expires_at: i === 2 ? null : at + 100,
        })),
      )
      .execute();
    await loose
      .insertInto('webhook_events')
      .values(['msg_1', 'msg_2', 'msg_3'].map((id) => ({ id, type: 'user.created', body: `{"id":"${id}"}`, created_at: at })))
      .execute();
    await loose
      .insertInto('webhook_deliveries')
      .values(
        [1, 2, 3].map((id) => ({
          id,
          event_id: `msg_${id}`,
          event_type: 'user.created',
          endpoint_id: 'ep_1',
          status: id === 1 ? 'delivered' : 'pending',
          attempts: id - 1,
          next_attempt_at: id === 1 ? null : at + id,
          claim: null,
          last_attempt_at: id === 1 ? at : null,
          last_status: id === 1 ? 204 : null,
          last_error: null,
          last_duration_ms: id === 1 ? 12 : null,
          created_at: at,
        })),
      )
      .execute();
    const orgs = ['org-1', 'org-2', 'org-3'];
    await loose
      .insertInto('organizations')
      .values(orgs.map((id, i) => ({ id, name: `Org ${i}`, slug: `org-${i}`, created_by: i === 2 ? null : i + 1, created_at: at, updated_at: at })))
      .execute();
    await loose
      .insertInto('org_memberships')
      .values(
        orgs.flatMap((org_id) =>
          [1, 2].map((user_id) => ({ org_id, user_id, roles: user_id === 1 ? ',owner,' : ',member,billing,', created_at: at, updated_at: at })),
        ),
      )
      .execute();
    await loose
      .insertInto('org_roles')
      .values(['billing', 'reader', 'writer'].map((name) => ({ name, description: '', permissions: `["${name}:read"]`, created_at: at, updated_at: at })))
      .execute();
    await loose
      .insertInto('org_invitations')
      .values(
        ['inv_1', 'inv_2', 'inv_3'].map((id, i) => ({
          id,
          org_id: 'org-1',
          email: `i${i}@example.com`,
          roles: ',admin,',
          token_hash: `h-${id}`,
          invited_by: 1,
          created_at: at,
          expires_at: at + 1000,
        })),
      )
      .execute();
    // Upstream identity providers (their client secret sealed) and identities linked through them.
    await loose
      .insertInto('identity_providers')
      .values(
        ['corp', 'google', 'okta'].map((id, i) => ({
          id,
          kind: 'oidc',
          name: id,
          issuer: `https://${id}.example`,
          client_id: `client-${id}`,
          sealed_client_secret: box.seal(`secret-${id}`, `idp-secret:${id}`),
          audiences: i === 0 ? '["ios"]' : '[]',
          domains: '[]',
          signup: i === 1 ? 0 : 1,
          trust_mfa: 0,
          enabled: 1,
          created_at: at + i,
          updated_at: at + i,
        })),
      )
      .execute();
    await loose
      .insertInto('linked_identities')
      .values(
        [1, 2, 3].map((id) => ({
          issuer: 'https://corp.example',
          subject: `sub-${id}`,
          provider_id: 'corp',
          user_id: id,
          email: `u${id}@example.com`,
          email_verified: id % 2,
          created_at: at,
          last_used_at: id === 1 ? null : at,
        })),
      )
      .execute();
  } finally {
    await db.destroy();
  }
}

/** Every row of every copied table, in key order. */
async function contents(place: Place): Promise<Record<string, Row[]>> {
  const { db } = await openDatabase(place);
  try {
    const all: Record<string, Row[]> = {};
    for (const table of COPIED) {
      let query = (db as unknown as Kysely<Record<string, Row>>).selectFrom(table.name).selectAll();
      for (const column of table.key) query = query.orderBy(column);
      // Plain objects (node:sqlite's rows have no prototype), to compare across drivers.
      all[table.name] = (await query.execute()).map((row) => ({ ...row }));
    }
    return all;
  } finally {
    await db.destroy();
  }
}

async function copiesEveryRow(from: Place, to: Place): Promise<void> {
  const a = new SecretBox(KEY_A);
  const b = new SecretBox(KEY_B);
  await fill(from, a);
  const report = await copyDatabase(from, to, { from: { box: a, origin: 'A' }, to: { box: b, origin: 'B' } }, 2);
  const before = await contents(from);
  const afterCopy = await contents(to);
  for (const table of COPIED) {
    const rows = before[table.name]!;
    assert.ok(rows.length >= 3, `${table.name}: more rows than a batch`);
    assert.equal(report[table.name], rows.length, table.name);
    const copied = afterCopy[table.name]!;
    const sealed = table.sealed;
    if (!sealed) {
      assert.deepEqual(copied, rows, table.name);
      continue;
    }
    // The sealed column opens under the target's key, to the same secret, and no longer under the source's.
    assert.deepEqual(
      copied.map((r) => ({ ...r, [sealed.column]: null })),
      rows.map((r) => ({ ...r, [sealed.column]: null })),
      table.name,
    );
    for (const [i, row] of copied.entries()) {
      const context = sealed.context(row);
      assert.equal(b.open(String(row[sealed.column]), context), a.open(String(rows[i]![sealed.column]), context));
      assert.throws(() => a.open(String(row[sealed.column]), context), /does not open/);
    }
  }
  // A row added after the copy takes the next id, not a copied one (PostgreSQL's sequences were moved).
  const { db } = await openDatabase(to);
  try {
    const at = Date.now();
    const fresh = {
      users: { uuid: 'uuid-new', email: 'new@example.com', password_hash: 'x', created_at: at, updated_at: at },
      audit_events: { at, type: 'login.succeeded' },
      outbox: { recipient: 'new@example.com', subject: 's', body: 'b', created_at: at },
      webhook_deliveries: {
        event_id: 'msg_1',
        event_type: 'user.created',
        endpoint_id: 'ep_1',
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
      },
    };
    for (const table of COPIED.filter((t) => t.serial)) {
      const row = fresh[table.name as keyof typeof fresh];
      assert.ok(row, `${table.name}: a fresh row for this serial table`);
      const added = await (db as unknown as Kysely<Record<string, Row>>).insertInto(table.name).values(row).returning('id').executeTakeFirstOrThrow();
      assert.equal(Number(added.id), Math.max(...before[table.name]!.map((r) => Number(r.id))) + 1, table.name);
    }
  } finally {
    await db.destroy();
  }
}

describe('every row arrives as it was, across batches, sealed again under the target key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-rows-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SQLite → SQLite', async () => {
    await copiesEveryRow({ kind: 'sqlite', path: join(dir, 'a.db') }, { kind: 'sqlite', path: join(dir, 'b.db') });
  });

  test('SQLite → PostgreSQL → SQLite', { skip: backends ? false : NO_BACKENDS }, async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    try {
      await copiesEveryRow({ kind: 'sqlite', path: join(dir, 'c.db') }, { kind: 'postgres', url: db.url });
      const back = await freshDatabase(backends!.databaseUrl);
      try {
        await copiesEveryRow({ kind: 'postgres', url: back.url }, { kind: 'sqlite', path: join(dir, 'd.db') });
      } finally {
        await back.drop();
      }
    } finally {
      await db.drop();
    }
  });
});
