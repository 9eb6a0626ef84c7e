// A real SMTP round trip: Gatehouse sends the reset mail to an SMTP server the
// test runs; the test reads the token out of the mail and resets the password.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loginV1, registerV1 } from '../helpers/users.ts';

interface Received {
  to: string[];
  raw: string;
}

const inbox: Received[] = [];
let smtp: SMTPServer;
let server: TestServer;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  server = await startTestServer({
    env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Gatehouse <auth@example.com>', RESET_URL_TEMPLATE: 'https://app.example.com/reset?t={token}' },
  });
});

after(async () => {
  await server.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

/** The text of a single-part MIME message, transfer encoding undone. */
function bodyText(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).toLowerCase();
  const body = raw.slice(split + 4);
  if (headers.includes('content-transfer-encoding: base64')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (headers.includes('content-transfer-encoding: quoted-printable')) {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The first mail to `to` whose text matches (registration also sends a verification mail). */
async function waitForMail(to: string, matching = /./): Promise<Received> {
  for (let i = 0; i < 200; i++) {
    const mail = inbox.find((m) => m.to.includes(to) && matching.test(bodyText(m.raw)));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to}`);
}

test('forgot-password mails a link with a token over SMTP; the token resets the password and ends old sessions', async () => {
  const { username, email } = await registerV1(server.http);
  const oldSession = await loginV1(server.http, username);

  const forgot = await server.http('POST', '/api/v1/auth/forgot-password', { body: { email } });
  assert.equal(forgot.status, 200);

  const mail = await waitForMail(email, /reset\?t=/);
  assert.match(mail.raw, /^From: Gatehouse <auth@example\.com>/m);
  const text = bodyText(mail.raw);
  const link = /https:\/\/app\.example\.com\/reset\?t=([A-Za-z0-9_-]+)/.exec(text);
  assert.ok(link, text);
  const token = decodeURIComponent(link[1]!);
  assert.equal(Buffer.from(token, 'base64url').length, 32);

  const reset = await server.http('POST', '/api/v1/auth/reset-password', { body: { token, new_password: 'fresh-password-1' } });
  assert.deepEqual([reset.status, reset.body], [200, { message: '密码重置成功' }]);
  assert.equal((await server.http('GET', '/api/v1/auth/me', { token: oldSession })).status, 401);
  assert.equal((await server.http('POST', '/api/v1/auth/login/json', { body: { username, password: 'password123' } })).status, 401);
  await loginV1(server.http, username, 'fresh-password-1');
  // nothing went to the outbox: SMTP was used
  assert.deepEqual(await server.stores.outbox.list(10), []);
});
