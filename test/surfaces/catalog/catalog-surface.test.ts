import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ProductInput } from '../../../src/core/ports/product-store.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
let empty: TestServer;

const product = (id: number, extra: Partial<ProductInput> = {}): ProductInput => ({
  id,
  model: `M-${id}`,
  quantity: 10,
  image: `catalog/p/${id}.png`,
  price: 6.16,
  name: `Product ${id}`,
  description: '<p>Detailed <b>description</b> here...</p>',
  featuredRank: null,
  status: 'enabled',
  ...extra,
});

before(async () => {
  server = await startTestServer();
  empty = await startTestServer();
  await server.stores.products.upsertMany(
    [
      product(1099, { model: 'CQRJSTEL-A', quantity: 999, image: 'catalog/CQRobot/JST EL/JST EL 2P-1.jpg', name: 'JST EL - 2 Pin Connector Kit' }),
      product(1, { featuredRank: 2 }),
      product(2, { featuredRank: 1 }),
      product(3),
      product(4),
      product(5, { status: 'disabled', featuredRank: 3 }),
      ...Array.from({ length: 20 }, (_, i) => product(100 + i)),
    ],
    Date.now(),
  );
});
after(async () => {
  await server.close();
  await empty.close();
});

describe('GET /api/products/product/{product_id}', () => {
  test('200 with the product; the description HTML as stored', async () => {
    const r = await server.http('GET', '/api/products/product/1099');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      id: 1099,
      model: 'CQRJSTEL-A',
      quantity: 999,
      image_url: 'catalog/CQRobot/JST EL/JST EL 2P-1.jpg',
      price: 6.16,
      name: 'JST EL - 2 Pin Connector Kit',
      description: '<p>Detailed <b>description</b> here...</p>',
    });
  });

  test('404 Product not found, also for a disabled product', async () => {
    for (const id of [424242, 5]) {
      const r = await server.http('GET', `/api/products/product/${id}`);
      assert.deepEqual([r.status, r.body], [404, { detail: 'Product not found' }]);
    }
  });

  test('422 for an id that is not an integer', async () => {
    for (const id of ['abc', '1.5', '1e3', '%20']) {
      const r = await server.http('GET', `/api/products/product/${id}`);
      assert.equal(r.status, 422, id);
      assert.deepEqual(r.body.detail[0].loc, ['path', 'product_id']);
    }
  });
});

describe('GET /api/products/popular', () => {
  test('featured first by rank, then by views; 10 by default; disabled products never', async () => {
    const r = await server.http('GET', '/api/products/popular');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 10);
    assert.deepEqual(
      r.body.slice(0, 2).map((p: { id: number }) => p.id),
      [2, 1],
    );
    assert.deepEqual(Object.keys(r.body[0]).sort(), ['id', 'img_url', 'model', 'name']);
    const all = await server.http('GET', '/api/products/popular?limit=50');
    assert.ok(!all.body.some((p: { id: number }) => p.id === 5));
  });

  test('each product page counts one view; counts show in the list within 2 s', async () => {
    for (let i = 0; i < 3; i++) await server.http('GET', '/api/products/product/119');
    await server.http('GET', '/api/products/product/118');
    const deadline = Date.now() + 2000;
    let ids: number[] = [];
    while (Date.now() < deadline) {
      ids = (await server.http('GET', '/api/products/popular?limit=4')).body.map((p: { id: number }) => p.id);
      if (ids[2] === 119 && ids[3] === 118) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(ids, [2, 1, 119, 118]);
  });

  test('limit 1 to 50; outside that 422 on ["query","limit"]', async () => {
    assert.equal((await server.http('GET', '/api/products/popular?limit=1')).body.length, 1);
    assert.equal((await server.http('GET', '/api/products/popular?limit=50')).body.length, 25);
    for (const limit of ['0', '51', 'x', '-1', '2.5']) {
      const r = await server.http('GET', `/api/products/popular?limit=${limit}`);
      assert.equal(r.status, 422, limit);
      assert.deepEqual(r.body.detail[0].loc, ['query', 'limit']);
    }
  });

  test('404 No popular products found on an empty catalog', async () => {
    const r = await empty.http('GET', '/api/products/popular');
    assert.deepEqual([r.status, r.body], [404, { detail: 'No popular products found' }]);
  });
});
