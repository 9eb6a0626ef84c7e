import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { DEMO_DATA: 'true' } });
});
after(() => server.close());

test('a fresh server has the demo catalog: popular products whose every image opens through /cache/', async () => {
  assert.equal(await server.stores.products.count(), 40);
  const popular = await server.http('GET', '/api/products/popular?limit=50');
  assert.equal(popular.status, 200);
  assert.equal(popular.body.length, 39); // one demo product is disabled
  assert.equal(popular.body[0].model, 'CQRMCP23017A');
  for (const p of popular.body as Array<{ img_url: string; model: string }>) {
    const path = p.img_url.split('/').map(encodeURIComponent).join('/');
    const image = await fetch(`${server.url}/cache/${path}`);
    assert.equal(image.status, 200, p.img_url);
    assert.equal(image.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  }
});
