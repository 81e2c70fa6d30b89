import assert from 'node:assert/strict';
import { assignRole } from '../../src/domains/grants/decide.js';
import { createRole } from '../../src/domains/roles/decide.js';
import { deactivateUser, ensureUser, reactivateUser } from '../../src/domains/users/decide.js';
import { ADMIN, World, as, types } from '../support/decider.js';

const newcomer = (userId: string) => ({ userId, name: userId, email: null, serviceAccount: false });

describe('domain: users (given/when/then)', () => {
  it('given an account, when a newcomer arrives, then they are added with the default role in the default team', () => {
    const w = World.withAccount();
    const out = w.when(ensureUser, newcomer('UDEV'));
    assert.deepEqual(types(out), ['user.added', 'grant.created']);
    const grant = out.events[1];
    assert.ok(grant?.type === 'grant.created');
    assert.deepEqual({ roleId: grant.data.grant.roleId, teamId: grant.data.grant.teamId, expiresAt: grant.data.grant.expiresAt }, { roleId: 'viewer', teamId: 'general', expiresAt: null });
  });

  it('given a known user, when nothing about them changed, then nothing is decided; a new name is an update', () => {
    const w = World.withAccount();
    w.then(w.when(ensureUser, newcomer('UDEV')));
    assert.deepEqual(types(w.when(ensureUser, newcomer('UDEV'))), []);
    const out = w.when(ensureUser, { ...newcomer('UDEV'), name: 'Dev Eloper' });
    assert.deepEqual(types(out), ['user.updated']);
  });

  it('when the only Admin would be deactivated, then it is refused (last_admin); nobody deactivates themselves', () => {
    const w = World.withAccount();
    w.then(w.when(ensureUser, newcomer('UDEV')));
    w.refused(deactivateUser, { userId: ADMIN.userId }, ADMIN, 'self_change');
    w.refused(deactivateUser, { userId: ADMIN.userId }, as('UDEV'), 'forbidden');
    // A people manager (user_role:manage, not Admin) may deactivate users, but not the last Admin.
    const people = w.then(w.when(createRole, { name: 'People', description: '', scope: 'global', permissions: ['user_role:manage'] }));
    w.then(w.when(assignRole, { subject: { type: 'user', id: 'UDEV' }, roleId: people.id, teamId: null, expiresAt: null }));
    const err = w.refused(deactivateUser, { userId: ADMIN.userId }, as('UDEV'), 'last_admin');
    assert.deepEqual((err.details as { admins: string[] }).admins, [ADMIN.userId]);
  });

  it('given a deactivated user, when reactivated twice, then one event and then none', () => {
    const w = World.withAccount();
    w.then(w.when(ensureUser, newcomer('UDEV')));
    const off = w.when(deactivateUser, { userId: 'UDEV' });
    assert.deepEqual(types(off), ['user.deactivated']);
    w.then(off);
    assert.equal(w.state.users['UDEV']?.active, false);
    w.then(w.when(reactivateUser, { userId: 'UDEV' }));
    assert.deepEqual(types(w.when(reactivateUser, { userId: 'UDEV' })), []);
  });

  it('ids named like built-in properties are users like any other, never the prototype', () => {
    const w = World.withAccount();
    w.refused(deactivateUser, { userId: 'constructor' }, ADMIN, 'not_found');
    const out = w.when(ensureUser, newcomer('toString'));
    assert.deepEqual(types(out), ['user.added', 'grant.created']);
  });
});
