import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, readEnvironment } from '../src/config.ts';

describe('config', () => {
  test('defaults follow the contract', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.deepEqual(c.database, { kind: 'sqlite', path: resolve('data/gatehouse.db') });
    assert.equal(c.v1AuthStyle, 'plain');
    assert.deepEqual([...c.surfaces], ['users', 'catalog', 'auth', 'v1-auth', 'v1-users', 'admin', 'pages', 'account', 'jwks', 'oidc', 'console']);
    assert.equal(c.passwordHash, 'argon2id');
    assert.deepEqual(c.tokenTtl, { users: 10800, auth: 1800, v1Auth: 3600, envelope: 86400 });
    assert.equal(c.jwtSecret, null);
    assert.equal(c.jwtAlgorithm, null, 'decided at start: ES256, or HS256 where a JWT secret exists');
    assert.equal(c.encryptionKey, null);
    assert.equal(loadConfig({ JWT_ALGORITHM: 'EdDSA' }).jwtAlgorithm, 'EdDSA');
    assert.throws(() => loadConfig({ JWT_ALGORITHM: 'none' }), /JWT_ALGORITHM must be one of ES256, EdDSA, RS256, HS256/);
  });

  test('settings are read and checked', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'sqlite:/tmp/x.db',
      SURFACES: 'users, auth',
      V1_AUTH_STYLE: 'envelope',
      PASSWORD_HASH: 'argon2i',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 'x'.repeat(32),
    });
    assert.equal(c.port, 9000);
    assert.deepEqual(c.database, { kind: 'sqlite', path: '/tmp/x.db' });
    assert.deepEqual([...c.surfaces], ['users', 'auth']);
    assert.equal(c.v1AuthStyle, 'envelope');
    assert.equal(c.passwordHash, 'argon2i');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost/db' }).database, { kind: 'postgres', url: 'postgres://u:p@localhost/db' });
  });

  test('a bad value names its setting', () => {
    const bad: Record<string, string> = {
      PORT: '70000',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://x',
      SMTP_URL: 'not a url',
      JWT_SECRET: 'too-short',
      DATABASE_URL: 'oracle://x',
      SURFACES: 'users,shop',
      DEMO_DATA: 'maybe',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: Error) => e instanceof ConfigError && e.message.startsWith(name),
        name,
      );
    }
  });

  test('.env is read; the real environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-env-'));
    try {
      writeFileSync(join(dir, '.env'), 'PORT=9100\nHOST=0.0.0.0\n# comment\n');
      const env = readEnvironment(dir, { HOST: '127.0.0.2' });
      assert.equal(env.PORT, '9100');
      assert.equal(env.HOST, '127.0.0.2');
      assert.equal(loadConfig(env).port, 9100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings are declared once', () => {
  test("the README's settings table is the one written from the declarations", async () => {
    const { readFileSync } = await import('node:fs');
    const { settingsTable } = await import('../src/settings.ts');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(settingsTable()), 'README.md settings table differs from src/settings.ts: paste settingsTable() into it');
  });

  test('nothing outside config.ts and settings.ts reads the environment', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = readdirSync(new URL('../src', import.meta.url), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const readers = files.filter(
      (f) => !['config.ts', 'settings.ts'].includes(f) && /process\.env\b/.test(readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8')),
    );
    assert.deepEqual(readers, []);
  });

  test('doctor prints every declared setting, secrets masked', async () => {
    const { describeSettings, SETTINGS } = await import('../src/settings.ts');
    const lines = describeSettings({ JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://user:pw@db/gh', PORT: '9000' });
    assert.equal(lines.length, Object.keys(SETTINGS).length);
    assert.ok(lines.includes('PORT = 9000 (set)'));
    assert.ok(lines.includes('JWT_SECRET = *** (set)'));
    assert.ok(lines.includes('DATABASE_URL = postgres://***@db/gh (set)'));
    assert.ok(lines.includes('HOST = `127.0.0.1` (default)'));
  });
});
