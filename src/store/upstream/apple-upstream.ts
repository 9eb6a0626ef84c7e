import { importPKCS8, SignJWT } from 'jose';
import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol, UpstreamSecrets } from '../../core/ports/upstream.ts';
import { OpenIdUpstream } from './openid-upstream.ts';

/** How long a client secret JWT is valid (Apple allows up to six months; an hour leaks less). */
const SECRET_VALID_S = 3600;
/** A client secret is made again when less than this is left of it. */
const SECRET_MARGIN_S = 600;

/** What `--kind apple` seals in the provider's client secret: the key Apple gave the team, and its ids. */
interface AppleKey {
  teamId: string;
  keyId: string;
  /** The .p8 file: a PKCS#8 PEM EC P-256 private key. */
  privateKey: string;
}

/**
 * `--kind apple` (Sign in with Apple on the web): OpenID Connect at
 * https://appleid.apple.com (discovery, the id_token verified against Apple's
 * JWKS, the nonce) with Apple's differences: the client secret is a JWT
 * Gatehouse signs itself (ES256 with the team's key: header `kid`, claims
 * `iss` the team id, `sub` and the client id the Services ID, `aud` Apple,
 * `iat`, `exp`), sent as client_secret_post; the answer comes as a
 * `form_post` (a cross-site POST to the callback) because the name and email
 * scopes are asked; Apple documents no PKCE, so state and nonce protect the
 * exchange; and the person's name comes only in the first sign-in's `user`
 * field (JSON, unsigned: used for the name only, never for the email).
 */
export class AppleUpstream implements UpstreamProtocol {
  /** The current client secret of each provider (by id and version). */
  readonly #secrets = new Map<string, { jwt: string; until: number }>();
  readonly #oidc = new OpenIdUpstream({
    scope: 'openid name email',
    authorizationParameters: { response_mode: 'form_post' },
    pkce: false,
    // openid-client calls this as it sends the token request; finish() has made the secret just before.
    clientAuth: (config) => (_server, client, body) => {
      body.set('client_id', client.client_id);
      body.set('client_secret', this.#secrets.get(secretKey(config))?.jwt ?? '');
    },
  });

  authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL> {
    return this.#oidc.authorizationUrl(config, secrets);
  }

  async finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity> {
    await this.#freshSecret(config);
    const proved = await this.#oidc.finish(config, callback, secrets);
    return { ...proved, name: nameOf(callback.searchParams.get('user')) ?? proved.name };
  }

  verifyIdToken(config: UpstreamClientConfig, idToken: string, expected: { audiences: string[]; nonce: string }): Promise<ProvedIdentity> {
    return this.#oidc.verifyIdToken(config, idToken, expected);
  }

  async #freshSecret(config: UpstreamClientConfig): Promise<void> {
    const key = secretKey(config);
    const now = Math.floor(Date.now() / 1000);
    const current = this.#secrets.get(key);
    if (current && current.until - now > SECRET_MARGIN_S) return;
    const apple = appleKey(config);
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: apple.keyId })
      .setIssuer(apple.teamId)
      .setIssuedAt(now)
      .setExpirationTime(now + SECRET_VALID_S)
      .setAudience('https://appleid.apple.com')
      .setSubject(config.provider.clientId)
      .sign(await importPKCS8(apple.privateKey, 'ES256'));
    this.#secrets.set(key, { jwt, until: now + SECRET_VALID_S });
  }
}

const secretKey = (config: UpstreamClientConfig) => `${config.provider.id}:${config.provider.updatedAt}`;

function appleKey(config: UpstreamClientConfig): AppleKey {
  const key = JSON.parse(config.clientSecret ?? 'null') as Partial<AppleKey> | null;
  if (!key?.teamId || !key.keyId || !key.privateKey) throw new Error("the provider's Apple key is missing");
  return key as AppleKey;
}

/** Apple's `user` field: `{"name": {"firstName", "lastName"}, "email"}`, sent on the first sign-in only. */
function nameOf(user: string | null): string | null {
  if (!user) return null;
  try {
    const name = (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    const parts = [name?.firstName, name?.lastName].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    return parts.length > 0 ? parts.join(' ').trim().slice(0, 200) : null;
  } catch {
    return null;
  }
}
