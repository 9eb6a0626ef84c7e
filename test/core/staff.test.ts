// The staff console's rules in the core: who may do what, and the actions'
// effects, without HTTP (the console's pages are tested in test/surfaces/console).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatehouseError } from '../../src/core/errors.ts';
import type { User } from '../../src/core/ports/user-store.ts';
import { deleteConfirmation, type StaffAction, staffMay } from '../../src/core/staff.ts';
import { testCore } from '../helpers/core.ts';

const PASSWORD = 'correct-horse-42';
const ALL: StaffAction[] = [
  'read',
  'end-sessions',
  'send-mail',
  'verify',
  'unlock',
  'set-status',
  'change-email',
  'reset-factors',
  'delete',
  'unlink-identity',
];
const forbidden = (e: GatehouseError) => e.code === 'FORBIDDEN';

describe('staff power from an upstream provider’s sign-in (CONSOLE_PROVIDERS)', () => {
  /** A superuser's session as an upstream sign-in with the account's code makes it: `amr` fed + otp. */
  async function federated(consoleProviders?: boolean) {
    const core = testCore({ consoleProviders });
    const user = await core.accounts.register({ email: 'root@x.example', password: PASSWORD, isSuperuser: true });
    const grant = await core.sessions.start(user, { accessTtl: 600, amr: ['fed', 'otp'] });
    return { core, caller: await core.sessions.authenticate(grant.accessToken) };
  }

  test('off (the default): the console and the staff API refuse it, whatever its second factor', async () => {
    const { core, caller } = await federated();
    assert.equal(await core.staff.refusal(caller, 'console'), 'upstream');
    await assert.rejects(core.staff.admitApi(caller), (e: GatehouseError) => e.code === 'FORBIDDEN' && /CONSOLE_PROVIDERS/.test(e.message));
  });

  test('on: the same session holds staff power', async () => {
    const { core, caller } = await federated(true);
    assert.equal(await core.staff.refusal(caller, 'console'), null);
    await core.staff.admitApi(caller);
  });
});

describe('staff rights', () => {
  const base = { status: 'active', isStaff: false, isSuperuser: false } as User;

  test('superusers may do everything; staff the help-desk actions; others nothing; a disabled account nothing', () => {
    const superuser = { ...base, isSuperuser: true };
    const staff = { ...base, isStaff: true };
    assert.deepEqual(
      ALL.filter((a) => staffMay(superuser, a)),
      ALL,
    );
    assert.deepEqual(
      ALL.filter((a) => staffMay(staff, a)),
      ['read', 'end-sessions', 'send-mail', 'verify', 'unlock'],
    );
    assert.deepEqual(
      ALL.filter((a) => staffMay(base, a)),
      [],
    );
    assert.deepEqual(
      ALL.filter((a) => staffMay({ ...superuser, status: 'disabled' }, a)),
      [],
    );
  });

  test('the delete confirmation is the email, else the username, else the uuid', () => {
    assert.equal(deleteConfirmation({ ...base, email: 'a@x.example', username: 'a', uuid: 'u' }), 'a@x.example');
    assert.equal(deleteConfirmation({ ...base, email: null, username: 'a', uuid: 'u' }), 'a');
    assert.equal(deleteConfirmation({ ...base, email: null, username: null, uuid: 'u' }), 'u');
  });
});

describe('staff actions', () => {
  test('every action checks the actor: a user without rights is refused before anything changes', async () => {
    const core = testCore();
    const nobody = await core.accounts.register({ email: 'nobody@example.com', password: PASSWORD });
    const target = await core.accounts.register({ email: 'target@example.com', password: PASSWORD });
    await assert.rejects(core.staff.search(nobody, '', 10, 0), forbidden);
    await assert.rejects(core.staff.find(nobody, target.uuid), forbidden);
    await assert.rejects(core.staff.unlock(nobody, target), forbidden);
    await assert.rejects(core.staff.endAllSessions(nobody, target), forbidden);
    await assert.rejects(core.staff.sendReset(nobody, target), forbidden);
    await assert.rejects(core.staff.setVerified(nobody, target, 'email'), forbidden);
    await assert.rejects(core.staff.setStatus(nobody, target, 'disabled'), forbidden);
    await assert.rejects(core.staff.changeEmail(nobody, target, 'new@example.com'), forbidden);
    await assert.rejects(core.staff.resetFactors(nobody, target), forbidden);
    await assert.rejects(core.staff.delete(nobody, target, target.email!), forbidden);
    assert.equal((await core.accounts.findById(target.id))?.status, 'active');
  });

  test('unlock forgets the failures, so the owner logs in again', async () => {
    const core = testCore();
    const staff = await core.accounts.register({ email: 'staff@example.com', password: PASSWORD, isStaff: true });
    const owner = await core.accounts.register({ email: 'owner@example.com', password: PASSWORD });
    const login = () => core.login.login({ by: 'email', identifier: owner.email!, password: PASSWORD, accessTtl: 60 });
    for (let i = 0; i < 5; i++) await core.login.login({ by: 'email', identifier: owner.email!, password: 'wrong', accessTtl: 60 }).catch(() => {});
    assert.notEqual((await core.staff.file(staff, owner)).lockedUntil, null);
    await assert.rejects(login(), (e: GatehouseError) => e.code === 'ACCOUNT_LOCKED');
    await core.staff.unlock(staff, owner);
    const file = await core.staff.file(staff, owner);
    assert.equal(file.lockedUntil, null);
    assert.equal(file.failures, 0);
    await login();
  });

  test('nobody disables or deletes their own account; delete needs the typed confirmation', async () => {
    const core = testCore();
    const root = await core.accounts.register({ email: 'root@example.com', password: PASSWORD, isSuperuser: true });
    const other = await core.accounts.register({ email: 'other@example.com', password: PASSWORD });
    await assert.rejects(core.staff.setStatus(root, root, 'disabled'), forbidden);
    await assert.rejects(core.staff.delete(root, root, root.email!), forbidden);
    await assert.rejects(core.staff.delete(root, other, 'other'), (e: GatehouseError) => e.code === 'VALIDATION_FAILED');
    await core.staff.delete(root, other, ' other@example.com ');
    assert.equal(await core.accounts.findById(other.id), null);
  });
});
