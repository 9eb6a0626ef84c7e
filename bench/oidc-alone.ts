// oidc-provider alone: the baseline of the bench's `oidc` part (bench/run.ts).
// The same oidc-provider version as Gatehouse, configured as Gatehouse
// configures it where it matters to the rows measured (src/surfaces/oidc/provider.ts):
// client_credentials on, giving RFC 9068 JWT access tokens signed RS256 (the same
// resource indicators function Gatehouse uses), opaque access tokens for the user
// flows, refresh tokens, userinfo, PKCE S256, client_secret_basic, RS256 id_tokens,
// the same scopes, claims and lifetimes. Its store is an unbounded Map: the
// library's own memory adapter is an LRU of 1,000 entries, which evicts tokens
// (the userinfo token among them) under load.
//
// No pages: the user's grant, access token and refresh token are minted through
// the library's models at start (one account, always found), and authorization
// codes on demand. Routes beside the provider's, outside the measured rows:
//   GET /bench/tokens             {client_id, client_secret, access_token, refresh_token}
//   GET /bench/codes?n=N          N fresh authorization codes (PKCE S256 of BENCH_VERIFIER)
//   GET /bench/store              {entries}: what the Map holds
// Usage: node bench/oidc-alone.ts; prints "listening on URL".
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { apiResourceIndicators } from '../src/surfaces/oidc/api-resource.ts';
import { BENCH_REDIRECT_URI, BENCH_VERIFIER } from './oidc-sign-in.ts';
const CLIENT_ID = 'bench-alone';
const CLIENT_SECRET = 'bench-alone-secret-bench-alone-secret-0123456789';
const ACCOUNT = 'bench-account';
const SCOPE = 'openid email profile offline_access';

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; consumed?: number };

/** An unbounded Map adapter: entries kept until they expire (checked on read), grant members as a Set. */
const entries = new Map<string, { payload: Payload; expiresAt: number }>();
const grants = new Map<string, Set<string>>();
const byUid = new Map<string, string>();

class MapAdapter {
  readonly model: string;
  constructor(model: string) {
    this.model = model;
  }
  #key(id: string) {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: Payload, expiresIn?: number) {
    const key = this.#key(id);
    entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    if (payload.grantId) {
      let members = grants.get(payload.grantId);
      if (!members) grants.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
    if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, id);
  }
  async find(id: string) {
    const entry = entries.get(this.#key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(this.#key(id));
      return undefined;
    }
    return entry.payload;
  }
  async findByUid(uid: string) {
    const id = byUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const entry = entries.get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    entries.delete(this.#key(id));
  }
  async revokeByGrantId(grantId: string) {
    for (const key of grants.get(grantId) ?? []) entries.delete(key);
    grants.delete(grantId);
  }
}

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench-rs256' };

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const issuer = `http://127.0.0.1:${port}/oidc`;

// The claims and scopes of src/surfaces/oidc/provider.ts.
const claims = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
};
const accountClaims = { sub: ACCOUNT, email: 'bench@example.com', email_verified: false, name: 'Bench User', given_name: 'Bench', family_name: 'User' };

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  jwks: { keys: [jwk] },
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [BENCH_REDIRECT_URI],
      post_logout_redirect_uris: [BENCH_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  cookies: { keys: ['bench-cookie-key-bench-cookie-key'] },
  claims,
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'email', 'phone', 'profile'],
  clientAuthMethods: ['client_secret_basic', 'none'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    clientCredentials: { enabled: true },
    // Gatehouse's own function: JWT (RS256, RFC 9068) access tokens for client_credentials only, opaque otherwise.
    resourceIndicators: apiResourceIndicators(`http://127.0.0.1:${port}/api`),
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'], userinfoSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
  responseTypes: ['code'],
  findAccount: async (_ctx: unknown, sub: string) => (sub === ACCOUNT ? { accountId: sub, claims: async () => accountClaims } : undefined),
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    IdToken: 3600,
    Interaction: 3600,
    Grant: 14 * 24 * 3600,
    RefreshToken: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
  },
});

/** The models used here, which src/surfaces/oidc/oidc-provider.d.ts does not declare. */
interface Saved {
  save(ttl?: number): Promise<string>;
}
type Model = new (init: Record<string, unknown>) => Saved;
const models = provider as unknown as {
  Client: { find(id: string): Promise<unknown> };
  Grant: new (init: Record<string, unknown>) => Saved & { addOIDCScope(scope: string): void };
  Session: Model;
  AccessToken: Model;
  RefreshToken: Model;
  AuthorizationCode: Model;
};

// One signed-in user: a session, a grant of the scopes, an access token and a refresh token, as a sign-in would leave.
const client = await models.Client.find(CLIENT_ID);
const grant = new models.Grant({ accountId: ACCOUNT, clientId: CLIENT_ID });
grant.addOIDCScope(SCOPE);
const grantId = await grant.save();
const loginTs = Math.floor(Date.now() / 1000);
const sessionUid = 'bench-session-uid';
await new models.Session({ uid: sessionUid, accountId: ACCOUNT, loginTs, authorizations: { [CLIENT_ID]: { grantId, sid: 'bench-sid' } } }).save(14 * 24 * 3600);
const signedIn = { accountId: ACCOUNT, client, grantId, sessionUid, sid: 'bench-sid', authTime: loginTs, amr: ['pwd'], acr: 'urn:gatehouse:acr:pwd' };
// With offline_access, the user flows' tokens do not expire with the session (as Gatehouse's from the same sign-in).
const accessToken = await new models.AccessToken({ ...signedIn, scope: SCOPE, gty: 'authorization_code' }).save();
const refreshToken = await new models.RefreshToken({ ...signedIn, scope: SCOPE, gty: 'authorization_code', rotations: 0 }).save();
const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(BENCH_VERIFIER))).toString('base64url');

/**
 * Codes as an authorization request with prompt=none would give on a signed-in session: no offline_access (the
 * library drops it without prompt=consent), so they expire with the session and give no refresh token.
 */
async function mintCodes(n: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    codes.push(
      await new models.AuthorizationCode({
        ...signedIn,
        scope: 'openid email profile',
        redirectUri: BENCH_REDIRECT_URI,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        expiresWithSession: true,
      }).save(),
    );
  }
  return codes;
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  const answer = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (url.pathname === '/bench/tokens') {
    answer({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, access_token: accessToken, refresh_token: refreshToken });
  } else if (url.pathname === '/bench/codes') {
    answer(await mintCodes(Number(url.searchParams.get('n') ?? '1')));
  } else if (url.pathname === '/bench/store') {
    answer({ entries: entries.size });
  } else if (url.pathname.startsWith('/oidc/')) {
    // mounted under /oidc as Gatehouse's: the provider sees the path below its issuer's
    req.url = req.url!.slice('/oidc'.length);
    callback(req, res);
  } else {
    res.writeHead(404).end();
  }
});
console.log(`listening on http://127.0.0.1:${port}`);
