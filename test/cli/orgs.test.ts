// `gatehouse orgs` and `gatehouse roles` as an operator runs them: a custom
// role defined, an organisation made with its first owner, a member added with
// the role, the last owner kept (exit 1, LAST_OWNER's sentence), an invitation
// mailed to the outbox, bad input refused in one line (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-orgs-cli-'));
const env = { DATA_DIR: join(dir, 'data'), DEMO_DATA: 'false' };
after(() => rmSync(dir, { recursive: true, force: true }));

const ok = (args: string[]) => {
  const r = runCli(args, env);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('roles add|list|remove, orgs create|list|add-member|remove-member|invite', () => {
  ok(['users', 'create', '--email', 'ann@example.com', '--password', 'correct-horse-42']);
  ok(['users', 'create', '--email', 'bob@example.com', '--password', 'correct-horse-42']);
  assert.match(
    ok(['roles', 'add', 'billing', '--permissions', 'invoices:read,invoices:pay', '--description', 'pays the bills']),
    /role billing: invoices:pay, invoices:read/,
  );
  assert.deepEqual(
    JSON.parse(ok(['roles', 'list', '--json'])).map((r: { name: string; permissions: string[] }) => [r.name, r.permissions]),
    [
      ['owner', []],
      ['admin', []],
      ['member', []],
      ['billing', ['invoices:pay', 'invoices:read']],
    ],
  );
  const refusedRole = runCli(['roles', 'add', 'owner', '--permissions', 'x'], env);
  assert.equal(refusedRole.status, 1);
  assert.match(refusedRole.stderr, /^gatehouse: owner is a built-in role\n$/);

  const made = JSON.parse(ok(['orgs', 'create', '--name', 'Acme', '--slug', 'acme', '--owner', 'ann@example.com', '--json']));
  assert.equal(made.slug, 'acme');
  assert.match(ok(['orgs', 'list']), new RegExp(`^${made.id}\\tacme\\tAcme\\n$`));
  assert.match(ok(['orgs', 'add-member', 'acme', 'bob@example.com', '--roles', 'member,billing']), /bob@example.com is a member of acme: member, billing/);
  const last = runCli(['orgs', 'remove-member', made.id, 'ann@example.com'], env);
  assert.equal(last.status, 1);
  assert.match(last.stderr, /^gatehouse: an organisation always keeps an owner/);
  assert.match(ok(['orgs', 'remove-member', 'acme', 'bob@example.com']), /removed from acme/);
  assert.match(ok(['orgs', 'invite', 'acme', 'carol@example.com', '--roles', 'admin']), /invited carol@example.com to acme as admin \(inv_/);
  assert.match(ok(['mail', 'list']), /carol@example.com/);
  assert.match(ok(['roles', 'remove', 'billing']), /removed role billing/);

  const usage = runCli(['orgs', 'create', '--name', 'X'], env);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--owner USER/);
  assert.equal(runCli(['orgs', 'add-member', 'nowhere', 'ann@example.com'], env).status, 2);
});
