// docs/webhooks.md, as printed: its Node and Python receivers (shown verbatim)
// run as an app would run them, each verifying a real delivery's signature and
// refusing a forged one; its shell block run as printed; its event catalogue is
// every type the core sends, with the example body the OpenAPI document shows.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EVENT_TYPES, type EventType, exampleBody } from '../../src/core/events.ts';
import { freePort } from '../helpers/oidc.ts';
import { ROOT } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { uniqueName } from '../helpers/users.ts';

const PAGE = readFileSync(join(ROOT, 'docs/webhooks.md'), 'utf8');
const NODE_FILE = 'docs/examples/webhook-receiver.mjs';
const PYTHON_FILE = 'docs/examples/webhook_receiver.py';
// Debian's python3 (a pyenv shim earlier in PATH may be another); the receiver needs nothing beyond the standard library.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const python = spawnSync(PYTHON, ['--version']).status === 0;
if (process.env.CI && !python) throw new Error('CI is set but python3 is not installed');

/** The page's fenced blocks of one language, in order. */
const fenced = (language: string) => [...PAGE.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);

let server: TestServer;
let follow: NodeJS.Timeout;
before(async () => {
  // The receivers listen on 127.0.0.1, refused by default (server-side request forgery): allowed here on purpose.
  server = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'on' } });
  // The receivers refuse a timestamp 5 minutes from their (real) clock: the server's follows it, as in production.
  server.clock.set(Date.now());
  follow = setInterval(() => server.clock.set(Date.now()), 100);
});
after(async () => {
  clearInterval(follow);
  await server?.close();
});

/** Starts a receiver as an app would, and waits until it answers. */
async function startReceiver(command: string, file: string, secret: string, port: number) {
  const child: ChildProcess = spawn(command, [file], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: secret, PORT: String(port) } });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}/hooks`;
  for (let i = 0; ; i++) {
    const ready = await fetch(url, { method: 'POST', body: '{}' }).then(
      (r) => r.status,
      () => 0,
    );
    if (ready === 401) break;
    if (i > 200 || child.exitCode !== null) throw new Error(`${file} did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    lines: () => output.split('\n').filter(Boolean),
    async waitFor(line: string) {
      for (let i = 0; i < 600; i++) {
        if (output.split('\n').includes(line)) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`${file} never printed "${line}"; it printed: ${output}`);
    },
    stop: () => child.kill(),
  };
}

describe('docs/webhooks.md, as printed', () => {
  test('shows both receivers verbatim', () => {
    for (const [file, fence] of [
      [NODE_FILE, 'js'],
      [PYTHON_FILE, 'python'],
    ] as const) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(PAGE.includes(`<!-- the file ${file}, verbatim`), `the page names ${file}`);
      assert.ok(PAGE.includes(`\`\`\`${fence}\n${text}\`\`\``), `${file} differs from its copy in docs/webhooks.md`);
    }
  });

  for (const [language, command, file] of [
    ['Node', process.execPath, NODE_FILE],
    ['Python', PYTHON, PYTHON_FILE],
  ] as const) {
    const skip = language === 'Python' && !python ? 'python3 is not installed' : false;
    test(`the ${language} receiver verifies a registration's user.created, prints each event once, and refuses a forged one with 401`, {
      skip,
      timeout: 60_000,
    }, async () => {
      // The port first: the endpoint's URL names it, and the receiver starts with the endpoint's secret.
      const port = await freePort();
      const { endpoint: live, secret } = await server.core.webhooks.add({ url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['user.created'] });
      const receiver = await startReceiver(command, file, secret, port);
      try {
        const name = uniqueName('doc');
        const r = await server.http('POST', '/api/v1/auth/register', {
          body: { username: name, email: `${name}@example.com`, password: 'password123', confirm_password: 'password123' },
        });
        assert.equal(r.status, 201, r.text);
        await receiver.waitFor(`user.created ${name}@example.com`);

        const body = JSON.stringify({ type: 'user.deleted', timestamp: new Date().toISOString(), data: { user: { email: 'forged@example.com' } } });
        const forged = await fetch(receiver.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': 'msg_forged',
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
          },
          body,
        });
        assert.equal(forged.status, 401);
        assert.deepEqual(receiver.lines(), [`user.created ${name}@example.com`], 'each event once, nothing forged');
        const [delivery] = await server.core.webhooks.deliveries(live.id);
        assert.deepEqual([delivery?.status, delivery?.lastStatus], ['delivered', 204]);
        await server.core.webhooks.remove(live.id);
      } finally {
        receiver.stop();
      }
    });
  }

  test('the shell block runs as printed and prints what the page says', () => {
    const [block, ...others] = fenced('sh');
    assert.deepEqual(others, []);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-webhooks-doc-'));
    try {
      // The machine's PATH without node_modules/.bin, as in a terminal: `npx gatehouse` is the project's command.
      const PATH = (process.env.PATH ?? '')
        .split(delimiter)
        .filter((entry) => !entry.includes('node_modules'))
        .join(delimiter);
      const lines = block!.trim().split('\n');
      const added = spawnSync('bash', ['-c', lines[0]!], { cwd: ROOT, env: { PATH, DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(added.status, 0, added.stderr);
      const { id, secret, ...rest } = JSON.parse(added.stdout);
      assert.deepEqual(rest, {}, 'prints {"id": "ep_…", "secret": "whsec_…"}');
      assert.match(id, /^ep_/);
      assert.match(secret, /^whsec_/);
      const listed = spawnSync('bash', ['-c', lines[1]!], { cwd: ROOT, env: { PATH, DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(listed.status, 0, listed.stderr);
      assert.equal(listed.stdout, `${id}\tenabled\thttps://crm.example/hooks/gatehouse\tuser.created,user.deleted\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the catalogue: every event type, in order, with when it is sent and the example body of the OpenAPI document', () => {
    const headings = [...PAGE.matchAll(/^### `([a-z.]+)`$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, Object.keys(EVENT_TYPES));
    for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
      const section = PAGE.split(`### \`${type}\`\n`)[1]!.split('\n### ')[0]!;
      assert.ok(section.includes(`Sent when ${EVENT_TYPES[type].when}.`), `${type}: when it is sent`);
      assert.deepEqual(JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!), exampleBody(type), `${type}: its example`);
    }
  });
});
