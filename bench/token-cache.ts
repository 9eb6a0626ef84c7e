// Issue 23: is the hand-made verified-token cache in core/tokens.ts worth keeping,
// or does fast-jwt's own cache (with an identity cacheKeyBuilder) do as well?
// Measures a token seen again (the common case) and a token seen for the first
// time, for HS256 and ES256, in interleaved rounds so a noisy moment on the
// machine hits every variant alike. Usage: node bench/token-cache.ts [ROUNDS]
import { createVerifier } from 'fast-jwt';
import { exportSPKI, importJWK, type CryptoKey } from 'jose';
import { systemClock } from '../src/core/ports/clock.ts';
import { SecretBox } from '../src/core/secret-box.ts';
import { SigningKeys } from '../src/core/signing-keys.ts';
import { TokenIssuer } from '../src/core/tokens.ts';
import { MemorySigningKeyStore } from '../src/store/memory/memory-signing-key-store.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const REPEATED = 200_000;
const FRESH = 4_000;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const HAND_MADE = 'hand-made VerifiedTokens';
const FAST_JWT = 'fast-jwt cache (identity cacheKeyBuilder)';

type Verify = (token: string) => unknown;

/** A fresh issuer, and both ways of verifying its tokens with a cache. */
async function setup(algorithm: 'HS256' | 'ES256') {
  const keys = new SigningKeys({
    store: new MemorySigningKeyStore(),
    box: new SecretBox('bench-encryption-key-bench-encryption-key-0123'),
    clock: systemClock,
    algorithm,
    secrets: { current: SECRET, previous: [] },
    longestTokenSeconds: 3600,
  });
  await keys.start();
  keys.stop();
  const issuer = new TokenIssuer(keys, systemClock);
  const token = (n: number) => issuer.issue('access', `user-${n}`, `session-${n}`, `jti-${n}`, 3600).token;
  const jwk = keys.publicJwks().keys[0];
  const key = algorithm === 'HS256' ? SECRET : await exportSPKI((await importJWK(jwk!, algorithm)) as CryptoKey);
  // fast-jwt's own cache where the hand-made one sits: the kid picks the key's verifier, which remembers tokens by their text.
  const verifiers = new Map<string, Verify>([
    [
      keys.signer().kid,
      createVerifier({ key, algorithms: [algorithm], cache: 10_000, cacheKeyBuilder: (t: string) => t, ignoreExpiration: true, ignoreNotBefore: true }),
    ],
  ]);
  const fastJwt: Verify = (t) => {
    const kid = JSON.parse(Buffer.from(t.slice(0, t.indexOf('.')), 'base64url').toString()).kid as string;
    return verifiers.get(kid)!(t);
  };
  return { token, verify: { [HAND_MADE]: (t: string) => issuer.verify(t, 'access'), [FAST_JWT]: fastJwt } as Record<string, Verify> };
}

const ns = (start: bigint, n: number) => Number(process.hrtime.bigint() - start) / n;
const results: Record<string, number[]> = {};
const note = (label: string, value: number) => (results[label] ??= []).push(value);

for (const algorithm of ['HS256', 'ES256'] as const) {
  // One issuer per variant, so each variant's first sights are its own.
  const sets: Record<string, Awaited<ReturnType<typeof setup>>> = { [HAND_MADE]: await setup(algorithm), [FAST_JWT]: await setup(algorithm) };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of [HAND_MADE, FAST_JWT]) {
      const { token, verify } = sets[name]!;
      const check = verify[name]!;
      const repeated = token(round);
      for (let k = 0; k < 20_000; k++) check(repeated);
      let start = process.hrtime.bigint();
      for (let k = 0; k < REPEATED; k++) check(repeated);
      note(`${algorithm}, a token seen before: ${name}`, ns(start, REPEATED));
      const fresh = Array.from({ length: FRESH }, (_, k) => token(round * 100_000 + k));
      start = process.hrtime.bigint();
      for (const t of fresh) check(t);
      note(`${algorithm}, first sight: ${name}`, ns(start, FRESH));
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [label, xs] of Object.entries(results)) {
  console.log(`${label}: median ${median(xs).toFixed(0)} ns (rounds: ${xs.map((x) => x.toFixed(0)).join(' / ')})`);
}
