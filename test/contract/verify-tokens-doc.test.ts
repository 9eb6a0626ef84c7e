// docs/verify-tokens.md: the two snippets an app backend copies are shown verbatim,
// and both accept Gatehouse's access tokens and refuse everything else, run
// against a real Gatehouse process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backendUrls, freshDatabase, freshPrefix } from '../helpers/backends.ts';
import { ROOT, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { registerV1 } from '../helpers/users.ts';

const NODE_FILE = 'docs/examples/verify-token.mjs';
const PYTHON_FILE = 'docs/examples/verify_token.py';
// Debian's python3, where python3-jwt lives (a pyenv shim earlier in PATH may lack it).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const pyjwt = spawnSync(PYTHON, ['-c', 'import jwt, cryptography'], { encoding: 'utf8' }).status === 0;

test('the page shows both files verbatim', () => {
  const page = readFileSync(join(ROOT, 'docs/verify-tokens.md'), 'utf8');
  for (const [file, fence] of [
    [NODE_FILE, 'js'],
    [PYTHON_FILE, 'python'],
  ] as const) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    assert.ok(page.includes(`<!-- the file ${file}, verbatim`), `the page names ${file}`);
    assert.ok(page.includes(`\`\`\`${fence}\n${text}\`\`\``), `${file} differs from its copy in docs/verify-tokens.md`);
  }
});

interface Run {
  status: number | null;
  claims?: Record<string, unknown>;
  stderr: string;
}

function runSnippet(language: 'node' | 'python', url: string, token: string): Run {
  const [command, file] = language === 'node' ? [process.execPath, NODE_FILE] : [PYTHON, PYTHON_FILE];
  const r = spawnSync(command, [file, token], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', GATEHOUSE_URL: url }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr, claims: r.status === 0 ? JSON.parse(r.stdout) : undefined };
}

const setups: Array<[string, Record<string, string>, () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>]> = [
  ...(['ES256', 'EdDSA', 'RS256'] as const).map((algorithm): (typeof setups)[number] => [
    `${algorithm} on SQLite`,
    { JWT_ALGORITHM: algorithm },
    async () => ({ env: {}, drop: async () => {} }),
  ]),
];
const backends = backendUrls();
if (backends) {
  setups.push([
    'ES256 (the default) on PostgreSQL + Redis',
    {},
    async () => {
      const database = await freshDatabase(backends.databaseUrl);
      return {
        env: {
          DATABASE_URL: database.url,
          REDIS_URL: backends.redisUrl,
          REDIS_PREFIX: freshPrefix(),
          MFA_ENCRYPTION_KEY: 'verify-tokens-doc-encryption-key-0123456',
        },
        drop: database.drop,
      };
    },
  ]);
}

for (const [name, settings, open] of setups) {
  describe(`the snippets of docs/verify-tokens.md against Gatehouse, ${name}`, () => {
    let server: ServerProcess;
    let dataDir: string;
    let drop: () => Promise<void>;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-doc-'));
      const backend = await open();
      drop = backend.drop;
      server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...settings, ...backend.env });
    });
    after(async () => {
      await server?.stop();
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    for (const language of ['node', 'python'] as const) {
      test(`${language}: accepts an access token from any surface; refuses a refresh token, an altered one, a foreign one`, {
        skip: language === 'python' && !pyjwt ? 'python3-jwt and python3-cryptography are not installed' : false,
      }, async () => {
        const { username } = await registerV1(server.http);
        const login = await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
        assert.equal(login.status, 200);
        const me = await server.http('GET', '/api/user/me', { token: login.body.access_token });
        const accepted = runSnippet(language, server.url, login.body.access_token);
        assert.equal(accepted.status, 0, accepted.stderr);
        assert.equal(accepted.claims?.type, 'access');
        assert.equal(accepted.claims?.sub, me.body._id, "sub is the user's uuid");
        // the envelope listener's tokens are the same kind
        const envelope = await server.envelopeHttp('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } });
        assert.equal(runSnippet(language, server.envelopeUrl!, envelope.body.data.access_token).status, 0);

        const auth = await server.http('POST', '/api/auth/login', { body: { username, password: 'password123' } });
        assert.equal(runSnippet(language, server.url, auth.body.access_token).status, 0);
        const refresh = runSnippet(language, server.url, auth.body.refresh_token);
        assert.equal(refresh.status, 1);
        assert.match(refresh.stderr, /not an access token/);
        const [header, payload, signature] = login.body.access_token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${signature}`;
        assert.equal(runSnippet(language, server.url, altered).status, 1);
        const foreign = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid })).toString('base64url')}.${payload}.${signature}`;
        assert.equal(runSnippet(language, server.url, foreign).status, 1);
      });
    }
  });
}
