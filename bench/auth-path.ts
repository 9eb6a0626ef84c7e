// Micro benchmark of the per-request auth path (signature + session + user),
// in process, against the same SQLite file the server uses.
import { loadConfig } from '../src/config.ts';
import { boot } from '../src/boot.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { SecretBox } from '../src/core/secret-box.ts';
import { SigningKeys, type JwtAlgorithm } from '../src/core/signing-keys.ts';
import { TokenIssuer } from '../src/core/tokens.ts';
import { MemorySigningKeyStore } from '../src/store/memory/memory-signing-key-store.ts';

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
await core.close();

// The signature alone, per algorithm: a token seen before (remembered by its text) and a token's first sight.
// Three interleaved rounds; the median is printed.
const issuers = new Map<JwtAlgorithm, TokenIssuer>();
for (const algorithm of ['HS256', 'ES256', 'EdDSA', 'RS256'] as const) {
  const keys = new SigningKeys({
    store: new MemorySigningKeyStore(),
    box: new SecretBox('auth-path-encryption-key-of-32-bytes-or-more'),
    clock: systemClock,
    algorithm,
    secrets: { current: 'auth-path-secret-of-32-bytes-or-more-0123', previous: [] },
    longestTokenSeconds: 3600,
  });
  await keys.start();
  keys.stop();
  issuers.set(algorithm, new TokenIssuer(keys, systemClock));
}
const figures = new Map<string, number[]>();
const note = (label: string, µs: number) => figures.set(label, [...(figures.get(label) ?? []), µs]);
for (let round = 0; round < 3; round++) {
  for (const [algorithm, issuer] of issuers) {
    const token = (n: number) => issuer.issue('access', 'user', 'session', `jti-${round}-${n}`, 3600).token;
    const seen = token(-1);
    for (let i = 0; i < 5000; i++) issuer.verify(seen, 'access');
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) issuer.verify(seen, 'access');
    note(`${algorithm} verify, seen before`, Number(process.hrtime.bigint() - t) / N / 1000);
    const fresh = Array.from({ length: 2000 }, (_, i) => token(i));
    t = process.hrtime.bigint();
    for (const f of fresh) issuer.verify(f, 'access');
    note(`${algorithm} verify, first sight`, Number(process.hrtime.bigint() - t) / fresh.length / 1000);
  }
}
for (const [label, runs] of figures)
  console.log(`${label}: ${[...runs].sort((a, b) => a - b)[1]!.toFixed(2)} µs (rounds ${runs.map((r) => r.toFixed(2)).join(' / ')})`);
