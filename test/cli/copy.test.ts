// `gatehouse copy` between SQLite and PostgreSQL, both ways, under another
// encryption key on the target: after the copy a Gatehouse on the target is
// what its users knew (the second factor still asked, recovery codes, passkeys,
// apps' secrets, tokens' keys, the audit trail, pending verifications), and a
// row that cannot be carried stops the copy with the target left empty.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { generateSync } from 'otplib';
import { COPIED } from '../../src/store/moving-in/copy-plan.ts';
import { backendUrls, freshDatabase, NO_BACKENDS } from '../helpers/backends.ts';
import { runCli } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { registerV1, waitForVerification } from '../helpers/users.ts';

const backends = backendUrls();
const PASSWORD = 'password123';
const PASSKEY_ID = 'Y29waWVkLXBhc3NrZXktY3JlZGVudGlhbA';

/** A key of the secret box, as an operator would generate it. */
const newKey = () => randomBytes(48).toString('base64url');

/** What a user and an operator had on the source installation, to find again on the target. */
interface Planted {
  enrolled: { id: number; username: string; secret: string; recoveryCodes: string[]; tokenBefore: string };
  pending: { email: string; token: string };
  app: { clientId: string; secret: string };
  audit: Array<{ id: number; type: string; at: number }>;
  signingKeys: number;
  webhook: { id: string; secret: string };
}

/**
 * Fills a running source installation through its API, the way users and an
 * operator would: a user enrolled in TOTP (recovery codes), a passkey on that
 * account (stored directly: no authenticator here), a user with an unopened
 * verification mail, a confidential app, a product.
 */
async function plant(source: TestServer): Promise<Planted> {
  const { username } = await registerV1(source.http);
  const login = await source.http('POST', '/api/v1/auth/login/json', { body: { username, password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  const token = login.body.access_token as string;
  const setup = await source.http('POST', '/api/v1/auth/mfa/totp', { token, body: { password: PASSWORD } });
  assert.equal(setup.status, 200, setup.text);
  const secret = setup.body.secret as string;
  const confirm = await source.http('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: codeAt(source, secret) } });
  assert.equal(confirm.status, 200, confirm.text);
  const id = login.body.user.id as number;
  await source.stores.factors.addPasskey({
    id: PASSKEY_ID,
    userId: id,
    publicKey: 'pQECAyYgASFYIA',
    counter: 7,
    transports: ['usb'],
    name: 'YubiKey',
    backedUp: false,
    createdAt: source.clock.now(),
    lastUsedAt: null,
  });
  // A token signed before the copy: still accepted here (its session lives here).
  const tokenBefore = (
    await source.http('POST', '/api/v1/auth/login/json', { body: { username: (await registerV1(source.http)).username, password: PASSWORD } })
  ).body.access_token as string;
  assert.equal((await source.http('GET', '/api/users/me', { token: tokenBefore })).status, 200);

  const pending = await registerV1(source.http);
  const { token: verifyToken } = await waitForVerification(source.stores.outbox, pending.email);
  const { app, secret: appSecret } = await source.core.apps.register({ name: 'Copied app', redirectUris: ['https://app.example.com/cb'], isPublic: false });
  await source.stores.products.upsertMany(
    [{ id: 7, model: 'M7', quantity: 1, image: 'catalog/7.png', price: 1.5, name: 'Seven', description: '', featuredRank: null, status: 'enabled' }],
    source.clock.now(),
  );
  // A webhook endpoint (its secret sealed) with a test event not delivered yet: it wants only deletions, so nothing else is queued.
  const hook = await source.core.webhooks.add({ url: 'https://hooks.example.com/copied', eventTypes: ['user.deleted'] });
  await source.core.webhooks.test(hook.endpoint.id);
  return {
    webhook: { id: hook.endpoint.id, secret: hook.secret },
    enrolled: { id, username, secret, recoveryCodes: confirm.body.recovery_codes, tokenBefore },
    pending: { email: pending.email, token: verifyToken },
    app: { clientId: app.clientId, secret: appSecret! },
    audit: (await source.core.audit.list(1000)).map((e) => ({ id: e.id, type: e.type, at: e.at })),
    signingKeys: (await source.stores.signingKeys.list()).length,
  };
}

/** The code an authenticator app shows now on that installation's clock. */
function codeAt(server: TestServer, secret: string): string {
  return generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });
}

/** What the copy reported: every table of the plan, in its order, with the rows planted. */
function checkReport(tables: Record<string, number>, planted: Planted): void {
  assert.deepEqual(
    Object.keys(tables),
    COPIED.map((t) => t.name),
  );
  assert.equal(tables.users, 3);
  assert.equal(tables.totp_factors, 1);
  assert.equal(tables.recovery_codes, 10);
  assert.equal(tables.passkeys, 1);
  assert.equal(tables.oidc_clients, 1);
  assert.equal(tables.signing_keys, planted.signingKeys);
  assert.equal(tables.audit_events, planted.audit.length);
  assert.equal(tables.products, 1);
  assert.ok(tables.verifications! >= 1 && tables.outbox! >= 1);
  assert.equal(tables.webhook_endpoints, 1);
  assert.equal(tables.webhook_secrets, 1);
  assert.equal(tables.webhook_deliveries, 1);
  assert.ok(tables.webhook_events! >= 1);
}

/**
 * What the users and the operator of the target see, by HTTP and the CLI:
 * everything planted works there, under the target's own key.
 */
async function checkTarget(target: TestServer, planted: Planted, cliEnv: Record<string, string>): Promise<void> {
  const { http } = target;
  const { enrolled } = planted;

  // The second factor is still asked, and the copied secret's code finishes the login.
  const first = await http('POST', '/api/v1/auth/login/json', { body: { username: enrolled.username, password: PASSWORD } });
  assert.equal(first.status, 403, `the password alone must not sign an enrolled user in: ${first.text}`);
  assert.equal(first.body.mfa_required, true);
  assert.ok(first.body.methods.includes('totp') && first.body.methods.includes('recovery_code'), `the authenticator app is still asked for: ${first.text}`);
  const verified = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: first.body.mfa_token, code: codeAt(target, enrolled.secret) } });
  assert.equal(verified.status, 200, verified.text);
  const token = verified.body.access_token as string;

  // A recovery code written down on the source still works (once).
  const second = await http('POST', '/api/v1/auth/login/json', { body: { username: enrolled.username, password: PASSWORD } });
  assert.equal(second.status, 403);
  const recovered = await http('POST', '/api/v1/auth/mfa/verify', { body: { mfa_token: second.body.mfa_token, recovery_code: enrolled.recoveryCodes[0] } });
  assert.equal(recovered.status, 200, recovered.text);

  // The account's factors as its owner sees them.
  const mfa = await http('GET', '/api/v1/auth/mfa', { token });
  assert.equal(mfa.status, 200, mfa.text);
  assert.equal(mfa.body.totp, 'active');
  assert.equal(mfa.body.recovery_codes_left, 9);
  assert.deepEqual(
    mfa.body.passkeys.map((p: { id: string; name: string }) => [p.id, p.name]),
    [[PASSKEY_ID, 'YubiKey']],
  );

  // The app's secret still works on the token endpoint, and only that secret.
  const basic = (secret: string) => `Basic ${Buffer.from(`${planted.app.clientId}:${secret}`).toString('base64')}`;
  const grant = await http('POST', '/oidc/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: basic(planted.app.secret) } });
  assert.equal(grant.status, 200, grant.text);
  assert.ok(grant.body.access_token);
  const wrong = await http('POST', '/oidc/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: basic(`${planted.app.secret}x`) } });
  assert.equal(wrong.status, 401);

  // A token signed before the copy verifies against the target's published keys (its key came along)…
  const jwks = (await http('GET', '/.well-known/jwks.json')).body as JSONWebKeySet;
  const { kid, alg } = decodeProtectedHeader(enrolled.tokenBefore);
  assert.equal(alg, 'ES256');
  assert.ok(
    jwks.keys.some((k) => k.kid === kid),
    'the signing key is listed',
  );
  await jwtVerify(enrolled.tokenBefore, createLocalJWKSet(jwks));
  // …but its session was not copied: the target refuses it, as it would after any sign-out.
  assert.equal((await http('GET', '/api/users/me', { token: enrolled.tokenBefore })).status, 401);

  // An unopened verification link from the source opens on the target.
  const link = await http('POST', '/api/v1/auth/verify-email', { body: { token: planted.pending.token } });
  assert.equal(link.status, 200, link.text);

  assert.equal((await http('GET', '/api/products/product/7')).body.name, 'Seven');

  // The webhook endpoint's secret, sealed again under the target's key, is the one its receiver was given; its test event waits there.
  const [hookSecret, ...others] = await target.stores.webhooks.secrets(planted.webhook.id, target.clock.now());
  assert.equal(others.length, 0);
  assert.equal(target.core.secretBox.open(hookSecret!.sealedSecret, `webhook-secret:${hookSecret!.id}`), planted.webhook.secret);
  assert.deepEqual(
    (await target.core.webhooks.deliveries(planted.webhook.id)).map((d) => d.eventType),
    ['webhook.test'],
  );

  // New rows take ids after the copied ones (PostgreSQL's sequences moved).
  const newcomer = await registerV1(http);
  assert.equal(newcomer.user.id, 4);

  // The operator's audit trail: every event of the source, then the target's own.
  const audit = runCli(['audit', '--limit', '1000', '--json'], cliEnv);
  assert.equal(audit.status, 0, audit.stderr);
  const events = JSON.parse(audit.stdout) as Array<{ id: number; type: string; at: string }>;
  for (const e of planted.audit) {
    assert.ok(
      events.some((t) => t.id === e.id && t.type === e.type && t.at === new Date(e.at).toISOString()),
      `audit event ${e.id} ${e.type}`,
    );
  }
  assert.ok(
    events.some((t) => t.id > Math.max(...planted.audit.map((e) => e.id)) && t.type === 'login.succeeded'),
    'the target records after them',
  );
}

describe('gatehouse copy: bad arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-args-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each is one line, exit 2', () => {
    writeFileSync(join(dir, 'short-key'), 'too short');
    for (const args of [
      ['copy'],
      ['copy', '--from', 'sqlite:/x.db'],
      ['copy', '--from', 'mysql://x', '--to', 'sqlite:/y.db'],
      ['copy', '--from', 'memory:', '--to', 'sqlite:/y.db'],
      ['copy', '--from', 'sqlite:/x.db', '--to', 'sqlite:/y.db', '--keys'],
      ['copy', '--from', 'sqlite:/x.db', '--to', 'sqlite:/y.db', '--to-encryption-key-file', join(dir, 'missing')],
      ['copy', '--from', 'sqlite:/x.db', '--to', 'sqlite:/y.db', '--from-encryption-key-file', join(dir, 'short-key')],
    ]) {
      const r = runCli(args, { DATA_DIR: dir });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});

describe('gatehouse copy between SQLite and PostgreSQL', { skip: backends ? false : NO_BACKENDS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-copy-'));
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  test('migrate works on PostgreSQL, twice', async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    cleanups.push(db.drop);
    const first = runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: db.url });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied: 0003-products/);
    assert.match(runCli(['migrate'], { DATA_DIR: dir, DATABASE_URL: db.url }).stdout, /up to date/);
  });

  test('SQLite → PostgreSQL under another key, as docs/operations.md does it: a wrong key, no key, or a row PostgreSQL refuses stops it with one line and nothing copied; then everything works on the target', async () => {
    // The source: a default SQLite installation, its key generated into DATA_DIR/encryption-key.
    const source = await startTestServer();
    cleanups.push(() => source.close());
    const planted = await plant(source);
    const db = await freshDatabase(backends!.databaseUrl);
    cleanups.push(db.drop);
    const from = `sqlite:${join(source.dataDir, 'gatehouse.db')}`;
    // As docs/operations.md has it: the settings are the new installation's (its MFA_ENCRYPTION_KEY); the old key is a file.
    const targetKey = newKey();
    const cliEnv = { DATA_DIR: join(dir, 'cli'), DATABASE_URL: db.url, MFA_ENCRYPTION_KEY: targetKey };
    const args = ['copy', '--from', from, '--to', db.url, '--from-encryption-key-file', join(source.dataDir, 'encryption-key')];

    // Another installation's key: the first sealed row says so, and nothing is copied.
    writeFileSync(join(dir, 'wrong-key'), newKey());
    const wrongKey = runCli(['copy', '--from', from, '--to', db.url, '--from-encryption-key-file', join(dir, 'wrong-key')], cliEnv);
    assert.equal(wrongKey.status, 2, wrongKey.stdout);
    assert.equal(wrongKey.stderr.trim().split('\n').length, 1, wrongKey.stderr);
    assert.match(
      wrongKey.stderr,
      new RegExp(
        `^gatehouse: copy failed: totp_factors row user_id ${planted.enrolled.id}: its sealed secret does not open with the source key .*nothing was copied$`,
        'm',
      ),
    );
    // No key at all (a DATA_DIR without one, no MFA_ENCRYPTION_KEY): nothing is generated, the copy stops.
    const noKey = runCli(['copy', '--from', from, '--to', db.url], { DATA_DIR: join(dir, 'keyless') });
    assert.equal(noKey.status, 2, noKey.stdout);
    assert.match(
      noKey.stderr,
      /^gatehouse: copy failed: totp_factors row user_id \d+: its secret is sealed and there is no source key to open it \(MFA_ENCRYPTION_KEY is unset and .*encryption-key does not exist; give --from-encryption-key-file\); nothing was copied\n$/,
    );
    // Without options both sides take the key the settings resolve: here the source's own DATA_DIR/encryption-key.
    const sameKey = runCli(['copy', '--from', from, '--to', `sqlite:${join(dir, 'same-key.db')}`], { DATA_DIR: source.dataDir });
    assert.equal(sameKey.status, 0, sameKey.stderr);

    // A text PostgreSQL cannot hold (SQLite keeps a NUL character; PostgreSQL refuses it): the row is named.
    const file = new DatabaseSync(join(source.dataDir, 'gatehouse.db'));
    const last = file.prepare('SELECT id, detail FROM audit_events ORDER BY id DESC LIMIT 1').get() as { id: number; detail: string | null };
    file.prepare("UPDATE audit_events SET detail = 'a' || char(0) || 'b' WHERE id = ?").run(last.id);
    const refused = runCli(args, cliEnv);
    file.prepare('UPDATE audit_events SET detail = ? WHERE id = ?').run(last.detail, last.id);
    file.close();
    assert.equal(refused.status, 2, refused.stdout);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^gatehouse: copy failed: audit_events row id ${last.id}: the target refused it: .*nothing was copied$`, 'm'));

    // The failures left the target empty: the copy goes through now.
    const r = runCli(args, cliEnv);
    assert.equal(r.status, 0, r.stderr);
    const [copiedLine, leftLine] = r.stdout.trim().split('\n');
    const counts = Object.fromEntries(
      copiedLine!
        .replace(/^copied /, '')
        .split(', ')
        .map((part) => [part.split(' ')[0], Number(part.split(' ')[1])]),
    );
    checkReport(counts, planted);
    assert.match(
      leftLine!,
      /^not copied \(short-lived; users sign in again\): sessions, attempt_budgets, mfa_challenges, totp_used_steps, webauthn_ceremonies, one_time_codes, upstream_requests, oidc_payloads$/,
    );

    const again = runCli(args, cliEnv);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^gatehouse: copy failed: the target is not empty \(users: 3 rows\)/);

    const target = await startTestServer({ env: { DATABASE_URL: db.url, MFA_ENCRYPTION_KEY: targetKey } });
    try {
      await checkTarget(target, planted, cliEnv);
    } finally {
      await target.close();
    }
  });

  test('PostgreSQL → SQLite under another key (--json): everything works on the target', async () => {
    const db = await freshDatabase(backends!.databaseUrl);
    cleanups.push(db.drop);
    const sourceKey = newKey();
    const source = await startTestServer({ env: { DATABASE_URL: db.url, MFA_ENCRYPTION_KEY: sourceKey } });
    cleanups.push(() => source.close());
    const planted = await plant(source);

    // The target: a default SQLite installation whose key file the operator made first.
    const newDir = join(dir, 'from-postgres');
    mkdirSync(newDir);
    writeFileSync(join(newDir, 'encryption-key'), newKey(), { mode: 0o600 });
    // The settings are the source's (its MFA_ENCRYPTION_KEY opens); the target's key is the file.
    const r = runCli(
      ['copy', '--from', db.url, '--to', `sqlite:${join(newDir, 'gatehouse.db')}`, '--to-encryption-key-file', join(newDir, 'encryption-key'), '--json'],
      { DATA_DIR: join(dir, 'cli'), MFA_ENCRYPTION_KEY: sourceKey },
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { tables: Record<string, number>; not_copied: string[] };
    checkReport(report.tables, planted);
    assert.ok(report.not_copied.includes('sessions'));

    const target = await startTestServer({ env: { DATA_DIR: newDir } });
    try {
      await checkTarget(target, planted, { DATA_DIR: newDir });
    } finally {
      await target.close();
    }
  });
});
