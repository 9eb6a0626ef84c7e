// The logger Fastify is given: request loggers made only when something is
// logged through them, and then exactly what pino's children would write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { lazyLogger } from '../src/lazy-logger.ts';

/** A pino logger at `info` writing into an array, with redaction as the server's, and a count of the children pino made. */
function recorded() {
  const lines: Array<Record<string, unknown>> = [];
  const root = pino({ level: 'info', redact: ['*.password'] }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let children = 0;
  const child = root.child;
  // pino's children inherit this from the root: it counts theirs too.
  root.child = function (this: typeof root, ...args: Parameters<typeof root.child>) {
    children++;
    return child.apply(this, args);
  } as typeof root.child;
  return { root, lines, children: () => children };
}

test('a request that logs nothing makes no pino child; one that logs writes its id, redacted like any line', async () => {
  const { root, lines, children } = recorded();
  const app = Fastify({ loggerInstance: lazyLogger(root), disableRequestLogging: true });
  app.get('/quiet', async (request) => {
    request.log.debug('below the level');
    return { ok: true };
  });
  app.get('/loud', async (request) => {
    request.log.info({ body: { password: 'hunter2' } }, 'said');
    return { ok: true };
  });
  await app.ready();
  const before = children();
  for (let i = 0; i < 5; i++) assert.equal((await app.inject('/quiet')).statusCode, 200);
  assert.equal(children(), before, 'no child for requests that log nothing');
  assert.equal(lines.length, 0);
  await app.inject('/loud');
  const line = lines.find((l) => l.msg === 'said');
  assert.match(String(line?.reqId), /^req-/);
  assert.deepEqual(line?.body, { password: '[Redacted]' });
  await app.close();
});

test("a child of a request's logger carries both bindings, and a level of its own", () => {
  const { root, lines } = recorded();
  const request = lazyLogger(root).child({ reqId: 'r-1' });
  const inner = request.child({ step: 'two' }, { level: 'debug' });
  inner.debug('deep');
  request.debug('not at info');
  assert.deepEqual(
    lines.map((l) => [l.msg, l.reqId, l.step]),
    [['deep', 'r-1', 'two']],
  );
  assert.equal(inner.level, 'debug');
  assert.equal(request.level, 'info');
});
