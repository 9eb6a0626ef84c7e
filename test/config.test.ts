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
    assert.deepEqual([...c.surfaces], ['users', 'catalog', 'auth', 'v1-auth', 'v1-users', 'orgs', 'admin', 'pages', 'account', 'jwks', 'oidc', 'console']);
    assert.equal(c.passwordHash, 'argon2id');
    assert.deepEqual(c.tokenTtl, { users: 10800, auth: 1800, v1Auth: 3600, envelope: 86400 });
    assert.equal(c.jwtSecret, null);
    assert.equal(c.jwtAlgorithm, null, 'decided at start: ES256, or HS256 where a JWT secret exists');
    assert.equal(c.encryptionKey, null);
    assert.equal(loadConfig({ JWT_ALGORITHM: 'EdDSA' }).jwtAlgorithm, 'EdDSA');
    assert.throws(() => loadConfig({ JWT_ALGORITHM: 'none' }), /JWT_ALGORITHM must be one of ES256, EdDSA, RS256, HS256/);
  });

  test("SURFACES: a surface that sends people to another one's page needs it served too: one line naming both", () => {
    assert.throws(() => loadConfig({ SURFACES: 'console,pages' }), /^ConfigError: SURFACES: console needs account \(staff set up their second factor there\)/);
    assert.throws(() => loadConfig({ SURFACES: 'oidc', MFA_REQUIRED: 'staff' }), /SURFACES: oidc needs account/);
    assert.doesNotThrow(() => loadConfig({ SURFACES: 'oidc' }), 'without MFA_REQUIRED the OpenID sign-in sends nobody to /account');
    assert.throws(() => loadConfig({ SURFACES: 'users' }), /SURFACES: users needs pages \(the links it mails open \/reset-password/);
    assert.doesNotThrow(
      () =>
        loadConfig({
          SURFACES: 'users',
          RESET_URL_TEMPLATE: 'https://app.example/reset?t={token}',
          VERIFY_URL_TEMPLATE: 'https://app.example/verify?t={token}',
        }),
      "the links point at the app's own pages",
    );
    assert.doesNotThrow(() => loadConfig({ SURFACES: 'console,account,pages' }));
  });

  test('settings are read and checked', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'sqlite:/tmp/x.db',
      SURFACES: 'users, auth, pages',
      V1_AUTH_STYLE: 'envelope',
      PASSWORD_HASH: 'argon2i',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 'x'.repeat(32),
    });
    assert.equal(c.port, 9000);
    assert.deepEqual(c.database, { kind: 'sqlite', path: '/tmp/x.db' });
    assert.deepEqual([...c.surfaces], ['users', 'auth', 'pages']);
    assert.equal(c.v1AuthStyle, 'envelope');
    assert.equal(c.passwordHash, 'argon2i');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.deepEqual(loadConfig({ RATE_LIMIT_PER_IP: '7' }).rateLimit, { perIp: 7, perAccount: 10 });
    assert.equal(loadConfig({ RATE_LIMIT: 'off', RATE_LIMIT_PER_IP: '7' }).rateLimit, null);
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost/db' }).database, { kind: 'postgres', url: 'postgres://u:p@localhost/db' });
  });

  test('on/off settings: the README says on and off; true/false, yes/no, 1/0 are accepted alike, and a bad value says so', () => {
    for (const [value, expected] of [
      ['on', true],
      ['true', true],
      ['yes', true],
      ['1', true],
      ['ON', true],
      ['off', false],
      ['false', false],
      ['no', false],
      ['0', false],
    ] as const)
      assert.equal(loadConfig({ RATE_LIMIT: value }).rateLimit !== null, expected, value);
    assert.throws(() => loadConfig({ RATE_LIMIT: 'maybe' }), { message: 'RATE_LIMIT must be on or off (or true/false, yes/no, 1/0; got "maybe")' });
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
      TRUST_PROXY: 'true',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: Error) => e instanceof ConfigError && e.message.startsWith(name),
        name,
      );
    }
  });

  test('TRUST_PROXY: off, a hop count, or addresses/CIDRs; true and malformed entries are refused', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1,loopback' }).trustProxy, ['10.0.0.5', '10.1.0.0/16', '::1', 'loopback']);
    for (const value of ['true', '10.0.0.0/33', '10.0.0.300', 'proxy.example.com', '1.2.3.4/8/8'])
      assert.throws(() => loadConfig({ TRUST_PROXY: value }), /^ConfigError: TRUST_PROXY/, value);
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

  test('settings.ts is a leaf: what it loads at run time is Node and modules of names (surfaces, signing algorithms) and the project folder that load nothing', async () => {
    const { readFileSync } = await import('node:fs');
    const loads = (path: string) =>
      [...readFileSync(new URL(path, import.meta.url), 'utf8').matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)]
        .map((m) => m[1]!)
        .filter((from) => !from.startsWith('node:'));
    const loaded = loads('../src/settings.ts');
    assert.deepEqual(loaded, ['./core/jwt-algorithms.ts', './project-dir.ts', './surfaces/names.ts']);
    for (const module of loaded) assert.deepEqual(loads(`../src/${module.slice(2)}`), [], `${module} loads nothing`);
  });

  test("each row's documented default is its parser's default", async () => {
    const { SETTINGS } = await import('../src/settings.ts');
    const rows = Object.entries(SETTINGS) as Array<[string, (typeof SETTINGS)[keyof typeof SETTINGS]]>;
    const real = (name: string, raw?: string): unknown => rows.find(([n]) => n === name)![1].parse(raw, {}, name);
    for (const [name, row] of rows) {
      const quoted = /^`(.*)`$/.exec(row.default);
      if (quoted) {
        // `$NAME` in a documented default stands for that setting's own default.
        const raw = quoted[1]!.replace(/\$([A-Z_]+)/g, (_, other: string) => String(real(other)));
        assert.deepEqual(real(name, raw), real(name), `${name}: documented ${row.default}`);
      } else {
        const value = real(name);
        assert.ok(value === null || (Array.isArray(value) && value.length === 0), `${name}: documented "${row.default}" but its parser gives ${String(value)}`);
      }
    }
  });

  test('doctor masks every secret row, whatever its value', async () => {
    const { describeSettings, SETTINGS } = await import('../src/settings.ts');
    const secrets = Object.entries(SETTINGS).filter(([, row]) => 'secret' in row && row.secret);
    assert.ok(secrets.length >= 8);
    const env = Object.fromEntries(secrets.map(([name]) => [name, `https://user:hunter2-${name}@example.com/`]));
    for (const line of describeSettings(env)) assert.ok(!line.includes('hunter2'), line);
    const plain = Object.fromEntries(secrets.map(([name]) => [name, `hunter2-${name}-${'x'.repeat(32)}`]));
    for (const line of describeSettings(plain)) assert.ok(!line.includes('hunter2'), line);
  });

  test('doctor prints every declared setting, secrets masked', async () => {
    const { describeSettings, SETTINGS } = await import('../src/settings.ts');
    const lines = describeSettings({ JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://user:pw@db/gh', PORT: '9000' });
    assert.equal(lines.length, Object.keys(SETTINGS).length);
    assert.ok(lines.includes('PORT = 9000 (set)'));
    assert.ok(lines.includes('JWT_SECRET = *** (set)'));
    assert.ok(lines.includes('DATABASE_URL = postgres://***@db/gh (set)'));
    assert.ok(lines.includes('HOST = 127.0.0.1 (default)'));
    assert.ok(
      lines.every((line) => !line.includes('`')),
      'plain text, no Markdown',
    );
  });
});
