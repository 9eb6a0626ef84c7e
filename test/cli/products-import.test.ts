import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStores } from '../../src/store/open-stores.ts';
import { runCli } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CSV = [
  'id,model,quantity,image,price,name,description,featured_rank,status',
  '1099,CQRJSTEL-A,999,catalog/CQRobot/JST EL/JST EL 2P-1.jpg,6.16,"JST EL - 2 Pin Connector Kit","<p>Pitch 2.5 mm, <b>2 pins</b></p>",1,enabled',
  '1100,CQRJSTEL-B,10,catalog/x.jpg,abc,Bad price,,,',
  '1120,CQRMCP23017A,50,catalog/CQRobot/MCP23017/MCP23017-1.JPG,12.5,"Ocean: MCP23017, IO ""Expansion"" Board","<ul>',
  '<li>16 GPIO</li>',
  '<li>I2C, 3.3/5 V</li>',
  '</ul>",,enabled',
  ',NOID,1,catalog/y.jpg,1,No id,,,',
  '1121,CQRPCA9685A,5,catalog/../../etc/passwd,3,Escape,,,',
  '993,CQRJSTPH-A,999,catalog/CQRobot/2.0JST C/CQRJST2.0-C-1.jpg,5.5,JST PH - 2 / 3 / 4 Pin Connector Kit,"<script>alert(1)</script>",,disabled',
].join('\r\n');

test('products import: good rows kept exactly, bad rows reported by line, a summary line; --strict imports nothing', async () => {
  const file = join(dir, 'products.csv');
  writeFileSync(file, CSV);

  const strictEnv = { DATA_DIR: join(dir, 'strict') };
  const strict = runCli(['products', 'import', file, '--strict'], strictEnv);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /imported 0, updated 0, rejected 3 \(--strict: nothing was imported\)/);
  const strictStores = await openStores({ kind: 'sqlite', path: join(dir, 'strict', 'gatehouse.db') });
  assert.equal(await strictStores.products.count(), 0);
  await strictStores.close();

  const env = { DATA_DIR: join(dir, 'data') };
  const r = runCli(['products', 'import', file], env);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'imported 3, updated 0, rejected 3');
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'line 3: price must be a number from 0 (got "abc")',
    'line 8: id is missing',
    'line 9: image must be a relative path inside the image folder',
  ]);

  const stores = await openStores({ kind: 'sqlite', path: join(dir, 'data', 'gatehouse.db') });
  try {
    assert.equal(await stores.products.count(), 3);
    const mcp = await stores.products.get(1120);
    assert.equal(mcp?.name, 'Ocean: MCP23017, IO "Expansion" Board');
    assert.equal(mcp?.description, '<ul>\r\n<li>16 GPIO</li>\r\n<li>I2C, 3.3/5 V</li>\r\n</ul>');
    const el = await stores.products.get(1099);
    assert.deepEqual([el?.price, el?.featuredRank, el?.description], [6.16, 1, '<p>Pitch 2.5 mm, <b>2 pins</b></p>']);
    const ph = await stores.products.get(993);
    assert.deepEqual([ph?.status, ph?.description], ['disabled', '<script>alert(1)</script>']);
    assert.equal(await stores.products.get(1100), null);
    assert.equal(await stores.products.get(1121), null);
  } finally {
    await stores.close();
  }

  const again = runCli(['products', 'import', file], env);
  assert.equal(again.stdout.trim(), 'imported 0, updated 3, rejected 3');
});

test('products import: JSON arrays and JSON lines', () => {
  const env = { DATA_DIR: join(dir, 'json') };
  const array = join(dir, 'p.json');
  writeFileSync(array, JSON.stringify([{ id: 1, model: 'A', quantity: 1, image: 'catalog/a.png', price: 1.5, name: 'A' }, { id: 'x' }]));
  assert.equal(runCli(['products', 'import', array], env).stdout.trim(), 'imported 1, updated 0, rejected 1');
  const lines = join(dir, 'p.jsonl');
  writeFileSync(lines, '{"id": 2, "model": "B", "quantity": 0, "image": "catalog/b.png", "price": 0, "name": "B"}\n\nnot json\n');
  const r = runCli(['products', 'import', lines, '--format', 'json'], env);
  assert.equal(r.stdout.trim(), 'imported 1, updated 0, rejected 1');
  assert.match(r.stderr, /line 3: id is missing/);
});

test('products import: bad invocations are one line, exit 2', () => {
  const env = { DATA_DIR: join(dir, 'bad') };
  writeFileSync(join(dir, 'x.txt'), 'x');
  writeFileSync(join(dir, 'noheader.csv'), 'a,b\n1,2\n');
  for (const args of [
    ['products'],
    ['products', 'import'],
    ['products', 'import', join(dir, 'missing.csv')],
    ['products', 'import', join(dir, 'x.txt')],
    ['products', 'import', join(dir, 'noheader.csv')],
  ]) {
    const r = runCli(args, env);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
