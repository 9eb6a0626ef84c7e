// A body trickled in one byte a second is cut at the request timeout (30 s, as
// documented), not when Node's default once-every-30-s sweep happens to notice
// (75 s measured before). Takes about 30 s: the timeout is not a setting.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('a slowly trickled body is answered 408 and the connection closed before 45 s', { timeout: 120_000 }, async () => {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const started = Date.now();
  socket.write('POST /api/users/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  const trickle = setInterval(() => socket.writable && socket.write(' '), 1000);
  const cut = await new Promise<number>((resolve) => {
    const limit = setTimeout(() => resolve(Number.POSITIVE_INFINITY), 90_000);
    socket.once('close', () => {
      clearTimeout(limit);
      resolve(Date.now() - started);
    });
    socket.on('error', () => {});
  });
  clearInterval(trickle);
  socket.destroy();
  console.log(`# trickled body cut after ${Math.round(cut / 1000)} s`);
  assert.ok(cut < 45_000, `the connection was held ${Math.round(cut / 1000)} s`);
  assert.match(answer, /^HTTP\/1\.1 408 /);
});
