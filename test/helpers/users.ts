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
