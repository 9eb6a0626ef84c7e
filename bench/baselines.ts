// The baselines every Gatehouse figure is compared with, started and measured
// in the same run on the same pinned core:
//   ping  — a bare Fastify answering GET /ping with {"ok":true};
//   me    — a minimal Fastify GET /me: a fast-jwt verification (cached, as in
//           Gatehouse) and one node:sqlite primary-key read of the user, on the
//           same SQLite file Gatehouse uses. No session check, no revocation.
// Usage: node bench/baselines.ts ping|me [DB_PATH] [JWT_SECRET]; prints "listening on URL".
import { DatabaseSync } from 'node:sqlite';
import { createVerifier } from 'fast-jwt';
import Fastify from 'fastify';

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
} else {
  throw new Error('usage: baselines.ts ping|me [DB_PATH] [JWT_SECRET]');
}

const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
