import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importProducts, parseProductRow } from '../../src/core/catalog-import.ts';
import { memoryStores } from '../../src/store/memory/memory-stores.ts';

const good = {
  id: '7',
  model: 'CQRJSTEL-A',
  quantity: '999',
  image: 'catalog/a b/c.jpg',
  price: '6.16',
  name: 'Kit',
  description: '<p>x</p>',
  featured_rank: '',
  status: '',
};

test('a good row becomes a product; blanks take defaults', () => {
  assert.deepEqual(parseProductRow({ line: 2, values: good }), {
    id: 7,
    model: 'CQRJSTEL-A',
    quantity: 999,
    image: 'catalog/a b/c.jpg',
    price: 6.16,
    name: 'Kit',
    description: '<p>x</p>',
    featuredRank: null,
    status: 'enabled',
  });
  assert.equal((parseProductRow({ line: 2, values: { ...good, featured_rank: '3', status: 'disabled' } }) as { featuredRank: number }).featuredRank, 3);
});

test('each broken rule names the line and the column', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ id: '' }, /id is missing/],
    [{ id: 'x' }, /id must be a whole number/],
    [{ id: '0' }, /id must be/],
    [{ quantity: '-1' }, /quantity/],
    [{ price: 'cheap' }, /price/],
    [{ price: '-2' }, /price/],
    [{ name: '   ' }, /name is missing/],
    [{ image: '../../etc/passwd' }, /image must be a relative path/],
    [{ featured_rank: '0' }, /featured_rank/],
    [{ status: 'maybe' }, /status/],
    [{ model: 'x'.repeat(65) }, /model is longer/],
  ];
  for (const [change, message] of cases) {
    const result = parseProductRow({ line: 12, values: { ...good, ...change } });
    assert.ok('message' in result, JSON.stringify(change));
    assert.equal(result.line, 12);
    assert.match(result.message, message);
  }
});

test('import keeps the good rows and reports the bad; --strict imports nothing; re-import updates', async () => {
  const { products } = memoryStores();
  const rows = [
    { line: 2, values: { ...good, id: '1' } },
    { line: 3, values: { ...good, id: 'bad' } },
    { line: 5, values: { ...good, id: '2' } },
  ];
  const strict = await importProducts(products, rows, 0, { strict: true });
  assert.deepEqual([strict.aborted, strict.imported, await products.count()], [true, 0, 0]);
  const report = await importProducts(products, rows, 0);
  assert.deepEqual([report.imported, report.updated, report.rejected.map((r) => r.line)], [2, 0, [3]]);
  const again = await importProducts(products, rows, 0);
  assert.deepEqual([again.imported, again.updated], [0, 2]);
  assert.equal(await products.count(), 2);
});
