// A user signed in to Gatehouse's OpenID provider without a browser (the pages
// are plain HTML forms), and authorization codes from that sign-in: what the
// bench's `oidc` part (bench/run.ts) needs on the Gatehouse side.

/** The PKCE verifier of every code the bench makes, on Gatehouse and on oidc-provider alone (bench/oidc-alone.ts). */
export const BENCH_VERIFIER = 'bench-verifier-bench-verifier-bench-verifier-0123456789';
export const BENCH_REDIRECT_URI = 'http://127.0.0.1:9/cb';

/** A cookie jar that keeps the last value of each name (paths ignored: the provider's cookies are harmless elsewhere). */
class Jar {
  readonly #cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const challenge = async () => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(BENCH_VERIFIER))).toString('base64url');

async function authorizationUrl(base: string, clientId: string, scope: string, prompt: string) {
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: BENCH_REDIRECT_URI,
    scope,
    prompt,
    code_challenge: await challenge(),
    code_challenge_method: 'S256',
    state: 'bench',
  });
  return `${base}/oidc/auth?${query}`;
}

/** Follows redirects (and posts the sign-in and consent forms, when `login` is given) until the app's redirect URI; its code. */
async function walk(url: string, jar: Jar, login?: { login: string; password: string }): Promise<string> {
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(BENCH_REDIRECT_URI)) break;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(response);
    if (response.status === 303 || response.status === 302) {
      await response.arrayBuffer();
      url = new URL(response.headers.get('location')!, url).href;
      continue;
    }
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!csrf || !action || !login) throw new Error(`unexpected page at ${url}: ${response.status}`);
    const form: Record<string, string> = html.includes('id="password"') ? { csrf, ...login } : { csrf };
    const posted = await fetch(new URL(action.replaceAll('&amp;', '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    jar.take(posted);
    await posted.arrayBuffer();
    url = new URL(posted.headers.get('location')!, url).href;
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`no code: ${url}`);
  return code;
}

export interface SignedIn {
  access_token: string;
  refresh_token: string;
  /** N more authorization codes from the same provider session (prompt=none: no offline_access, so no refresh token). */
  codes(n: number): Promise<string[]>;
}

/** Signs one user in through the pages (with consent and offline_access) and exchanges the code: the tokens the app gets. */
export async function signIn(base: string, clientId: string, secret: string, login: string, password: string): Promise<SignedIn> {
  const jar = new Jar();
  const code = await walk(await authorizationUrl(base, clientId, 'openid email profile offline_access', 'consent'), jar, { login, password });
  const token = await fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, code_verifier: BENCH_VERIFIER }),
  });
  const tokens = (await token.json()) as { access_token: string; refresh_token: string };
  if (!tokens.refresh_token) throw new Error(`sign-in gave no refresh token: ${JSON.stringify(tokens)}`);
  const again = await authorizationUrl(base, clientId, 'openid email profile', 'none');
  return {
    ...tokens,
    async codes(n) {
      // Eight at a time: the authorization endpoint on a signed-in session answers with a redirect carrying the code.
      const codes: string[] = [];
      while (codes.length < n) {
        const batch = Math.min(8, n - codes.length);
        codes.push(...(await Promise.all(Array.from({ length: batch }, () => walk(again, jar)))));
      }
      return codes;
    },
  };
}

export const basicAuth = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

/** The token request that exchanges a code, as an app sends it. */
export const codeExchangeBody = (code: string) =>
  new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, code_verifier: BENCH_VERIFIER }).toString();
