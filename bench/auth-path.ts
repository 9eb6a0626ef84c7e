// Micro benchmark of the per-request auth path (signature + session + user),
// in process, against the same SQLite file the server uses.
import { loadConfig } from '../src/config.ts';
import { boot } from '../src/boot.ts';

const dataDir = process.argv[2] ?? './data';
const core = await boot(loadConfig({ DATA_DIR: dataDir }));
const user = (await core.accounts.list(1, 0))[0]!;
const grant = await core.sessions.start(user, { accessTtl: 3600 });
const N = 50_000;
const time = async (label: string, fn: () => Promise<unknown>) => {
  for (let i = 0; i < 5000; i++) await fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn();
  console.log(`${label}: ${(Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2)} µs`);
};
await time('verify (cached)', async () => core.tokens.verify(grant.accessToken, 'access'));
await time('session get', () => core.stores.sessions.get(grant.session.id));
await time('user findById', () => core.stores.users.findById(user.id));
await time('authenticate', () => core.sessions.authenticate(grant.accessToken));
await core.stores.close();
