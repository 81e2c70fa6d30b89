import assert from 'node:assert/strict';
import { assignRole } from '../../src/domains/grants/decide.js';
import { addGroupMember, createGroup, deleteGroup, removeGroupMember } from '../../src/domains/groups/decide.js';
import { createRole, deleteRole, updateRole } from '../../src/domains/roles/decide.js';
import { ensureUser } from '../../src/domains/users/decide.js';
import { grantChanges, membershipChanges, roleChangesOf, usersTouched } from '../../src/events/meaning.js';
import { ADMIN, World, as, types } from '../support/decider.js';

function world() {
  const w = World.withAccount();
  for (const u of ['UA', 'UB']) w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }));
  w.then(w.when(createGroup, { groupId: 'oncall', name: 'On call', members: ['UA'] }));
  w.then(w.when(assignRole, { subject: { type: 'group', id: 'oncall' }, roleId: 'sre', teamId: null, expiresAt: null }));
  return w;
}

describe('domain: groups and roles (given/when/then)', () => {
  it('when someone joins a group, then they gain its roles, and the event says so', () => {
    const w = world();
    const out = w.when(addGroupMember, { groupId: 'oncall', userId: 'UB' });
    assert.deepEqual(types(out), ['group.member_added']);
    const [change] = roleChangesOf(out.events[0]!);
    assert.deepEqual(change?.after.map((a) => a.roleId).sort(), ['sre', 'viewer']);
    assert.deepEqual(usersTouched(w.state, out.events[0]!), ['UB']);
    assert.deepEqual(membershipChanges(out.events[0]!).joined, [{ groupId: 'oncall', userId: 'UB' }]);
    assert.deepEqual(types(w.when(removeGroupMember, { groupId: 'oncall', userId: 'UB' })), []);
  });

  it('when a group is deleted, then its grants go with it and every member is touched', () => {
    const w = world();
    const out = w.when(deleteGroup, { groupId: 'oncall' });
    assert.deepEqual(types(out), ['group.deleted']);
    assert.deepEqual(grantChanges(out.events[0]!).subjectsRemoved, [{ type: 'group', id: 'oncall' }]);
    assert.deepEqual(usersTouched(w.state, out.events[0]!), ['UA']);
    w.then(out);
    assert.deepEqual(Object.values(w.state.grants).filter((g) => g.subject.type === 'group'), []);
  });

  it('static roles are immutable; a granted custom role cannot be deleted; a role cannot carry what its author lacks', () => {
    const w = world();
    w.refused(updateRole, { roleId: 'qa', name: 'Quality' }, ADMIN, 'static_role_immutable');
    const role = w.then(w.when(createRole, { name: 'Deployer', description: '', scope: 'team', permissions: ['deployment:create'] }));
    w.then(w.when(assignRole, { subject: { type: 'user', id: 'UB' }, roleId: role.id, teamId: 'general', expiresAt: null }));
    w.refused(deleteRole, { roleId: role.id }, ADMIN, 'role_in_use');
    w.refused(updateRole, { roleId: role.id, scope: 'global' }, ADMIN, 'role_scope');
    const err = w.refused(createRole, { name: 'Keys', description: '', scope: 'global', permissions: ['api_key:manage'] }, as('UA'), 'forbidden');
    assert.equal((err.details as { permission: string }).permission, 'role:manage');
  });
});
