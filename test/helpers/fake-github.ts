import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who is signed in at the fake GitHub: its numeric id and the emails its API lists. */
export interface GitHubPerson {
  id: number;
  login: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface FakeGitHub {
  /** The issuer to add the provider with (`--issuer`: a GitHub Enterprise Server's URL). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The person the next authorization approves. */
  person: GitHubPerson;
  close(): Promise<void>;
}

/**
 * A local server answering as GitHub documents its OAuth app endpoints and REST API (these machines reach no
 * provider): /login/oauth/authorize approves at once (an app the person already authorised) with a code naming
 * the person signed in there, /login/oauth/access_token, GET /api/v3/user and /api/v3/user/emails.
 */
export async function startFakeGitHub(person: GitHubPerson): Promise<FakeGitHub> {
  const codes = new Map<string, GitHubPerson>();
  const tokens = new Map<string, GitHubPerson>();
  const fake: FakeGitHub = {
    issuer: '',
    clientId: 'gh-client',
    clientSecret: 'gh-secret',
    person,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://github.local');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/login/oauth/authorize') {
      const code = `code-${codes.size + 1}`;
      codes.set(code, fake.person);
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const who = codes.get(new URLSearchParams(body).get('code') ?? '');
      if (!who) return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      const token = `gho_${tokens.size + 1}`;
      tokens.set(token, who);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const who = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!who) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/v3/user') return json(200, { id: who.id, login: who.login, name: null, email: null });
    if (url.pathname === '/api/v3/user/emails')
      return json(
        200,
        who.emails.map((e) => ({ ...e, visibility: null })),
      );
    return json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  return fake;
}
