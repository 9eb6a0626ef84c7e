// Organisations at 10,000 × 100 on SQLite (issue 35): rows made directly in SQL
// (10,000 organisations, 100,000 accounts each a member of 10, so every
// organisation has 100 members: 1,000,000 memberships), then "my
// organisations" (one page of 50) and "one membership" read through the real
// SQL adapter, many times each, median and p99: warm (each read made once
// before, as a service's hot rows are) and cold (the first read of its rows).
//   node_modules/.bin/node bench/organizations.ts [organisations] [folder]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStores } from '../src/store/open-stores.ts';

const orgs = Number(process.argv[2] ?? 10_000);
const members = 100;
const perAccount = 10;
const accounts = (orgs * members) / perAccount;
const folder = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'gatehouse-orgs-bench-'));
const path = join(folder, 'orgs.db');

const made = performance.now();
(await openStores({ kind: 'sqlite', path })).close();
const db = new DatabaseSync(path);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
const uuid = (expr: string) => `lower(printf('%08x-0000-4000-8000-%012x', ${expr}, ${expr}))`;
db.exec(`
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${accounts})
  INSERT INTO users (id, uuid, email, username, username_key, password_hash, created_at, updated_at)
  SELECT i, ${uuid('i')}, 'u' || i || '@bench.example', 'U' || i, 'u' || i, 'x', 0, 0 FROM n`);
db.exec(`
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${orgs})
  INSERT INTO organizations (id, name, slug, created_by, created_at, updated_at)
  SELECT ${uuid('i + 4026531840')}, 'Org ' || i, 'org-' || i, NULL, 0, 0 FROM n`);
// Account a is in organisations (a * 7 + k * 1009) mod orgs, k < 10: each organisation gets 100 members.
db.exec(`
  WITH RECURSIVE a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < ${accounts}),
       k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${perAccount - 1})
  INSERT OR IGNORE INTO org_memberships (org_id, user_id, roles, created_at, updated_at)
  SELECT ${uuid(`((a.i * ${perAccount} + k.j) % ${orgs}) + 1 + 4026531840`)}, a.i, CASE WHEN k.j = 0 THEN ',owner,' ELSE ',member,' END, 0, 0 FROM a, k`);
db.exec('ANALYZE');
const count = (db.prepare('SELECT count(*) AS n FROM org_memberships').get() as { n: number }).n;
const perOrg = db.prepare('SELECT count(*) AS n FROM org_memberships WHERE org_id = (SELECT id FROM organizations LIMIT 1)').get() as { n: number };
db.close();
console.log(
  `${orgs.toLocaleString('en')} organisations, ${accounts.toLocaleString('en')} accounts, ${count.toLocaleString('en')} memberships (${perOrg.n} in the first) made in ${((performance.now() - made) / 1000).toFixed(1)} s`,
);

const stores = await openStores({ kind: 'sqlite', path });
const runs = 2_000;
/**
 * Median and p99 of `runs` reads. Warm (the default): the same reads made once before, as a service's hot rows are;
 * cold: each read the first of its rows since the database was written (pages not yet in SQLite's cache).
 */
const measure = async (name: string, call: (i: number) => Promise<unknown>, warm = true) => {
  if (warm) for (let i = 0; i < runs; i++) await call(i * 37);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call(i * 37);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return `| ${name} | ${runs} | ${at(0.5).toFixed(3)} | ${at(0.99).toFixed(3)} |`;
};
const account = (i: number) => (i % accounts) + 1;
const orgOf = (i: number) => {
  const n = ((account(i) * perAccount) % orgs) + 1 + 4026531840;
  return `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
};
// First the cold pass, on accounts the warm rows do not read (offset by half the accounts): what a first visit costs.
const cold = (i: number) => i + Math.floor(accounts / 2);
const rows = [
  await measure('my organisations, cold (each account read for the first time)', (i) => stores.organizations.ofUser(account(cold(i)), 51, 0), false),
  await measure('one membership, cold (each read for the first time)', (i) => stores.organizations.membership(orgOf(cold(i)), account(cold(i))), false),
  await measure('my organisations (`ofUser`, a page of 50: 10 rows)', (i) => stores.organizations.ofUser(account(i), 51, 0)),
  await measure('one membership (`membership(org, user)`)', (i) => stores.organizations.membership(orgOf(i), account(i))),
  await measure('members of an organisation (`members`, a page of 50 of 100)', (i) => stores.organizations.members(orgOf(i), 51, 0)),
];
await stores.close();
console.log('| read (SQL adapter, SQLite) | runs | median ms | p99 ms |\n| --- | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
if (!process.argv[3]) rmSync(folder, { recursive: true, force: true });
