/** A browser without JavaScript: it keeps cookies, reads the CSRF field of the last page, posts forms and follows 303s. */
export class FormBrowser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  page = '';
  status = 0;
  location: string | null = null;
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  async request(method: string, path: string, form?: Record<string, string>): Promise<FormBrowser> {
    const response = await fetch(new URL(path, this.#base), {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    this.status = response.status;
    this.location = response.headers.get('location');
    this.page = await response.text();
    this.csrf = /name="csrf" value="([^"]+)"/.exec(this.page)?.[1] ?? this.csrf;
    if (this.status === 303 && this.location && !/^https?:/.test(this.location)) return this.request('GET', this.location);
    return this;
  }

  post(path: string, fields: Record<string, string> = {}): Promise<FormBrowser> {
    return this.request('POST', path, { csrf: this.csrf, ...fields });
  }
}
