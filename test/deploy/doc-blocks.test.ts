// Every shell block of README.md and docs/*.md (```sh, ```bash, ```shell, indented ones in
// lists too), as printed. Each block is either run here against a real Gatehouse (one
// `npm start` of this checkout with a DATA_DIR of its own) and held to what its `# …` comment
// lines say it prints, or covered by a test or script that the block's own text, or the
// paragraph right before it, names. docs/operations.md and docs/mfa.md have tests of their
// own that run or list every block. A new block fails here until it is run or covered.
//
// What is replaced, and only that: the example addresses 127.0.0.1:8000 / :5000 become the
// ports this test's server listens on, https://auth.example (docs/oidc.md's deployment) its
// address, and /srv/fastapi/app.db (docs/migration.md's old database) a file made here.
// Variables a reader has from an earlier step ($CLIENT_ID, $CLIENT_SECRET) are set in the
// environment. Commands run in a work folder inside the checkout (`npx gatehouse` resolves the
// project's own command there; files a command names, such as accounts.csv, are made there).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { client, type Client } from '../helpers/http.ts';
import { freePort } from '../helpers/oidc.ts';
import { ROOT } from '../helpers/process.ts';

const SHELL_FENCE = /^( *)```(sh|bash|shell|zsh|console)[ \t]*\n([\s\S]*?)^\1```[ \t]*$/gm;
const ANY_SHELL_OPENER = /^ *(```|~~~)+ *(sh|bash|shell|zsh|console)\b/gm;

interface Block {
  doc: string;
  /** The block's lines, its indentation (inside a list item) removed. */
  text: string;
  first: string;
  /** The paragraph right before the block (an HTML comment there counts). */
  before: string;
  indented: boolean;
  language: string;
}

function shellBlocks(doc: string): Block[] {
  const page = readFileSync(join(ROOT, doc), 'utf8');
  const blocks = [...page.matchAll(SHELL_FENCE)].map((m) => {
    const indent = m[1]!;
    const text = m[3]!
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n')
      .trim();
    const before =
      page
        .slice(0, m.index)
        .trimEnd()
        .split(/\n[ \t]*\n/)
        .at(-1) ?? '';
    return { doc, text, first: text.split('\n')[0]!, before, indented: indent.length > 0, language: m[2]! };
  });
  assert.equal(blocks.length, [...page.matchAll(ANY_SHELL_OPENER)].length, `${doc}: a shell fence this test cannot read (unclosed, ~~~ or indented unevenly)`);
  return blocks;
}

const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

/** Pages whose every ```sh block a test of their own runs, or lists with the test covering it (and fails on one it does not know). */
const OWN_TESTS: Record<string, string> = {
  'docs/operations.md': 'test/deploy/operations.test.ts',
  'docs/mfa.md': 'test/deploy/mfa-doc.test.ts',
  'docs/webhooks.md': 'test/deploy/webhooks-doc.test.ts',
};

// ---------------------------------------------------------------------------------------------
// Where and how the blocks run.

const npm = spawnSync('npm', ['--version']).status === 0;
const curl = spawnSync('curl', ['--version']).status === 0;
if (process.env.CI && !curl) throw new Error('CI is set but curl is not installed (.ci/run installs it)');
// The machine's PATH without any node_modules/.bin, as in a terminal: `npx gatehouse` and `npm start` find the project's Node themselves.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(delimiter);
const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-doc-blocks-'));
// Inside the checkout (under data/, which git ignores), so that `npx gatehouse` is the project's command.
const dataFolder = join(ROOT, 'data');
const madeDataFolder = !existsSync(dataFolder);
mkdirSync(dataFolder, { recursive: true });
const work = mkdtempSync(join(dataFolder, 'doc-blocks-'));
after(async () => {
  // The shared server first: its data is in scratch.
  await server?.then((running) => running.stop()).catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  if (madeDataFolder && readdirSync(dataFolder).length === 0) rmdirSync(dataFolder);
});

const ports = { main: 0, envelope: 0 };
/** README.md and docs/oidc.md: one installation, the one `npm start` serves. */
const shared: Record<string, string> = {
  PATH,
  HOME: process.env.HOME ?? scratch,
  HOST: '127.0.0.1',
  DATA_DIR: join(scratch, 'data'),
  npm_config_update_notifier: 'false',
};
/** docs/migration.md: a fresh installation next to the old system. */
const migrating: Record<string, string> = { ...shared, DATA_DIR: join(scratch, 'migration') };
const LEGACY_DB = join(scratch, 'fastapi-app.db');

/** The example values a reader replaces with their own, and what they are here. */
function pointed(text: string): string {
  return text
    .replace(/127\.0\.0\.1:8000\b/g, `127.0.0.1:${ports.main}`)
    .replace(/127\.0\.0\.1:5000\b/g, `127.0.0.1:${ports.envelope}`)
    .replaceAll('https://auth.example', `http://127.0.0.1:${ports.main}`)
    .replaceAll('/srv/fastapi/app.db', LEGACY_DB);
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end without blocking the event loop: a test's HTTP connections to the
 * server stay live meanwhile (one the server closes while a synchronous run held the loop would be
 * reused, unnoticed, by the next request: "other side closed").
 */
function run(command: string, args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const bash = (script: string, env: Record<string, string>) => run('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', pointed(script)], env);

interface Running {
  url: string;
  envelopeUrl: string;
  http: Client;
  envelopeHttp: Client;
  output(): string;
  stop(): Promise<string>;
}

/** Starts a block's server command in its own process group; resolves once both listeners listen. */
async function startServer(command: string, env: Record<string, string>): Promise<Running> {
  const child = spawn('bash', ['--norc', '--noprofile', '-c', command], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // Closed once every process of the command (bash, npm or npx, node) has exited.
  const closed = Promise.all([child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream.once('close', resolve))));
  const listening = () => [...out.matchAll(/Gatehouse listening on (http:\/\/\S+) \((PORT|ENVELOPE_PORT)/g)];
  // Generous: a start on a busy 2-core machine can take many seconds.
  const deadline = Date.now() + 120_000;
  while (child.exitCode === null && listening().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const found = Object.fromEntries(listening().map((m) => [m[2]!, m[1]!]));
  if (!found.PORT || !found.ENVELOPE_PORT) {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw new Error(`${command} did not start:\n${out}`);
  }
  return {
    url: found.PORT,
    envelopeUrl: found.ENVELOPE_PORT,
    http: client(found.PORT),
    envelopeHttp: client(found.ENVELOPE_PORT),
    output: () => out,
    async stop() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await closed;
      return out;
    },
  };
}

let server: Promise<Running> | undefined;
/** The README's `npm start`, on free ports standing for 8000 and 5000, started once and shared by every block that needs a server. */
function gatehouse(): Promise<Running> {
  server ??= (async () => {
    ports.main = await freePort();
    ports.envelope = await freePort();
    shared.PORT = String(ports.main);
    shared.ENVELOPE_PORT = String(ports.envelope);
    return startServer('npm start', shared);
  })();
  return server;
}

// ---------------------------------------------------------------------------------------------
// What a block says it prints.

/**
 * A `# {...}` comment as the README and docs print answers: JSON, where a member `...` stands
 * for other members (those printed keep their order), and a string with `...` or `…` in it for
 * any text there ("eyJ..." a token, "..." an id). Without `...` the keys are exactly those printed.
 * Anything after the JSON (a note in parentheses) is left to the step's own check.
 */
function jsonPattern(comment: string): unknown | undefined {
  if (!comment.startsWith('{')) return undefined;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = 0; i < comment.length && end < 0; i++) {
    const c = comment[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) end = i;
  }
  assert.ok(end > 0, `an answer comment that does not close: ${comment}`);
  const json = comment.slice(0, end + 1).replace(/(?<=[{,])\s*(\.\.\.|…)\s*(?=[,}])/g, `"${REST}":true`);
  return JSON.parse(json);
}
const REST = '<other members>';

function matches(actual: unknown, pattern: unknown, path = '$'): void {
  if (typeof pattern === 'string' && /\.\.\.|…/.test(pattern)) {
    assert.equal(typeof actual, 'string', `${path}: a string`);
    const parts = pattern.split(/\.\.\.|…/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    assert.match(actual as string, new RegExp(`^${parts.join('.+')}$`), path);
    return;
  }
  if (pattern === null || typeof pattern !== 'object') {
    assert.deepEqual(actual, pattern, path);
    return;
  }
  assert.ok(actual !== null && typeof actual === 'object' && Array.isArray(actual) === Array.isArray(pattern), `${path}: ${JSON.stringify(actual)}`);
  const printed = Object.keys(pattern).filter((key) => key !== REST);
  const keys = Object.keys(actual as object);
  if (REST in pattern)
    assert.deepEqual(
      keys.filter((key) => printed.includes(key)),
      printed,
      `${path}: the keys printed, in that order, among ${keys.join(', ')}`,
    );
  else assert.deepEqual(keys, printed, `${path}: exactly the keys printed`);
  for (const key of printed) matches((actual as Record<string, unknown>)[key], (pattern as Record<string, unknown>)[key], `${path}.${key}`);
}

function holdsTo(output: string, comment: string): void {
  const pattern = jsonPattern(comment);
  let answer: unknown;
  assert.doesNotThrow(() => (answer = JSON.parse(output)), `not JSON: ${output}`);
  matches(answer, pattern);
}

interface Step {
  /** The command's lines as printed (an inline comment included). */
  command: string;
  /** The command's first line without its inline comment: how checks are keyed. */
  key: string;
  /** What the lines right after it (or its inline comment) say. */
  says: string[];
}

/** A block's commands: a command runs on over lines ending in `\`; comment lines right after it (no blank line between) say what it prints. */
function steps(text: string): Step[] {
  const out: Step[] = [];
  let current: Step | undefined;
  let continued = false;
  for (const line of text.split('\n')) {
    if (continued) {
      current!.command += `\n${line}`;
      continued = line.endsWith('\\');
    } else if (line.trim() === '') current = undefined;
    else if (line.startsWith('#')) current?.says.push(line.replace(/^#\s*/, ''));
    else {
      const [, key = line, comment] = line.match(/^(.*?\S)\s+#\s+(.*)$/) ?? [];
      current = { command: line, key: key.trim(), says: comment ? [comment] : [] };
      out.push(current);
      continued = line.endsWith('\\');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Blocks run command by command (the `gatehouse` command lists): each line on its own, in order,
// with what it says checked before the next runs.

interface Line {
  step: Step;
  ran: Ran;
  json?: any;
}
interface LinePlan {
  /** Done before the line runs, as the reader's situation would have it (a file to import, a live token). */
  before?: () => Promise<void> | void;
  check?: (line: Line) => Promise<void> | void;
  /** The line starts the server: it must listen on both listeners and stop on SIGTERM. */
  serves?: true;
  /** Not run here: the test or script that runs it, named on the line itself or in the paragraph right before the block. */
  coveredBy?: string;
}

async function runLines(block: Block, plans: Record<string, LinePlan>, env: Record<string, string>): Promise<void> {
  const unknown = steps(block.text)
    .map((s) => s.key)
    .filter((key) => !plans[key]);
  assert.deepEqual(unknown, [], `${block.doc}: commands this test neither runs nor knows the cover of`);
  for (const step of steps(block.text)) {
    const plan = plans[step.key]!;
    const claim = step.says.join(' ');
    if (plan.coveredBy) {
      assert.ok(existsSync(join(ROOT, plan.coveredBy)), `${plan.coveredBy} does not exist`);
      assert.ok(
        step.command.includes(plan.coveredBy) || block.before.includes(plan.coveredBy),
        `${step.key}: neither the line nor the paragraph before the block names ${plan.coveredBy}`,
      );
      continue;
    }
    assert.ok(plan.check || plan.serves || !claim || jsonPattern(claim), `${step.key}: "${claim}" is checked by nothing`);
    if (plan.serves) {
      // Beside the shared server, on ports of its own: it listens, answers, and stops cleanly.
      const own = await startServer(pointed(step.command), { ...env, PORT: String(await freePort()), ENVELOPE_PORT: String(await freePort()) });
      assert.equal((await own.http('GET', '/healthz')).status, 200);
      assert.equal((await own.envelopeHttp('GET', '/healthz')).status, 200);
      assert.match(await own.stop(), /shutting down/);
      continue;
    }
    await plan.before?.();
    const ran = await bash(step.command, env);
    assert.equal(ran.status, 0, `${step.command}\n${ran.stdout}\n${ran.stderr}`);
    const line: Line = { step, ran };
    if (jsonPattern(claim) !== undefined) holdsTo(ran.stdout.trim(), claim);
    try {
      line.json = JSON.parse(ran.stdout);
    } catch {
      // not JSON: the check reads the text
    }
    await plan.check?.(line);
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks run as one script (the curl walks, whose later commands use what earlier ones set):
// a marker printed after each command splits the output; after `VAR=$(… | sed …)` the marker is
// followed by $VAR, and where the comment prints the answer the `sed` reads, that request is
// sent once more without the `sed` to read it.

const MARK = '--- doc-blocks: step done ---';
interface Said {
  step: Step;
  /** What the command printed; for an assignment, the variable's new value. */
  output: string;
  /** For an assignment: its value before. */
  previous?: string;
  /** The variables the block has set so far, as the shell has them. */
  vars: Record<string, string>;
}
type StepCheck = (said: Said) => Promise<void> | void;

async function runScript(block: Block, checks: Record<string, StepCheck>, env: Record<string, string>): Promise<void> {
  const list = steps(block.text);
  const script: string[] = [];
  for (const step of list) {
    script.push(step.command, `printf '\\n%s\\n' '${MARK}'`);
    const assigned = step.command.match(/^([A-Z_]+)=\$\(([\s\S]*) \| sed /);
    if (!assigned) continue;
    script.push(`printf '%s' "$${assigned[1]}"`, `printf '\\n%s\\n' '${MARK}'`);
    if (jsonPattern(step.says.join(' ')) !== undefined) script.push(assigned[2]!, `printf '\\n%s\\n' '${MARK}'`);
  }
  const ran = await bash(script.join('\n'), env);
  assert.equal(ran.status, 0, `${block.first}\n${ran.stdout}\n${ran.stderr}`);
  const outputs = ran.stdout.split(`\n${MARK}\n`);
  const values: Record<string, string> = {};
  for (const step of list) {
    const claim = step.says.join(' ');
    let output = outputs.shift() ?? '';
    let said: Said = { step, output, vars: values };
    const assigned = step.command.match(/^([A-Z_]+)=\$\(/);
    if (assigned) {
      const value = outputs.shift() ?? '';
      said = { step, output: value, previous: values[assigned[1]!], vars: values };
      values[assigned[1]!] = value;
      if (jsonPattern(claim) !== undefined) output = outputs.shift() ?? '';
    }
    const check = checks[step.key];
    assert.ok(check || jsonPattern(claim) !== undefined, `${block.doc}: "${step.key}" says "${claim || '(nothing)'}", checked by nothing`);
    if (jsonPattern(claim) !== undefined) holdsTo(output, claim);
    await check?.(said);
  }
}

const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;

/** An answer a comment names in words, "403 User is disabled": its status and the FastAPI-style body of /api/users. */
function answered(comment: string, where: RegExp): [number, { detail: string }] {
  const [, answer = ''] = comment.match(where) ?? [];
  const [, status, detail] = answer.match(/^(\d{3}) (.+)$/) ?? [];
  assert.ok(status && detail, `"${comment}" names no answer`);
  return [Number(status), { detail }];
}

/** A look at the installation from outside a block: bin/gatehouse, the command `npx gatehouse` runs (without npx's own start-up). */
const inspect = (args: string[], env: Record<string, string>) => run(join(ROOT, 'bin/gatehouse'), args, env);

// ---------------------------------------------------------------------------------------------
// README.md

async function usersLogin(email: string, password: string) {
  return (await gatehouse()).http('POST', '/api/users/login', { body: { email, password } });
}
const show = async (user: string) => {
  const r = await inspect(['users', 'show', user, '--json'], shared);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
let liveToken = '';

const README_WALK: Record<string, StepCheck> = {
  'TOKEN=$(curl -s -X POST http://127.0.0.1:8000/api/users/login \\': ({ output }) => assert.match(output, JWT, 'the sed leaves the access token'),
  'TOKEN=$(curl -s -X POST http://127.0.0.1:8000/api/users/refresh_token \\': async ({ output, previous }) => {
    assert.match(output, JWT);
    assert.notEqual(output, previous, 'a new access token');
    assert.equal(decodeJwt(output).sid, decodeJwt(previous!).sid, 'for the same session');
  },
  'curl -s -X POST http://127.0.0.1:8000/api/users/logout -H "Authorization: Bearer $TOKEN"': async ({ step, vars }) => {
    const again = await (await gatehouse()).http('POST', '/api/users/logout', { token: vars.TOKEN });
    assert.deepEqual([again.status, again.body], answered(step.says.join(' '), /\(a second logout: (.+)\)$/));
  },
};

const CSV_HEADER = 'email,password_hash,first_name,last_name,phone,username,disabled';

const README_COMMANDS: Record<string, LinePlan> = {
  'npx gatehouse serve': { serves: true },
  'npx gatehouse migrate': { check: ({ ran }) => assert.match(ran.stdout, /^(database is up to date|applied: )/m) },
  "npx gatehouse users create --email ops@example.com --password 'long-enough-1' --superuser": {
    check: async ({ ran }) => {
      assert.match(ran.stdout, /^created user \d+ \([0-9a-f-]{36}\)$/m);
      assert.equal((await usersLogin('ops@example.com', 'long-enough-1')).status, 200);
    },
  },
  'npx gatehouse users list --json': {
    check: ({ json }) => assert.ok((json as { email: string; isSuperuser: boolean }[]).some((u) => u.email === 'ops@example.com' && u.isSuperuser)),
  },
  'npx gatehouse users disable ops@example.com': {
    check: async ({ step }) => {
      const login = await usersLogin('ops@example.com', 'long-enough-1');
      assert.deepEqual([login.status, login.body], answered(step.says[0]!, /^login answers (.+)$/));
    },
  },
  'npx gatehouse users enable ops@example.com': { check: async () => assert.equal((await usersLogin('ops@example.com', 'long-enough-1')).status, 200) },
  "npx gatehouse users set-password ops@example.com --password 'another-one-2'": {
    check: async () => {
      const old = await usersLogin('ops@example.com', 'long-enough-1');
      assert.deepEqual([old.status, old.body], [400, { detail: 'Incorrect email or password' }]);
      assert.equal((await usersLogin('ops@example.com', 'another-one-2')).status, 200);
    },
  },
  'npx gatehouse users verify ops@example.com': {
    check: async () => {
      assert.equal((await show('ops@example.com')).isEmailVerified, true);
    },
  },
  'npx gatehouse sessions list ops@example.com': {
    before: async () => {
      const login = await usersLogin('ops@example.com', 'another-one-2');
      assert.equal(login.status, 200);
      liveToken = login.body.access_token;
    },
    check: async ({ ran }) => {
      const rows = ran.stdout.trim().split('\n');
      assert.ok(rows.length >= 1 && rows.every((row) => row.split('\t').length === 5 && row.includes('127.0.0.1')), ran.stdout);
      const sid = decodeJwt(liveToken).sid as string;
      assert.ok(
        rows.some((row) => row.startsWith(`${sid}\t`)),
        `the session just started (${sid}) is listed`,
      );
      const revoked = await inspect(['sessions', 'revoke', 'ops@example.com'], shared);
      assert.match(revoked.stdout, new RegExp(`^ended ${rows.length} sessions? of user \\d+$`, 'm'), 'sessions revoke ends them all');
      assert.equal((await (await gatehouse()).http('GET', '/api/users/me', { token: liveToken })).status, 401);
    },
  },
  'npx gatehouse users set-email ops@example.com --email new@example.com': {
    check: async () => {
      const user = await show('new@example.com');
      assert.equal(user.isEmailVerified, false, 'unverified');
    },
  },
  'npx gatehouse mail list': {
    check: ({ ran }) => {
      const newest = ran.stdout.split(/^-{20,}$/m)[0]!;
      assert.match(newest, /to: new@example\.com/);
      assert.match(newest, /verify-email\?token=/, 'the link to open');
    },
  },
  'npx gatehouse users delete new@example.com': {
    before: async () => {
      const login = await usersLogin('new@example.com', 'another-one-2');
      assert.equal(login.status, 200);
      liveToken = login.body.access_token;
    },
    check: async ({ step }) => {
      const me = await (await gatehouse()).http('GET', '/api/users/me', { token: liveToken });
      assert.deepEqual([me.status, me.body], answered(step.says[0]!, /^live tokens answer (.+)$/));
    },
  },
  'npx gatehouse audit --limit 20': {
    check: async ({ ran }) => {
      const events = ran.stdout
        .trim()
        .split('\n')
        .map((row) => row.split('\t')[1]);
      const total = JSON.parse((await inspect(['audit', '--limit', '1000', '--json'], shared)).stdout).length;
      assert.equal(events.length, Math.min(20, total), 'the 20 newest');
      for (const kind of ['login.succeeded', 'login.failed', 'password.reset', 'user.deleted'])
        assert.ok(events.includes(kind), `${kind} among ${events.join(', ')}`);
    },
  },
  'npx gatehouse doctor': {
    check: ({ ran }) => {
      for (const part of ['settings', 'database', 'signing', 'encryption key', 'data folder']) assert.match(ran.stdout, new RegExp(`^ok +${part}:`, 'm'));
      assert.match(ran.stdout, /^all checks passed$/m);
    },
  },
  'npx gatehouse import users accounts.csv --dry-run': {
    before: async () => {
      const argon2 = await hash('imported-pass-1');
      writeFileSync(
        join(work, 'accounts.csv'),
        `${CSV_HEADER}\nkim@example.com,"${argon2}",Kim,,,,\nlee@example.com,${bcrypt.hashSync('imported-pass-2', 4)},Lee,,,,\n`,
      );
    },
    check: async ({ ran }) => {
      assert.equal(ran.stdout.trim(), 'would import 2, skip 0', 'argon2 and bcrypt hashes accepted');
      assert.equal((await inspect(['users', 'show', 'kim@example.com'], shared)).status, 2, 'a dry run writes nothing');
    },
  },
  'npx gatehouse copy --from sqlite:./data/gatehouse.db --to postgres://gatehouse:secret@db.internal/gatehouse': { coveredBy: 'test/cli/copy.test.ts' },
};

// ---------------------------------------------------------------------------------------------
// docs/oidc.md

let billing = { id: '', secret: '' };
let notes = { id: '', secret: '' };
/** The reader's shell for docs/oidc.md's list: $CLIENT_ID is set from its first command's answer. */
const oidcEnv: Record<string, string> = {};

async function clientCredentials(id: string, secret: string) {
  const { url } = await gatehouse();
  const response = await fetch(`${url}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const textClient = (stdout: string) => ({ id: stdout.match(/^client_id: (\S+)$/m)?.[1] ?? '', secret: stdout.match(/^client_secret: (\S+)$/m)?.[1] ?? '' });
interface Listed {
  client_id: string;
  name: string;
  public: boolean;
  id_token_alg: string;
  scopes: string[];
}
const added: Record<string, string> = {};

const OIDC_CLIENTS: Record<string, LinePlan> = {
  'npx gatehouse clients add --name "Notes" --redirect-uri https://notes.example/callback --json': {
    check: async ({ json, step }) => {
      assert.match(step.says.join(' '), /the secret is shown once; Gatehouse keeps its hash/);
      notes = { id: json.client_id, secret: json.client_secret };
      // The reader's $CLIENT_ID below: this app's.
      oidcEnv.CLIENT_ID = notes.id;
      assert.equal((await clientCredentials(notes.id, notes.secret)).status, 200);
    },
  },
  'npx gatehouse clients add --name "Notes SPA" --redirect-uri http://localhost:5173/cb --public': {
    check: ({ ran }) => {
      assert.match(ran.stdout, /^public client: no secret \(PKCE alone\)$/m);
      added.spa = textClient(ran.stdout).id;
    },
  },
  'npx gatehouse clients add --name "Edge" --redirect-uri https://edge.example/cb --id-token-alg EdDSA': {
    check: ({ ran }) => {
      added.edge = textClient(ran.stdout).id;
    },
  },
  'npx gatehouse clients add --name "Billing job" --redirect-uri https://billing.example/cb --scope invoices:read --scope invoices:write': {
    check: ({ ran }) => {
      billing = textClient(ran.stdout);
      assert.ok(billing.id && billing.secret, ran.stdout);
    },
  },
  'npx gatehouse clients list': {
    check: ({ ran }) => {
      const rows = ran.stdout.trim().split('\n');
      assert.ok(
        rows.some((row) => row.startsWith(`${billing.id}\tBilling job\tconfidential\tRS256\thttps://billing.example/cb\tinvoices:read invoices:write`)),
        ran.stdout,
      );
    },
  },
  'npx gatehouse clients list --json': {
    check: ({ json, ran }) => {
      const apps = new Map((json as Listed[]).map((app) => [app.client_id, app]));
      assert.equal(apps.get(notes.id)?.name, 'Notes');
      assert.ok(!ran.stdout.includes(notes.secret), 'the secret is shown once');
      assert.deepEqual([apps.get(added.spa!)?.name, apps.get(added.spa!)?.public], ['Notes SPA', true], 'no secret: PKCE alone');
      assert.deepEqual([apps.get(added.edge!)?.name, apps.get(added.edge!)?.id_token_alg], ['Edge', 'EdDSA']);
      assert.deepEqual(apps.get(billing.id)?.scopes, ['invoices:read', 'invoices:write'], 'API scopes for client_credentials');
    },
  },
  'npx gatehouse clients rotate-secret "$CLIENT_ID" --json': {
    check: async ({ json }) => {
      assert.deepEqual(Object.keys(json), ['client_id', 'client_secret']);
      assert.equal(json.client_id, notes.id);
      const old = await clientCredentials(notes.id, notes.secret);
      assert.deepEqual([old.status, old.body.error], [401, 'invalid_client'], 'the old secret stops working at once');
      notes.secret = json.client_secret;
      assert.equal((await clientCredentials(notes.id, notes.secret)).status, 200);
    },
  },
  'npx gatehouse clients remove "$CLIENT_ID"': {
    check: async ({ ran }) => {
      assert.equal(ran.stdout.trim(), `removed client ${notes.id}`);
      assert.equal((await clientCredentials(notes.id, notes.secret)).status, 401);
    },
  },
};

const OIDC_SERVICE_TOKEN: Record<string, StepCheck> = {
  'curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d \'scope=invoices:read\' https://auth.example/oidc/token': ({ output }) => {
    const token = JSON.parse(output).access_token;
    // What the paragraph after it says of the token.
    assert.deepEqual([decodeProtectedHeader(token).typ, decodeProtectedHeader(token).alg], ['at+jwt', 'RS256']);
    const claims = decodeJwt(token);
    assert.equal(claims.iss, `http://127.0.0.1:${ports.main}/oidc`);
    assert.equal(claims.aud, `http://127.0.0.1:${ports.main}/api`);
    assert.equal(claims.exp! - claims.iat!, 600);
  },
};

// ---------------------------------------------------------------------------------------------
// docs/migration.md

/** The old system's SQLite file as the migration page describes it: 1843 users to import, one with an invalid email, one with an MD5 hash. */
async function legacyDatabase() {
  rmSync(LEGACY_DB, { force: true });
  const db = new DatabaseSync(LEGACY_DB);
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, hashed_password VARCHAR, disabled BOOLEAN DEFAULT 0);
    CREATE TABLE user_info (id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE REFERENCES users(id), first_name VARCHAR, last_name VARCHAR, phone_number VARCHAR);
  `);
  // argon2i as passlib/argon2-cffi wrote it; one hash for all (the import keeps hashes, it does not compute them).
  const argon2i = await hash('legacy-pass-1', { algorithm: 1 as never, memoryCost: 512, timeCost: 2, parallelism: 2 });
  const insert = db.prepare('INSERT INTO users (id, email, hashed_password, disabled) VALUES (?, ?, ?, ?)');
  db.exec('BEGIN');
  for (let id = 1; id <= 1843; id++) insert.run(id, `User${id}@Example.com`, argon2i, id % 100 === 0 ? 1 : 0);
  insert.run(1844, 'not-an-email', argon2i, 0);
  insert.run(1845, 'md5@example.com', '5f4dcc3b5aa765d61d8327deb882cf99', 0);
  db.exec('COMMIT');
  db.close();
}
const stillEmpty = async () =>
  assert.match((await inspect(['users', 'list', '--limit', '1'], migrating)).stdout, /^id\tuuid\temail\tusername\tstatus\n$/, 'nothing written');

const MIGRATION: Record<string, LinePlan> = {
  'npm install': { coveredBy: '.ci/run' },
  'npx gatehouse doctor': { check: ({ ran }) => assert.match(ran.stdout, /^all checks passed$/m) },
  'npx gatehouse import legacy-sqlite /srv/fastapi/app.db --dry-run': {
    before: legacyDatabase,
    check: async ({ ran, step }) => {
      assert.equal(ran.stdout.trim(), step.says[0]);
      assert.match(ran.stderr, /^skipped users\.id 1844: invalid email$/m);
      assert.match(ran.stderr, /^skipped users\.id 1845: unsupported password hash$/m);
      await stillEmpty();
    },
  },
  'npx gatehouse import legacy-sqlite /srv/fastapi/app.db': {
    check: async ({ ran, step }) => {
      assert.equal(ran.stdout.trim(), step.says[0]);
      const user = JSON.parse((await inspect(['users', 'show', '100', '--json'], migrating)).stdout);
      assert.deepEqual([user.email, user.status], ['user100@example.com', 'disabled']);
    },
  },
  'npx gatehouse import users export.csv --dry-run': {
    before: async () => {
      writeFileSync(
        join(work, 'export.csv'),
        `${CSV_HEADER}\nmin@example.com,"${await hash('exported-pass-1')}",Min,Park,+821012345678,min,0\n` +
          `jo@example.com,${bcrypt.hashSync('exported-pass-2', 4)},Jo,,,,1\n`,
      );
      const rows = [
        { email: 'sam@example.com', password_hash: bcrypt.hashSync('exported-pass-3', 4), first_name: 'Sam', username: 'sam', disabled: false },
        { email: 'old@example.com', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99', first_name: 'Old' },
      ];
      writeFileSync(join(work, 'export.jsonl'), `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    },
    check: ({ ran }) => assert.equal(ran.stdout.trim(), 'would import 2, skip 0'),
  },
  'npx gatehouse import users export.jsonl': {
    check: async ({ ran }) => {
      // The paragraph after the block: MD5 and the like are skipped as unsupported password hash.
      assert.equal(ran.stdout.trim(), 'imported 1, skipped 1 (unsupported password hash: 1)');
      const sam = JSON.parse((await inspect(['users', 'show', 'sam', '--json'], migrating)).stdout);
      assert.deepEqual([sam.email, sam.firstName], ['sam@example.com', 'Sam']);
    },
  },
};

// ---------------------------------------------------------------------------------------------
// docs/performance.md: benchmarks take minutes and load both cores, so they are not run; every
// script, option and file they name must exist.

function benchCommandsExist(block: Block): void {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const benchOptions = readFileSync(join(ROOT, 'bench/run.ts'), 'utf8');
  for (const { key } of steps(block.text)) {
    const run = key.match(/^npm run (\S+)(.*)$/);
    const node = key.match(/^node (\S+)/);
    assert.ok(run || node, `${key}: neither npm run nor node`);
    if (node) assert.ok(existsSync(join(ROOT, node[1]!)), `${node[1]} does not exist`);
    if (!run) continue;
    assert.ok(scripts[run[1]!], `no npm script ${run[1]}`);
    for (const [, option, value] of (run[2] ?? '').matchAll(/--(\w[\w-]*)(?: (\S+))?/g)) {
      assert.match(benchOptions, new RegExp(`^ {4}${option}: \\{ type: 'string'`, 'm'), `bench/run.ts has no --${option}`);
      const parts = /^const PARTS = \[(.*)\] as const;$/m.exec(benchOptions)?.[1] ?? '';
      if (option === 'only') for (const part of value!.split(',')) assert.ok(parts.includes(`'${part}'`), `--only ${part} is not a part bench/run.ts knows`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Every block, and what is done with it.

interface Plan {
  run?: (block: Block) => Promise<void> | void;
  /** Covering the block, or the part of it not run: each must exist and be named by the block or the paragraph right before it. */
  coveredBy?: string[];
  needs?: 'curl';
}

const PLANS: Record<string, Record<string, Plan>> = {
  'README.md': {
    'npm install && npm start': {
      // `npm start` here, on free ports and a DATA_DIR of its own; `npm install` is what .ci/run runs first.
      run: async (block) => {
        assert.equal(block.text, 'npm install && npm start');
        const { url, envelopeUrl, http } = await gatehouse();
        assert.equal(url, `http://127.0.0.1:${ports.main}`);
        assert.equal(envelopeUrl, `http://127.0.0.1:${ports.envelope}`);
        assert.equal((await http('GET', '/healthz')).status, 200);
        assert.equal((await http('GET', '/docs')).status, 200);
        assert.ok((await http('GET', '/api/products/popular')).body.length > 0, 'the demo catalog');
        assert.ok(existsSync(join(shared.DATA_DIR!, 'gatehouse.db')), 'its data in DATA_DIR');
      },
      coveredBy: ['.ci/run'],
    },
    'npm install && npm test': {
      run: () => {
        const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
        assert.match(ci, /^npm install$/m);
        assert.match(ci, /^npm test$/m);
      },
      coveredBy: ['.ci/run'],
    },
    'npx gatehouse clients add --name Notes --redirect-uri https://notes.example/callback --json': {
      run: async (block) => {
        await gatehouse();
        await runLines(
          block,
          {
            [block.first]: {
              check: async ({ json }) => {
                const apps = JSON.parse((await inspect(['clients', 'list', '--json'], shared)).stdout) as Listed[];
                assert.equal(apps.find((app) => app.client_id === json.client_id)?.name, 'Notes');
                assert.ok(!JSON.stringify(apps).includes(json.client_secret), 'the secret is shown once');
                assert.equal((await clientCredentials(json.client_id, json.client_secret)).status, 200);
              },
            },
          },
          shared,
        );
      },
    },
    '# A client of the plain style registers on 8000 ...': {
      needs: 'curl',
      run: async (block) => {
        await gatehouse();
        await runScript(block, {}, shared);
      },
    },
    'curl -s -X POST http://127.0.0.1:8000/api/users/register \\': {
      needs: 'curl',
      run: async (block) => {
        await gatehouse();
        await runScript(block, README_WALK, shared);
      },
    },
    'npx gatehouse serve': {
      run: async (block) => {
        await gatehouse();
        await runLines(block, README_COMMANDS, shared);
      },
    },
  },
  'docs/migration.md': {
    'npm install': {
      run: (block) => runLines(block, MIGRATION, migrating),
      coveredBy: ['.ci/run'],
    },
    'npx gatehouse import legacy-sqlite /srv/fastapi/app.db --dry-run': { run: (block) => runLines(block, MIGRATION, migrating) },
    'npx gatehouse import legacy-sqlite /srv/fastapi/app.db': { run: (block) => runLines(block, MIGRATION, migrating) },
    'npx gatehouse import users export.csv --dry-run': { run: (block) => runLines(block, MIGRATION, migrating) },
  },
  'docs/oidc.md': {
    'npx gatehouse clients add --name "Notes" --redirect-uri https://notes.example/callback --json': {
      run: async (block) => {
        await gatehouse();
        Object.assign(oidcEnv, shared);
        await runLines(block, OIDC_CLIENTS, oidcEnv);
      },
    },
    'curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d \'scope=invoices:read\' https://auth.example/oidc/token': {
      needs: 'curl',
      run: async (block) => {
        await gatehouse();
        assert.ok(billing.id, 'the app registered by the block before ("Billing job")');
        await runScript(block, OIDC_SERVICE_TOKEN, { ...shared, CLIENT_ID: billing.id, CLIENT_SECRET: billing.secret });
      },
    },
  },
  'docs/identity-providers.md': {
    'gatehouse providers add --kind oidc --id corp --name "Corp SSO" \\': { coveredBy: ['test/cli/providers.test.ts'] },
    'gatehouse providers add --kind apple --id apple --name Apple \\': { coveredBy: ['test/cli/providers.test.ts'] },
    'gatehouse providers add --kind wechat --id wechat --name 微信 \\': { coveredBy: ['test/cli/providers.test.ts'] },
  },
  'docs/organizations.md': {
    'npx gatehouse roles add billing --permissions invoices:read,invoices:pay --description "pays the bills"': { coveredBy: ['test/cli/orgs.test.ts'] },
  },
  'docs/performance.md': {
    'npm run bench                       # 100,000 users, 15 interleaved rounds of 2 s per part (about 25 minutes)': {
      run: benchCommandsExist,
      coveredBy: ['test/deploy/doc-blocks.test.ts'],
    },
  },
};

const all = DOCS.flatMap(shellBlocks);

describe('every shell block of the docs, as printed', { skip: npm ? false : 'npm not installed' }, () => {
  test('each block is run below, or in a test of its own page', () => {
    const unplanned = all.filter((b) => !OWN_TESTS[b.doc] && !PLANS[b.doc]?.[b.first]).map((b) => `${b.doc}: ${b.first}`);
    assert.deepEqual(unplanned, [], 'shell blocks neither run nor covered');
    const stale = Object.entries(PLANS).flatMap(([doc, plans]) => Object.keys(plans).filter((first) => !all.some((b) => b.doc === doc && b.first === first)));
    assert.deepEqual(stale, [], 'plans for blocks no page has any more');
  });

  test('a page with a test of its own: that test reads the page, and every block there is one it finds (```sh, not indented)', () => {
    for (const [doc, file] of Object.entries(OWN_TESTS)) {
      assert.ok(existsSync(join(ROOT, file)), `${file} does not exist`);
      assert.ok(readFileSync(join(ROOT, file), 'utf8').includes(`'${doc}'`), `${file} does not read ${doc}`);
      const unseen = all.filter((b) => b.doc === doc && (b.language !== 'sh' || b.indented)).map((b) => b.first);
      assert.deepEqual(unseen, [], `${doc}: blocks ${file} does not read`);
    }
  });

  test('what a block leaves to another test is named by the block or the paragraph right before it, and that file exists', () => {
    const unnamed: string[] = [];
    for (const block of all) {
      for (const file of PLANS[block.doc]?.[block.first]?.coveredBy ?? []) {
        assert.ok(existsSync(join(ROOT, file)), `${file} does not exist`);
        if (!block.text.includes(file) && !block.before.includes(file)) unnamed.push(`${block.doc}: ${block.first} → ${file}`);
      }
    }
    assert.deepEqual(unnamed, []);
  });

  for (const block of all) {
    const plan = PLANS[block.doc]?.[block.first];
    if (!plan?.run) continue;
    const skip = plan.needs === 'curl' && !curl ? 'curl not installed' : false;
    test(`${block.doc}: ${block.first}`, { skip, timeout: 300_000 }, () => plan.run!(block));
  }
});
