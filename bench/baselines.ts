// The baselines every Gatehouse figure is compared with, started and measured
// in the same run on the same pinned core:
//   ping  — a bare Fastify answering GET /ping with {"ok":true};
//   me    — a minimal Fastify GET /me: a fast-jwt verification (cached, as in
//           Gatehouse) and one node:sqlite primary-key read of the user, on the
//           same SQLite file Gatehouse uses. No session check, no revocation.
//   login — the argon2 ceiling: a bare Fastify POST /login that verifies the
//           password against one argon2id hash at Gatehouse's settings, as many
//           at once as there are cores (as Gatehouse gates them). No lookup, no
//           session, no token.
// Usage: node bench/baselines.ts ping|me|login [DB_PATH] [JWT_SECRET]; prints "listening on URL".
import { availableParallelism } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { hash, verify as verifyHash } from '@node-rs/argon2';
import { createVerifier } from 'fast-jwt';
import Fastify from 'fastify';
import { DEFAULT_HASH_SETTINGS } from '../src/core/passwords.ts';
import { BENCH_PASSWORD } from './seed.ts';

const [kind, dbPath, secret] = process.argv.slice(2);
const app = Fastify({ logger: false });

if (kind === 'ping') {
  app.get('/ping', async () => ({ ok: true }));
} else if (kind === 'me') {
  const db = new DatabaseSync(dbPath!, { readOnly: true });
  const byUuid = db.prepare('SELECT email, first_name, last_name, phone FROM users WHERE uuid = ?');
  const verify = createVerifier({ key: secret!, algorithms: ['HS256'], cache: 10_000 });
  app.get('/me', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    let claims: { sub: string };
    try {
      claims = verify(header.slice(7));
    } catch {
      return reply.code(401).send({ detail: 'Token is invalid' });
    }
    const user = byUuid.get(claims.sub) as { email: string; first_name: string | null; last_name: string | null; phone: string | null } | undefined;
    if (!user) return reply.code(401).send({ detail: 'User not found' });
    return { email: user.email, first_name: user.first_name, last_name: user.last_name, phone_number: user.phone };
  });
} else if (kind === 'login') {
  const settings = { algorithm: 2 as never, memoryCost: DEFAULT_HASH_SETTINGS.memoryCost, timeCost: DEFAULT_HASH_SETTINGS.timeCost, parallelism: 1 };
  const stored = await hash(BENCH_PASSWORD, settings);
  let running = 0;
  const waiting: Array<() => void> = [];
  app.post('/login', async (request, reply) => {
    // A slot is handed from the request that finishes to the next one waiting.
    if (running >= availableParallelism()) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      const ok = await verifyHash(stored, (request.body as { password?: string }).password ?? '');
      return ok ? { ok } : reply.code(400).send({ ok });
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  });
} else {
  throw new Error('usage: baselines.ts ping|me|login [DB_PATH] [JWT_SECRET]');
}

const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
