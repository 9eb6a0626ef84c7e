// Sign in with Gatehouse across two instances on one PostgreSQL + Redis, as
// behind a load balancer: the browser authorizes on A; the app exchanges the
// code and refreshes on B; the app registered through `gatehouse clients add --json`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { backendUrls, freshDatabase, freshPrefix, NO_BACKENDS } from '../../helpers/backends.ts';
import { authorizationRequest, callbackServer, freePort, newPage, refusedWith, relyingParty, walk } from '../../helpers/oidc.ts';
import { chromiumPath, launchChromium } from '../../helpers/browser.ts';
import { runCli, startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { PASSWORD, registerAndLogin } from '../../helpers/users.ts';

const backends = backendUrls();
const executablePath = chromiumPath();
const skip = !backends ? NO_BACKENDS : !executablePath ? 'Chromium is not installed' : false;

describe('OpenID Connect on two instances (PostgreSQL + Redis)', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-oidc-multi-'));
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  let browser: Browser;
  let rp: Awaited<ReturnType<typeof callbackServer>>;
  let issuer: string;
  let env: Record<string, string>;

  before(async () => {
    const database = await freshDatabase(backends!.databaseUrl);
    drop = database.drop;
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/oidc`;
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: backends!.redisUrl,
      REDIS_PREFIX: freshPrefix(),
      JWT_SECRET: 'shared-secret-shared-secret-shared-secret-42',
      MFA_ENCRYPTION_KEY: 'shared-encryption-key-shared-encryption-key-42',
      LOG_LEVEL: 'warn',
      // One issuer for both: the address the app knows (A's).
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    // A first: the first instance creates the shared provider keys, the second reads them.
    a = await startServerProcess({ ...env, PORT: String(port) });
    b = await startServerProcess(env);
    rp = await callbackServer();
    browser = await launchChromium(executablePath!);
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('authorize on A; exchange, userinfo and refresh on B; a CLI revocation ends it on both', async () => {
    const added = runCli(['clients', 'add', '--name', 'Two', '--redirect-uri', rp.url, '--json'], env);
    assert.equal(added.status, 0, added.stderr);
    const { client_id, client_secret } = JSON.parse(added.stdout) as { client_id: string; client_secret: string };
    const onA = await relyingParty(issuer, client_id, client_secret);
    // The same provider as the app sees it, with its token and userinfo endpoints reached through B.
    const viaB = (url: string | undefined) => url!.replace(a.url, b.url);
    const metadata = JSON.parse(JSON.stringify(onA.serverMetadata())) as client.ServerMetadata;
    const onB = new client.Configuration(
      {
        ...metadata,
        token_endpoint: viaB(metadata.token_endpoint),
        userinfo_endpoint: viaB(metadata.userinfo_endpoint),
        revocation_endpoint: viaB(metadata.revocation_endpoint),
      },
      client_id,
      undefined,
      client.ClientSecretBasic(client_secret),
    );
    client.allowInsecureRequests(onB);

    const { email } = await registerAndLogin(a.http);
    const { context, page } = await newPage(browser);
    const request = await authorizationRequest(onA, rp.url);
    const { callback, shown } = await walk(page, request.url, { login: email, password: PASSWORD }, rp.url);
    assert.deepEqual(shown, ['Sign in', 'Allow access']);
    const tokens = await client.authorizationCodeGrant(onB, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(viaB(metadata.jwks_uri))), { issuer, audience: client_id });
    assert.equal(payload.email, email);
    assert.equal((await client.fetchUserInfo(onB, tokens.access_token, payload.sub!)).email, email);
    const refreshed = await client.refreshTokenGrant(onB, tokens.refresh_token!);
    assert.equal((await client.fetchUserInfo(onA, refreshed.access_token, payload.sub!)).sub, payload.sub);
    // id_tokens minted on B verify against the keys A publishes.
    await jwtVerify(refreshed.id_token!, createRemoteJWKSet(new URL(metadata.jwks_uri!)), { issuer, audience: client_id });
    // The operator revokes the user's sessions from the CLI: both instances refuse at once.
    assert.equal(runCli(['sessions', 'revoke', email], env).status, 0);
    await refusedWith(client.refreshTokenGrant(onA, tokens.refresh_token!), 'invalid_grant');
    await refusedWith(client.fetchUserInfo(onB, refreshed.access_token, payload.sub!), 'invalid_token');
    await context.close();
  });
});
