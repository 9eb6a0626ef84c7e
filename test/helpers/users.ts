import assert from 'node:assert/strict';
import type { Client } from './http.ts';

let counter = 0;

/** A fresh, unique email for one test. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const PASSWORD = 'correct-horse-42';

/** Registers through seed 000's surface and logs in; returns the email and access token. */
export async function registerAndLogin(http: Client, email = uniqueEmail(), password = PASSWORD): Promise<{ email: string; token: string }> {
  const reg = await http('POST', '/api/users/register', { body: { email, password, first_name: 'Test' } });
  assert.equal(reg.status, 200, reg.text);
  const login = await http('POST', '/api/users/login', { body: { email, password } });
  assert.equal(login.status, 200, login.text);
  return { email, token: login.body.access_token };
}

let nameCounter = 0;

/** A fresh username (3-50 of letters, digits, _ and -). */
export function uniqueName(prefix = 'user'): string {
  nameCounter += 1;
  return `${prefix}_${process.pid}_${nameCounter}_${Math.random().toString(36).slice(2, 6)}`;
}

/** Registers through seed 004's surface; returns the username, email and password. */
export async function registerV1(http: Client, overrides: Record<string, unknown> = {}) {
  const username = uniqueName();
  const body = { username, email: `${username}@example.com`, password: 'password123', confirm_password: 'password123', ...overrides };
  const r = await http('POST', '/api/v1/auth/register', { body });
  assert.equal(r.status, 201, r.text);
  return { username: body.username as string, email: body.email as string, password: body.password as string, user: r.body };
}

/** Logs in through seed 004's JSON login; returns the access token. */
export async function loginV1(http: Client, username: string, password = 'password123'): Promise<string> {
  const r = await http('POST', '/api/v1/auth/login/json', { body: { username, password } });
  assert.equal(r.status, 200, r.text);
  return r.body.access_token;
}

/** How long a test waits for a mail the server sends after its answer. */
const MAIL_WAIT_MS = 10_000;

/** Reads the reset token from the newest outbox mail to `email`, waiting for it to arrive. */
export async function waitForResetToken(outbox: { list(n: number): Promise<Array<{ to: string; text: string }>> }, email: string): Promise<string> {
  // Up to 10 s: the mail is sent after the answer, and a busy 2-core machine on PostgreSQL can take seconds to get to it.
  for (const deadline = Date.now() + MAIL_WAIT_MS; Date.now() < deadline; ) {
    const mail = (await outbox.list(20)).find((m) => m.to === email.toLowerCase());
    const token = mail && /Reset token: (\S+)/.exec(mail.text)?.[1];
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no reset mail for ${email}`);
}

/** The verification link's token and the code from the newest verification mail to `email`, waiting for it. */
export async function waitForVerification(
  outbox: { list(n: number): Promise<Array<{ to: string; text: string }>> },
  email: string,
  notBefore?: string,
): Promise<{ token: string; code: string }> {
  // Up to 10 s: the mail is sent after the answer, and a busy 2-core machine on PostgreSQL can take seconds to get to it.
  for (const deadline = Date.now() + MAIL_WAIT_MS; Date.now() < deadline; ) {
    const mail = (await outbox.list(50)).find((m) => m.to === email.toLowerCase() && m.text.includes('verify-email?token='));
    const token = mail && /verify-email\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
    const code = mail && /验证码：(\d{6})/.exec(mail.text)?.[1];
    if (token && code && token !== notBefore) return { token: decodeURIComponent(token), code };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no verification mail for ${email}`);
}
