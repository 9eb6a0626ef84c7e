// An app that signs a user in with Gatehouse, as any OpenID Connect library
// would (Authlib, openid-client): discovery, authorization code with PKCE,
// token exchange, the id_token's signature checked against the published keys
// and its issuer against the one the app was configured with. No browser: the
// user's part (the sign-in and consent pages) is played with plain HTTP and a
// cookie jar. Used by deploy/container-smoke.sh against the running container,
// and by test/deploy/relying-party.test.ts.
//
//   ISSUER=http://localhost:8000/oidc CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=http://localhost/callback \
//   LOGIN=user@example.com PASSWORD=… [PROMPT=consent] node deploy/relying-party.ts
//
// Prints {"iss", "sub", "email", "refresh_token"} (the last: whether one was
// issued) and exits 0; any refusal is one line on stderr and exit 1.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** The user's browser, reduced to what the pages need: cookies, redirects and forms. */
class Browser {
  readonly #cookies = new Map<string, string>();

  async go(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ url: URL; status: number; location?: URL; html: string }> {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(cookie)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    const location = response.headers.get('location');
    return { url, status: response.status, location: location ? new URL(location, url) : undefined, html: await response.text() };
  }
}

/** The first form on a page whose action contains `part`: its absolute action and hidden fields. */
function form(page: { url: URL; html: string }, part: string): { action: URL; fields: Record<string, string> } | undefined {
  for (const [, attributes = '', body = ''] of page.html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = attributes.match(/action="([^"]*)"/)?.[1]?.replaceAll('&amp;', '&');
    if (action === undefined || !action.includes(part)) continue;
    const fields: Record<string, string> = {};
    for (const [, input = ''] of body.matchAll(/<input([^>]*)>/g)) {
      const name = input.match(/name="([^"]*)"/)?.[1];
      if (name && /type="hidden"/.test(input)) fields[name] = (input.match(/value="([^"]*)"/)?.[1] ?? '').replaceAll('&amp;', '&');
    }
    return { action: new URL(action, page.url), fields };
  }
  return undefined;
}

async function signIn(): Promise<void> {
  const issuer = new URL(env('ISSUER'));
  const redirectUri = env('REDIRECT_URI');
  // Discovery fails unless the provider names itself with exactly this issuer.
  const config = await client.discovery(issuer, env('CLIENT_ID'), undefined, client.ClientSecretBasic(env('CLIENT_SECRET')), {
    execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const prompt = process.env.PROMPT ?? 'consent';
  let next: URL | undefined = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    ...(prompt ? { prompt } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const browser = new Browser();
  let page = await browser.go(next);
  // The provider's redirects and pages, until it sends the browser back to the app.
  for (let step = 0; step < 12; step++) {
    if (page.location?.href.startsWith(redirectUri)) break;
    if (page.location) {
      page = await browser.go(page.location);
      continue;
    }
    const login = form(page, '/login');
    const consent = form(page, '/consent');
    if (login) page = await browser.go(login.action, { method: 'POST', form: { ...login.fields, login: env('LOGIN'), password: env('PASSWORD') } });
    else if (consent) page = await browser.go(consent.action, { method: 'POST', form: consent.fields });
    else throw new Error(`${page.status} from ${page.url.pathname}, neither a redirect nor the sign-in or consent page: ${page.html.slice(0, 200)}`);
  }
  next = page.location;
  if (!next?.href.startsWith(redirectUri)) throw new Error('the provider never sent the browser back to the app');
  // Exchanges the code (PKCE, state) and checks the id_token's iss, aud, exp and nonce.
  const tokens = await client.authorizationCodeGrant(config, next, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  // Its signature too, with the provider's published keys, as an app that keeps the id_token does.
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: issuer.href, audience: env('CLIENT_ID') });
  console.log(JSON.stringify({ iss: payload.iss, sub: payload.sub, email: payload.email, refresh_token: Boolean(tokens.refresh_token) }));
}

try {
  await signIn();
} catch (error) {
  const e = error as Error & { code?: string; error?: string };
  console.error(`relying party: refused: ${e.code ?? e.error ?? e.name}: ${e.message}`);
  process.exitCode = 1;
}
