import assert from 'node:assert/strict';
import type { User } from '../../../src/core/ports/user-store.ts';
import type { TestServer } from '../../helpers/test-server.ts';
import { PASSWORD, uniqueEmail } from '../../helpers/users.ts';

export interface Answer {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

/** A browser without JavaScript: a cookie jar, GETs and form POSTs, the CSRF field read from the last page. */
export class ConsoleClient {
  readonly #base: string;
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(base: string) {
    this.#base = base;
  }

  #remember(r: Response): void {
    for (const line of r.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const r = await fetch(this.#base + path, { headers: { cookie: this.cookieHeader, 'accept-language': 'en', ...headers }, redirect: 'manual' });
    this.#remember(r);
    const text = await r.text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: r.status, text, location: r.headers.get('location'), headers: r.headers };
  }

  /** POSTs a form (URLSearchParams for a field given several times); the CSRF field is the last page's unless `csrf` is given (null leaves it out). */
  async post(path: string, form: Record<string, string> | URLSearchParams = {}, csrf: string | null = this.csrf): Promise<Answer> {
    const body = new URLSearchParams(form);
    if (csrf !== null) body.set('csrf', csrf);
    const r = await fetch(this.#base + path, {
      method: 'POST',
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      body,
      redirect: 'manual',
    });
    this.#remember(r);
    return { status: r.status, text: await r.text(), location: r.headers.get('location'), headers: r.headers };
  }

  /** POSTs JSON as the pages' passkey script does (account-passkeys.js): the CSRF value in the body, `?lang=` on the path. */
  async postJson(path: string, body: object = {}, csrf: string | null = this.csrf): Promise<Answer & { json: Record<string, unknown> }> {
    const r = await fetch(`${this.#base}${path}?lang=en`, {
      method: 'POST',
      headers: { cookie: this.cookieHeader, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify(csrf === null ? body : { csrf, ...body }),
      redirect: 'manual',
    });
    this.#remember(r);
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, text, location: r.headers.get('location'), headers: r.headers, json };
  }

  /** Signs in through the console's form; asserts it worked. */
  async signIn(login: string, password = PASSWORD): Promise<void> {
    await this.get('/admin/sign-in');
    const r = await this.post('/admin/sign-in', { login, password });
    assert.equal(r.status, 303, r.text);
    assert.match(r.location ?? '', /^\/admin\?/);
  }
}

/** An account made through the core (staff accounts cannot be made over the public API). */
export async function makeAccount(server: TestServer, kind: 'superuser' | 'staff' | 'user', extra: { phone?: string } = {}): Promise<User> {
  return server.core.accounts.register({
    email: uniqueEmail(kind),
    password: PASSWORD,
    isSuperuser: kind === 'superuser',
    isStaff: kind !== 'user',
    fullName: `Test ${kind}`,
    phone: extra.phone ?? null,
  });
}
