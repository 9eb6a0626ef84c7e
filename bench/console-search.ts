// The staff console's account search at 1,000,000 accounts on SQLite: rows made
// directly in SQL (one statement; no hashing), then each kind of search run
// through the real SQL adapter, timed as the median of repeated runs.
//   node_modules/.bin/node bench/console-search.ts [accounts] [folder]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStores } from '../src/store/open-stores.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const folder = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'gatehouse-search-bench-'));
const path = join(folder, 'search.db');

const made = performance.now();
(await openStores({ kind: 'sqlite', path })).close();
const db = new DatabaseSync(path);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
// Emails and usernames start with 6 hex digits spread by a multiplicative hash (so prefixes spread as real names
// do), phones are +86 138 and 8 digits.
db.exec(`
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
  INSERT INTO users (id, uuid, email, username, username_key, password_hash, phone, created_at, updated_at)
  SELECT i,
         lower(printf('%08x-%04x-4%03x-8%03x-%012x', abs(random()) % 4294967296, i % 65536, i % 4096, i % 4096, i)),
         h || '.' || i || '@bench.example', 'U' || h || i, 'u' || h || i, 'x',
         '+86138' || printf('%08d', i), 0, 0
  FROM (SELECT i, printf('%06x', (i * 2654435761) % 16777216) AS h FROM n)`);
db.exec('ANALYZE');
const sample = db.prepare('SELECT uuid, email, username, phone FROM users WHERE id = ?').get(Math.ceil(count / 2)) as Record<string, string>;
db.close();
console.log(`${count.toLocaleString('en')} accounts made in ${((performance.now() - made) / 1000).toFixed(1)} s (${path})`);

const stores = await openStores({ kind: 'sqlite', path });
const cases: Array<[string, string, number]> = [
  ['a whole email', sample.email!, 0],
  ['an email prefix of 3 characters (~250 matches)', sample.email!.slice(0, 3), 0],
  ['an email prefix of 2 characters (~4,000 matches)', sample.email!.slice(0, 2), 0],
  ['an email prefix of 1 character (~62,500 matches)', sample.email!.slice(0, 1), 0],
  ['the same, page 40', sample.email!.slice(0, 1), 39 * 25],
  ['a username, any case', sample.username!.toUpperCase(), 0],
  ['a phone prefix (10 characters, ~100 matches)', sample.phone!.slice(0, 11), 0],
  ['a whole uuid', sample.uuid!, 0],
  ['no match', 'zzzz-nobody', 0],
];
const rows: string[] = [];
for (const [name, text, offset] of cases) {
  const times: number[] = [];
  let found = 0;
  for (let run = 0; run < 21; run++) {
    const start = performance.now();
    found = (await stores.users.search({ text, limit: 26, offset })).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[10]!;
  const worst = times[times.length - 1]!;
  rows.push(`| ${name} | \`${text}\` | ${found} | ${median.toFixed(2)} | ${worst.toFixed(2)} |`);
}
await stores.close();
if (!process.argv[3]) rmSync(folder, { recursive: true, force: true });
console.log(`| search (one page of 25 + 1) | text | rows | median ms | slowest ms |\n|---|---|--:|--:|--:|\n${rows.join('\n')}`);
