// compose.yaml as a deployer would start it: every Gatehouse instance's
// environment is a configuration Gatehouse accepts, everything it names
// exists, and nginx accepts the proxy configuration it mounts.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { ROOT } from '../helpers/process.ts';

interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  depends_on?: string[];
  ports?: string[];
  volumes?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const instances = Object.keys(services).filter((name) => name.startsWith('gatehouse-'));

/** `${NAME:-default}` and `${NAME:?message}` as compose fills them in, from a .env a deployer would write. */
const dotEnv: Record<string, string> = { POSTGRES_PASSWORD: 'a-database-password', MFA_ENCRYPTION_KEY: 'y'.repeat(48) };
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind: string | undefined, rest: string) => {
    if (dotEnv[name] !== undefined) return dotEnv[name];
    assert.notEqual(kind, '?', `compose.yaml requires ${name}: ${rest}`);
    return kind === '-' ? rest : '';
  });
const environmentOf = (service: Service) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

/** The Containerfile's ENV lines: what every instance runs with before compose's environment. */
const imageEnv = Object.fromEntries(
  [...readFileSync(join(ROOT, 'Containerfile'), 'utf8').matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)\s*\\?$/gm)].map((m) => [m[1]!, m[2]!]),
);

describe('compose.yaml', () => {
  test('PostgreSQL, Redis, two Gatehouse instances and nginx', () => {
    assert.deepEqual(Object.keys(services).sort(), ['gatehouse-1', 'gatehouse-2', 'nginx', 'postgres', 'redis']);
    assert.ok(services.nginx!.depends_on?.every((name) => services[name]));
  });

  test("each instance's environment is a configuration Gatehouse accepts: the shared PostgreSQL and Redis, ES256 with keys in the database, a trusted hop, https links", () => {
    assert.equal(imageEnv.DATA_DIR, '/data');
    for (const name of instances) {
      const service = services[name]!;
      assert.deepEqual(service.depends_on?.sort(), ['postgres', 'redis']);
      const env = { ...imageEnv, ...environmentOf(service) };
      const config = loadConfig(env);
      assert.equal(config.database.kind, 'postgres');
      assert.ok(config.database.kind === 'postgres' && new URL(config.database.url).hostname === 'postgres');
      assert.equal(new URL(config.redisUrl!).hostname, 'redis');
      // Keys in the shared database, published at /.well-known/jwks.json; no HS256 secret (whose JWKS is empty).
      assert.equal(config.jwtAlgorithm, 'ES256');
      assert.equal(config.jwtSecret, null);
      assert.deepEqual(config.jwtPreviousSecrets, []);
      // An installation moving from HS256 keeps its old secret as a verifier only.
      dotEnv.JWT_PREVIOUS_SECRETS = 'z'.repeat(48);
      assert.deepEqual(loadConfig({ ...imageEnv, ...environmentOf(service) }).jwtPreviousSecrets, ['z'.repeat(48)]);
      delete dotEnv.JWT_PREVIOUS_SECRETS;
      // Without it an instance on PostgreSQL refuses to start (the sealed secrets must open everywhere).
      assert.equal(config.encryptionKey, dotEnv.MFA_ENCRYPTION_KEY);
      assert.match(env.TRUST_PROXY!, /^\d+$/, 'TRUST_PROXY is a hop count (nginx is one hop)');
      assert.ok(config.publicUrl.startsWith('https://'));
      assert.equal(config.host, '0.0.0.0');
      // The database's own settings match what the instances connect with.
      const db = environmentOf(services.postgres!);
      const url = new URL(env.DATABASE_URL!);
      assert.deepEqual([url.username, url.password, url.pathname], [db.POSTGRES_USER, db.POSTGRES_PASSWORD, `/${db.POSTGRES_DB}`]);
    }
  });

  test('a missing secret is refused with the message compose prints', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own syntax, not a template
    assert.throws(() => interpolate('${UNSET_IN_TEST:?set it}'), /requires UNSET_IN_TEST/);
    assert.match(JSON.stringify(services['gatehouse-1']!.environment), /MFA_ENCRYPTION_KEY:\?/);
    assert.doesNotMatch(JSON.stringify(services['gatehouse-1']!.environment), /"JWT_SECRET"/);
  });

  test("nginx's upstreams are the instances' listeners; the files it mounts exist", () => {
    const conf = readFileSync(join(ROOT, 'deploy/compose-nginx.conf'), 'utf8');
    const upstreams = [...conf.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
    const expected = instances.flatMap((name) => [`${name}:${imageEnv.PORT}`, `${name}:${imageEnv.ENVELOPE_PORT}`]).sort();
    assert.deepEqual(upstreams, expected);
    const [confMount] = services.nginx!.volumes!;
    assert.ok(existsSync(join(ROOT, confMount!.split(':')[0]!)));
  });

  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
  const openssl = spawnSync('openssl', ['version']).status === 0;
  describe('nginx -t', { skip: !nginx ? 'nginx not installed' : !openssl ? 'openssl not installed' : false }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-compose-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('accepts deploy/compose-nginx.conf (service names pointed at loopback, a self-signed certificate)', () => {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        {
          stdio: 'pipe',
        },
      );
      // Outside compose's network the service names do not resolve; nginx -t resolves upstream names.
      let conf = readFileSync(join(ROOT, 'deploy/compose-nginx.conf'), 'utf8').replaceAll('/etc/nginx/tls/', `${dir}/`);
      for (const name of instances) conf = conf.replaceAll(`${name}:`, '127.0.0.1:');
      writeFileSync(join(dir, 'nginx.conf'), conf);
      const r = spawnSync(nginx!, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', `pid ${dir}/nginx.pid;`], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /test is successful/);
    });
  });
});
