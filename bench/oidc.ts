// `node bench/oidc.ts [--duration 6] [--rounds 3]`: the OpenID provider's token
// endpoint (client_credentials, refresh_token) and userinfo, on one pinned
// core, with the same run's /healthz beside them. Prints a Markdown table.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Figures, LoadSpec } from './load.ts';
import { LoadGenerator, onCore, ROOT } from './harness.ts';
const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '6' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const log = (message: string) => console.error(`[bench:oidc] ${message}`);

function cli(env: Record<string, string>, ...argv: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/gatehouse.ts'), ...argv], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gatehouse ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

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

/** Signs one user in through the pages without a browser (they are plain HTML forms); the tokens the app gets. */
async function signIn(base: string, clientId: string, secret: string, redirectUri: string, login: string, password: string) {
  const jar = new Jar();
  const verifier = 'bench-verifier-bench-verifier-bench-verifier-0123456789';
  const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url');
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    prompt: 'consent',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'bench',
  });
  let url = `${base}/oidc/auth?${query}`;
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(redirectUri)) break;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(response);
    if (response.status === 303 || response.status === 302) {
      url = new URL(response.headers.get('location')!, url).href;
      continue;
    }
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!csrf || !action) throw new Error(`unexpected page at ${url}: ${response.status}`);
    const form: Record<string, string> = html.includes('id="password"') ? { csrf, login, password } : { csrf };
    const posted = await fetch(new URL(action.replaceAll('&amp;', '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    jar.take(posted);
    url = new URL(posted.headers.get('location')!, url).href;
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`no code: ${url}`);
  const token = await fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  return (await token.json()) as { access_token: string; refresh_token: string };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-oidc-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  // Rate limits off (the load comes from one address) and no access log; every other setting is the default.
  const env = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    ENVELOPE_PORT: 'off',
    RATE_LIMIT: 'off',
    LOG_REQUESTS: 'off',
    PUBLIC_URL: base,
    DEMO_DATA: 'false',
  };
  cli(env, 'users', 'create', '--email', 'bench@example.com', '--password', 'bench-password-1');
  const { client_id, client_secret } = JSON.parse(cli(env, 'clients', 'add', '--name', 'Bench', '--redirect-uri', 'http://127.0.0.1:9/cb', '--json'));
  const { command, args: argv } = onCore('0', ['--max-semi-space-size=4', 'src/cli/gatehouse.ts', 'serve']);
  const server: ChildProcess = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const generator = new LoadGenerator();
  await new Promise<void>((resolve) => server.stdout!.on('data', (d) => String(d).includes('listening') && resolve()));
  try {
    const tokens = await signIn(base, client_id, client_secret, 'http://127.0.0.1:9/cb', 'bench@example.com', 'bench-password-1');
    const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
    const form = 'application/x-www-form-urlencoded';
    const scenarios: Array<[string, LoadSpec]> = [
      ['GET /healthz', { url: base, path: '/healthz', connections: CONNECTIONS, duration: DURATION }],
      [
        'POST /oidc/token (client_credentials)',
        {
          url: base,
          path: '/oidc/token',
          method: 'POST',
          connections: CONNECTIONS,
          duration: DURATION,
          headers: { authorization: basic, 'content-type': form },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'POST /oidc/token (refresh_token; a new access token and RS256 id_token each)',
        {
          url: base,
          path: '/oidc/token',
          method: 'POST',
          connections: CONNECTIONS,
          duration: DURATION,
          headers: { authorization: basic, 'content-type': form },
          body: `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`,
        },
      ],
      ['GET /oidc/me (userinfo)', { url: base, path: '/oidc/me', connections: CONNECTIONS, duration: DURATION, tokens: [tokens.access_token] }],
    ];
    const results = new Map<string, Figures[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, spec] of scenarios) {
        const figures = await generator.run({ ...spec, serverPid: server.pid });
        log(`${name} (round ${round + 1}): ${Math.round(figures.rps)} req/s, ${figures.non2xx} non-2xx`);
        results.set(name, [...(results.get(name) ?? []), figures]);
      }
    }
    const median = (runs: Figures[]) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
    const healthz = median(results.get('GET /healthz')!).rps;
    console.log(`| scenario (median of ${ROUNDS}, ${CONNECTIONS} connections, ${DURATION} s) | req/s | p50 ms | p99 ms | errors | non-2xx | ratio |`);
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const [name] of scenarios) {
      const f = median(results.get(name)!);
      const ratio = name === 'GET /healthz' ? '' : `${(f.rps / healthz).toFixed(2)}× /healthz`;
      console.log(`| ${name} | ${Math.round(f.rps).toLocaleString('en')} | ${f.p50} | ${f.p99} | ${f.errors} | ${f.non2xx} | ${ratio} |`);
    }
  } finally {
    generator.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
