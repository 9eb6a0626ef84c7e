// docs/mfa.md, as printed: its Python example (docs/examples/mfa_totp.py, shown verbatim) and
// every shell block run against a real Gatehouse, printing what the page says they print; every
// error answer its tables name is one /api/v1/auth gives, in both styles; its JSON examples parse.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { V1_ENVELOPE_ERRORS, V1_PLAIN_ERRORS } from '../../src/surfaces/v1-auth/errors.ts';
import { ROOT } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const run = promisify(execFile);
const PAGE = readFileSync(join(ROOT, 'docs/mfa.md'), 'utf8');
const SCRIPT = 'docs/examples/mfa_totp.py';
/** What the page prints as its default server: the main (plain) listener. */
const DEFAULT_URL = 'http://127.0.0.1:8000';

/** The page's fenced blocks of one language, in order. */
const fenced = (language: string) => [...PAGE.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);

// Debian's python3, where python3-pyotp and python3-requests live (a pyenv shim earlier in PATH may lack them).
const PYTHON = '/usr/bin/python3';
const python = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pyotp, requests']).status === 0;
const shellTools = ['curl', 'jq'].every((tool) => spawnSync(tool, ['--version']).status === 0);
if (process.env.CI && !python) throw new Error('CI is set but /usr/bin/python3 cannot import pyotp and requests (.ci/run installs python3-pyotp)');
if (process.env.CI && !shellTools) throw new Error('CI is set but curl or jq is not installed (.ci/run installs them)');
const NO_PYTHON = 'python3-pyotp and python3-requests are not installed (apt install python3-pyotp python3-requests)';

let server: TestServer;
let follow: NodeJS.Timeout;
// `python3` in the shell block is Debian's, as a reader on Debian has it.
const bin = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-doc-'));
before(async () => {
  server = await startTestServer();
  // The codes pyotp computes come from the real time: the server's clock follows it, as in production.
  server.clock.set(Date.now());
  follow = setInterval(() => server.clock.set(Date.now()), 100);
  if (existsSync(PYTHON)) symlinkSync(PYTHON, join(bin, 'python3'));
});
after(async () => {
  clearInterval(follow);
  await server?.close();
  rmSync(bin, { recursive: true, force: true });
});

/** The page's example pointed at the test server's main listener. */
const pointed = (text: string) => text.replaceAll(DEFAULT_URL, server.url);

describe('docs/mfa.md, as printed', () => {
  test('shows docs/examples/mfa_totp.py verbatim; its default server is the plain listener on 127.0.0.1:8000', () => {
    const file = readFileSync(join(ROOT, SCRIPT), 'utf8');
    assert.ok(PAGE.includes(`<!-- the file ${SCRIPT}, verbatim`), `the page names ${SCRIPT}`);
    assert.ok(PAGE.includes(`\`\`\`python\n${file}\`\`\``), `${SCRIPT} differs from its copy in docs/mfa.md`);
    assert.match(file, /os\.environ\.get\("GATEHOUSE_URL", "http:\/\/127\.0\.0\.1:8000"\)/);
  });

  const pythonRun = { skip: python ? false : NO_PYTHON, timeout: 180_000 };
  test('the Python example sets up an app, logs in in two steps, removes the app, and prints what the page says', pythonRun, async () => {
    const [script] = fenced('python');
    const printed = PAGE.split('`python3 docs/examples/mfa_totp.py` prints:')[1]!.match(/```text\n([\s\S]*?)```/)![1];
    // The copy on the page, run as printed; only the address is given, as its usage line says.
    const r = await run(PYTHON, ['-c', script!, server.url], { env: { PATH: process.env.PATH ?? '' }, timeout: 150_000 }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal('code' in r ? r.code : 0, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout, printed);
  });

  const shells = fenced('sh');
  test('has shell blocks, each run below', () => assert.ok(shells.length > 0));
  const shellRun = { skip: !python ? NO_PYTHON : !shellTools ? 'curl or jq not installed' : false };
  for (const block of shells) {
    test(`runs as printed and prints what its comments say: ${block.split('\n')[0]}`, shellRun, async () => {
      const r = await run('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', pointed(block)], {
        env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
        timeout: 60_000,
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      assert.equal('code' in r ? r.code : 0, 0, `${r.stdout}\n${r.stderr}`);
      // `# {...}` lines are what the command above them prints; `...` stands for anything.
      const expected = [...block.matchAll(/^# ([{[].*)$/gm)].map((m) => m[1]!);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, expected.length, r.stdout);
      expected.forEach((shown, i) => {
        const pattern = new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('\\.\\.\\.', '.*')}$`);
        assert.match(lines[i]!, pattern);
      });
    });
  }

  test('every error its tables name is an answer /api/v1/auth gives: the plain detail and the envelope code of one failure', () => {
    const overrides = readdirSync(join(ROOT, 'src/surfaces/v1-auth'))
      .map((f) => readFileSync(join(ROOT, 'src/surfaces/v1-auth', f), 'utf8'))
      .join('\n');
    const rows = [...PAGE.matchAll(/^\| (\d{3}) \| `([^`]+)` \| `([A-Z_]+)` \| .+ \|$/gm)].map((m) => [Number(m[1]), m[2]!, m[3]!] as const);
    assert.ok(rows.length > 40, `${rows.length} rows`);
    for (const [status, detail, code] of rows) {
      if (code === 'VALIDATION_ERROR') {
        assert.ok(status === 400 && detail.startsWith('参数验证失败: '), `${status} ${detail}`);
        continue;
      }
      const mapped = Object.keys(V1_PLAIN_ERRORS).some((failure) => {
        const plain = V1_PLAIN_ERRORS[failure as keyof typeof V1_PLAIN_ERRORS];
        const envelope = V1_ENVELOPE_ERRORS[failure as keyof typeof V1_ENVELOPE_ERRORS];
        return plain[0] === status && plain[1] === detail && envelope[0] === status && envelope[2] === code;
      });
      // A route's own answer (both styles), e.g. `NOT_FOUND: [404, '通行密钥不存在', 'PASSKEY_NOT_FOUND']`.
      const routeOwn = overrides.includes(`[${status}, '${detail}', '${code}']`);
      assert.ok(mapped || routeOwn, `| ${status} | ${detail} | ${code} | is not an answer of /api/v1/auth`);
    }
  });

  test('its JSON examples are JSON', () => {
    for (const block of fenced('json')) for (const line of block.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
  });
});
