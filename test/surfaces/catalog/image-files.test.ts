import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '../../helpers/raw-http.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
let catalogDir: string;
const MTIME = new Date('2024-03-01T10:20:30Z');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 0xff, 0xd9]);
const SECRET = 'outside-the-root-do-not-serve';

before(async () => {
  server = await startTestServer({ env: { DEMO_DATA: 'false' } });
  const imageDir = join(server.dataDir, 'images');
  catalogDir = join(imageDir, 'catalog');
  const put = (rel: string, content: Buffer | string) => {
    const file = join(catalogDir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
    utimesSync(file, MTIME, MTIME);
  };
  put('CQRobot/JST EL/JST EL 2P-1.jpg', JPEG);
  put('CQRobot/扩展板/板子 1.PNG', Buffer.from('png-bytes'));
  put('CQRobot/vector.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  put('big/large.bin', Buffer.alloc(8 * 1024 * 1024, 7));
  // files outside the root that a traversal would reach
  writeFileSync(join(imageDir, 'secret.txt'), SECRET);
  writeFileSync(join(server.dataDir, 'secret.txt'), SECRET);
  symlinkSync(join(imageDir, 'secret.txt'), join(catalogDir, 'escape.txt'));
  symlinkSync(imageDir, join(catalogDir, 'escape-dir'));
  symlinkSync(join(catalogDir, 'CQRobot/JST EL/JST EL 2P-1.jpg'), join(catalogDir, 'alias.jpg'));
});
after(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) => rawRequest(server.url, 'GET', path, headers);
const IMAGE = '/cache/catalog/CQRobot/JST%20EL/JST%20EL%202P-1.jpg';

describe('GET|HEAD /cache/catalog/{file_path}', () => {
  test('200 with the bytes, Content-Type from the extension, and the caching headers', async () => {
    const r = await get(IMAGE);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, JPEG);
    assert.equal(r.headers['content-type'], 'image/jpeg');
    assert.equal(r.headers['content-length'], String(JPEG.length));
    assert.equal(r.headers['cache-control'], 'public, max-age=600');
    assert.equal(r.headers['last-modified'], 'Fri, 01 Mar 2024 10:20:30 GMT');
    assert.match(String(r.headers.etag), /^"[0-9a-f]+-[0-9a-f]+"$/);
  });

  test('names with spaces and non-ASCII characters; extension case does not matter', async () => {
    const r = await get(`/cache/catalog/CQRobot/${encodeURIComponent('扩展板')}/${encodeURIComponent('板子 1.PNG')}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'png-bytes');
    assert.equal(r.headers['content-type'], 'image/png');
  });

  test('HEAD: the same headers, no body', async () => {
    const r = await rawRequest(server.url, 'HEAD', IMAGE);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['content-length'], String(JPEG.length));
    assert.equal(r.headers['content-type'], 'image/jpeg');
  });

  test('304 for a matching If-None-Match (also weak, in a list, or *); 200 for another tag', async () => {
    const etag = String((await get(IMAGE)).headers.etag);
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const r = await get(IMAGE, { 'if-none-match': value });
      assert.equal(r.status, 304, value);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers.etag, etag);
    }
    assert.equal((await get(IMAGE, { 'if-none-match': '"other"' })).status, 200);
  });

  test('If-Modified-Since: not earlier than the mtime is 304, earlier is 200, unparseable is 400', async () => {
    for (const since of ['Fri, 01 Mar 2024 10:20:30 GMT', 'Sat, 02 Mar 2024 00:00:00 GMT', 'Friday, 01-Mar-24 10:20:30 GMT', 'Fri Mar  1 10:20:30 2024']) {
      assert.equal((await get(IMAGE, { 'if-modified-since': since })).status, 304, since);
    }
    assert.equal((await get(IMAGE, { 'if-modified-since': 'Fri, 01 Mar 2024 10:20:29 GMT' })).status, 200);
    for (const bad of ['yesterday', '2024-03-01', '12345', 'Fri, 99 Foo 2024 10:20:30 GMT']) {
      const r = await get(IMAGE, { 'if-modified-since': bad });
      assert.equal(r.status, 400, bad);
      assert.deepEqual(JSON.parse(r.body.toString()), { detail: 'Invalid If-Modified-Since header' });
    }
    // If-None-Match wins over If-Modified-Since
    assert.equal((await get(IMAGE, { 'if-none-match': '"other"', 'if-modified-since': 'Sat, 02 Mar 2024 00:00:00 GMT' })).status, 200);
  });

  test('a symlink to a file inside the root is served', async () => {
    assert.equal((await get('/cache/catalog/alias.jpg')).status, 200);
  });

  test('an SVG cannot run script: sandboxed by CSP, no sniffing', async () => {
    const r = await get('/cache/catalog/CQRobot/vector.svg');
    assert.equal(r.headers['content-type'], 'image/svg+xml');
    assert.match(String(r.headers['content-security-policy']), /sandbox/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  test('a large file is streamed whole', async () => {
    const r = await get('/cache/catalog/big/large.bin');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 8 * 1024 * 1024);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    assert.ok(r.body.every((b) => b === 7));
  });

  test('404 File not found for everything that is not a regular file inside the root', async () => {
    const attempts = [
      '/cache/catalog/missing.jpg',
      '/cache/catalog/CQRobot',
      '/cache/catalog/CQRobot/',
      '/cache/catalog/',
      '/cache/catalog/../secret.txt',
      '/cache/catalog/../../secret.txt',
      '/cache/catalog/CQRobot/../../secret.txt',
      '/cache/catalog/%2e%2e/secret.txt',
      '/cache/catalog/%2E%2E/%2E%2E/secret.txt',
      '/cache/catalog/..%2fsecret.txt',
      '/cache/catalog/..%2F..%2Fsecret.txt',
      '/cache/catalog/%252e%252e/secret.txt',
      '/cache/catalog/%252e%252e%252fsecret.txt',
      '/cache/catalog/%2fetc%2fpasswd',
      '/cache/catalog//etc/passwd',
      `/cache/catalog/${encodeURIComponent(join(server?.dataDir ?? '/tmp', 'secret.txt'))}`,
      '/cache/catalog/CQRobot/JST%20EL/JST%20EL%202P-1.jpg%00.png',
      '/cache/catalog/secret.txt%00',
      '/cache/catalog/escape.txt',
      '/cache/catalog/escape-dir/secret.txt',
      '/cache/catalog/..%5csecret.txt',
      '/cache/catalog/%zz',
    ];
    for (const path of attempts) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.deepEqual(JSON.parse(r.body.toString()), { detail: 'File not found' }, path);
      assert.ok(!r.body.toString().includes(SECRET), path);
    }
    // absolute path to the real secret, built now that the folder is known
    const absolute = await get(`/cache/catalog/${encodeURIComponent(join(server.dataDir, 'secret.txt'))}`);
    assert.equal(absolute.status, 404);
  });
});
