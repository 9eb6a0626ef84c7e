// The example code of the API documents Gatehouse serves, run as written against
// the real process (`gatehouse serve` with its defaults: both listeners, rate
// limits on), on SQLite and on PostgreSQL + Redis. Only host, port, account
// names and the placeholders a reader fills in (tokens) are substituted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { backendUrls, freshDatabase, freshPrefix } from '../helpers/backends.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { uniqueName } from '../helpers/users.ts';

const FIXTURES = new URL('./seed-examples/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const JWT_SECRET = 'seed-examples-secret-seed-examples-secret-0123';

/** Every request the examples sent, per example, for the closing report. */
const sent: Record<string, number> = {};
const count = (example: string, n = 1) => (sent[example] = (sent[example] ?? 0) + n);
after(() => console.log(`# seed example requests: ${JSON.stringify(sent)}`));

function python(code: string): { out: string; err: string } {
  const r = spawnSync('python3', ['-'], { input: code, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `python3 failed (is python3-requests installed? .ci/run installs it):\n${r.stderr}`);
  return { out: r.stdout, err: r.stderr };
}

function bash(script: string): string {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** Points an example written for `http://127.0.0.1:PORT` / `http://localhost:PORT` at a listener. */
const retarget = (code: string, port: number, url: string) => code.replaceAll(`http://127.0.0.1:${port}`, url).replaceAll(`http://localhost:${port}`, url);

/**
 * Replays a `.http` file: `### title`, a request line, headers, an optional
 * body, and `>>> STATUS` followed by the exact JSON answer, `keys a,b` (the
 * exact key set), `list a,b` (a non-empty list of such objects) or `bytes`.
 * Tokens and the first listed item's fields are remembered for later requests.
 */
async function replay(file: string, base: string, vars: Record<string, string>, example: string): Promise<void> {
  const fill = (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      assert.ok(vars[name] !== undefined, `${file}: {{${name}}} has no value`);
      return vars[name]!;
    });
  const blocks = fixture(file).split(/^### /m).slice(1);
  for (const block of blocks) {
    const [title, ...lines] = block.split('\n');
    const expectIndex = lines.findIndex((l) => l.startsWith('>>> '));
    const [requestLine, ...rest] = lines.slice(0, expectIndex).join('\n').trim().split('\n');
    const blank = rest.indexOf('');
    const headerLines = blank < 0 ? rest : rest.slice(0, blank);
    const body =
      blank < 0
        ? ''
        : rest
            .slice(blank + 1)
            .join('\n')
            .trim();
    const [method, path] = fill(requestLine!).split(' ') as [string, string];
    const headers = Object.fromEntries(headerLines.map((h) => fill(h).split(/:\s*/, 2) as [string, string]));
    const url =
      base +
      path
        .split('/')
        .map((s) => encodeURIComponent(decodeURIComponent(s)))
        .join('/');
    const response = await fetch(url, { method, headers, body: body ? fill(body) : undefined });
    count(example);
    const [, status, kind, ...spec] = lines[expectIndex]!.split(' ');
    const text = await response.text();
    assert.equal(response.status, Number(status), `${file} "${title}": ${response.status} ${text}`);
    if (kind === 'bytes') {
      assert.ok(text.length > 0, `${file} "${title}": empty body`);
      continue;
    }
    const answer = JSON.parse(text);
    if (kind === 'keys') assert.deepEqual(Object.keys(answer).sort(), spec.join(' ').split(',').sort(), title);
    else if (kind === 'list') {
      assert.ok(Array.isArray(answer) && answer.length > 0, title);
      for (const item of answer) assert.deepEqual(Object.keys(item).sort(), spec.join(' ').split(',').sort(), title);
      Object.assign(vars, Object.fromEntries(Object.entries(answer[0]).map(([k, v]) => [k, String(v)])));
    } else if (kind) assert.deepEqual(answer, JSON.parse(fill([kind, ...spec].join(' '))), title);
    for (const key of ['access_token', 'refresh_token']) if (typeof answer[key] === 'string') vars[key] = answer[key];
  }
}

/** Splits the curl walk-through into its numbered steps. */
function curlSteps(url: string, username: string, email: string): string[] {
  const script = retarget(fixture('v1-auth-walkthrough.sh'), 8000, url).replaceAll('"testuser"', `"${username}"`).replaceAll('test@example.com', email);
  return script.split(/^(?=# \d\.)/m).map((s) => s.trim());
}

const storages: Array<[string, () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>]> = [
  ['SQLite', async () => ({ env: {}, drop: async () => {} })],
];
const backends = backendUrls();
if (backends) {
  storages.push([
    'PostgreSQL + Redis',
    async () => {
      const database = await freshDatabase(backends.databaseUrl);
      return {
        env: {
          DATABASE_URL: database.url,
          REDIS_URL: backends.redisUrl,
          REDIS_PREFIX: freshPrefix(),
          MFA_ENCRYPTION_KEY: 'seed-examples-encryption-key-0123456789',
        },
        drop: database.drop,
      };
    },
  ]);
}

for (const [storage, open] of storages) {
  describe(`the documents' examples, as written, on ${storage}`, () => {
    let server: ServerProcess;
    let dataDir: string;
    let drop: () => Promise<void>;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-examples-'));
      const backend = await open();
      drop = backend.drop;
      server = await startServerProcess({ DATA_DIR: dataDir, JWT_SECRET, LOG_LEVEL: 'warn', ...backend.env });
      assert.ok(server.envelopeUrl, 'npm start serves the envelope listener by default');
    });
    after(async () => {
      await server?.stop();
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('/api/v1/auth curl walk-through (main listener): register, login/json, me, refresh, logout, all with the login token', () => {
      const steps = curlSteps(server.url, uniqueName('walk'), `${uniqueName('walk')}@example.com`);
      assert.equal(steps.length, 5);
      const registered = JSON.parse(bash(steps[0]!));
      assert.equal(registered.username?.startsWith('walk'), true, JSON.stringify(registered));
      const login = JSON.parse(bash(steps[1]!));
      const token: string = login.access_token;
      const withToken = (step: string, t = token) => step.replaceAll('YOUR_ACCESS_TOKEN', t);
      assert.equal(JSON.parse(bash(withToken(steps[2]!))).username, registered.username);
      const refreshed = JSON.parse(bash(withToken(steps[3]!)));
      assert.equal(refreshed.expires_in, 3600);
      assert.deepEqual(JSON.parse(bash(withToken(steps[4]!))), { message: '登出成功' });
      // Logout with the login token ended the session: the refreshed token is dead too.
      assert.deepEqual(JSON.parse(bash(withToken(steps[2]!, refreshed.access_token))), { detail: '无效的认证凭据' });
      count('v1-auth curl walk-through', 6);
    });

    test('/api/v1/auth envelope examples (envelope listener): the full flow, settings, and the retry helper 3 times with one refresh token', () => {
      const username = uniqueName('py');
      const flow = python(retarget(fixture('envelope-full-flow.py'), 5000, server.envelopeUrl!).replaceAll('"testuser"', `"${username}"`)).out;
      count('envelope full flow', 3);
      const lines = flow.trim().split('\n');
      assert.match(lines[0]!, /^注册结果: \{'status': 'success', 'message': '注册成功'/);
      assert.match(lines[1]!, /^登录结果: \{'status': 'success', 'message': '登录成功'/);
      assert.match(
        lines[2]!,
        new RegExp(`^用户信息: \\{'status': 'success', 'message': '获取用户信息成功', 'data': \\{'uuid': '[0-9a-f-]{36}', 'username': '${username}'`),
      );

      // Log in as that client did, to hold its tokens.
      const tokens = JSON.parse(
        python(
          `import requests, json\nprint(json.dumps(requests.post("${server.envelopeUrl}/api/v1/auth/login", json={"username": "${username}", "password": "password123"}).json()["data"]))`,
        ).out,
      );
      count('envelope token refresh');
      const settings = retarget(fixture('envelope-update-settings.py'), 5000, server.envelopeUrl!).replace('your_access_token_here', tokens.access_token);
      assert.equal(python(settings).out.trim(), '配置更新成功');
      count('envelope update settings');

      // The access token has expired (24 h later): sign one for the same session, past its exp.
      const claims = payload(tokens.access_token);
      const now = Math.floor(Date.now() / 1000);
      const expired = createSigner({ key: JWT_SECRET, algorithm: 'HS256' })({ ...claims, jti: 'expired-one', iat: now - 90_000, exp: now - 3_600 });
      const driver = `${retarget(fixture('envelope-token-refresh.py'), 5000, server.envelopeUrl!)}
import json, sys
results = [get_user_profile_with_retry(${JSON.stringify(expired)}, ${JSON.stringify(tokens.refresh_token)}) for _ in range(3)]
print(json.dumps(results, ensure_ascii=False))
`;
      const results = JSON.parse(python(driver).out);
      count('envelope token refresh', 9);
      assert.equal(results.length, 3);
      for (const r of results) {
        assert.notEqual(r, null, 'get_user_profile_with_retry returned None');
        assert.equal(r.data.username, username);
      }
      // the login's access token still works afterwards
      const still = python(
        `import requests\nprint(requests.get("${server.envelopeUrl}/api/v1/users/profile", headers={"Authorization": "Bearer ${tokens.access_token}"}).status_code)`,
      ).out.trim();
      assert.equal(still, '200');
      count('envelope token refresh');
    });

    test('request examples of /api/users, /api/products and /cache, /api/auth and /api/user (main listener)', async () => {
      await replay(
        'users-requests.http',
        server.url,
        {
          email: `${uniqueName('u')}@example.com`,
          password: 'password123',
          new_password: 'password456',
          first_name: '三',
          last_name: '张',
          phone_number: '13800138000',
        },
        'users requests',
      );
      await replay('catalog-requests.http', server.url, {}, 'catalog requests');
      const username = uniqueName('two');
      await replay(
        'auth-requests.http',
        server.url,
        {
          username,
          email: `${username}@example.com`,
          password: 'password123',
          nickname: 'nick',
          new_email: `${username}.new@example.com`,
          new_nickname: 'nick2',
          new_password: 'password456',
        },
        'auth requests',
      );
    });

    test('side by side: a /api/v1/auth client registers on the main listener while an envelope client logs in with that account on the other', async () => {
      const username = uniqueName('both');
      const steps = curlSteps(server.url, username, `${username}@example.com`);
      bash(steps[0]!);
      // both clients at once: the curl client logs in on 8000's listener, the Python client on 5000's
      const pyLogin = `import requests, json
r = requests.post("${server.envelopeUrl}/api/v1/auth/login", json={"username": "${username}", "password": "password123"}).json()
p = requests.get("${server.envelopeUrl}/api/v1/users/profile", headers={"Authorization": "Bearer " + r["data"]["access_token"]}).json()
print(json.dumps({"login": r["status"], "profile": p["data"]["username"], "token": r["data"]["access_token"]}))`;
      const [curlLogin, py] = await Promise.all([
        new Promise<string>((resolve) => setImmediate(() => resolve(bash(steps[1]!)))),
        new Promise<{ out: string }>((resolve) => setImmediate(() => resolve(python(pyLogin)))),
      ]);
      count('side by side', 4);
      const seen = JSON.parse(py.out);
      assert.deepEqual([seen.login, seen.profile], ['success', username]);
      const plainToken = JSON.parse(curlLogin).access_token;
      // one user base, one session store: each client's token works on the other's listener
      const me = await server.http('GET', '/api/v1/auth/me', { token: seen.token });
      assert.equal(me.body.username, username);
      const profile = await server.envelopeHttp('GET', '/api/v1/users/profile', { token: plainToken });
      assert.equal(profile.body.data.username, username);
      count('side by side', 2);
    });
  });
}
