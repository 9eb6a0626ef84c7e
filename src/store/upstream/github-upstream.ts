import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import type { ProvedIdentity } from '../../core/ports/identity-store.ts';
import type { UpstreamClientConfig, UpstreamProtocol, UpstreamSecrets } from '../../core/ports/upstream.ts';

/** How long a call to GitHub's API may take. */
const API_TIMEOUT_MS = 10_000;

/**
 * `--kind github`: OAuth 2 (arctic's client) with state and PKCE, then the
 * account from the REST API: `GET /user` (its numeric `id` is the subject,
 * never the login, which its owner may change) and `GET /user/emails` (the
 * primary address, verified as GitHub says). The issuer is
 * `https://github.com` (API at api.github.com) or a GitHub Enterprise Server's
 * URL (API under `/api/v3`), as GitHub documents both.
 */
export class GitHubUpstream implements UpstreamProtocol {
  async authorizationUrl(config: UpstreamClientConfig, secrets: UpstreamSecrets): Promise<URL> {
    return client(config).createAuthorizationURLWithPKCE(
      `${base(config)}/login/oauth/authorize`,
      secrets.state,
      CodeChallengeMethod.S256,
      secrets.codeVerifier,
      ['read:user', 'user:email'],
    );
  }

  async finish(config: UpstreamClientConfig, callback: URL, secrets: UpstreamSecrets): Promise<ProvedIdentity> {
    if (callback.searchParams.get('state') !== secrets.state) throw new Error('the state does not match');
    const code = callback.searchParams.get('code');
    if (!code) throw new Error('the callback carries no code');
    const tokens = await client(config).validateAuthorizationCode(`${base(config)}/login/oauth/access_token`, code, secrets.codeVerifier);
    const token = tokens.accessToken();
    const user = (await api(config, '/user', token)) as { id?: unknown; name?: unknown; login?: unknown };
    if (typeof user.id !== 'number') throw new Error('GitHub answered no user id');
    const emails = (await api(config, '/user/emails', token)) as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>;
    const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true && typeof e.email === 'string') : undefined;
    const email = typeof primary?.email === 'string' ? primary.email.trim().toLowerCase() : null;
    return {
      issuer: base(config),
      subject: String(user.id),
      email,
      emailVerified: email !== null && primary?.verified === true,
      amr: [],
      name: typeof user.name === 'string' ? user.name.slice(0, 200) : typeof user.login === 'string' ? user.login : null,
    };
  }

  async verifyIdToken(): Promise<ProvedIdentity> {
    throw new Error('GitHub issues no id_token: native apps sign in through the pages');
  }
}

const base = (config: UpstreamClientConfig) => config.provider.issuer.replace(/\/+$/, '');
const client = (config: UpstreamClientConfig) => new OAuth2Client(config.provider.clientId, config.clientSecret, config.redirectUri);
const apiBase = (config: UpstreamClientConfig) => (base(config) === 'https://github.com' ? 'https://api.github.com' : `${base(config)}/api/v3`);

async function api(config: UpstreamClientConfig, path: string, token: string): Promise<unknown> {
  const response = await fetch(`${apiBase(config)}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Gatehouse' },
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GitHub's ${path} answered ${response.status}`);
  return response.json();
}
