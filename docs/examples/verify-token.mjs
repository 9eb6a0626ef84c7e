// Checks a Gatehouse access token in an app backend, with Gatehouse's public keys alone.
// Usage: GATEHOUSE_URL=https://auth.example.com node verify-token.mjs TOKEN
import { createRemoteJWKSet, jwtVerify } from 'jose';

const GATEHOUSE_URL = process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8000';

// Fetched on first use and kept; fetched again when a token names a key not seen yet (after a rotation).
const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', GATEHOUSE_URL));

export async function verifyGatehouseToken(token) {
  const { payload } = await jwtVerify(token, jwks, { algorithms: ['ES256', 'EdDSA', 'RS256'] });
  if (payload.type !== 'access') throw new Error('not an access token');
  return payload; // sub: the user's uuid; sid: the session; exp: when it stops being valid
}

try {
  console.log(JSON.stringify(await verifyGatehouseToken(process.argv[2])));
} catch (error) {
  console.error(`refused: ${error.code ?? error.message}`);
  process.exitCode = 1;
}
