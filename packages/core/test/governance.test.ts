import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ADMIN, refused, setup } from './helpers.js';

const user = (id: string) => ({ type: 'user' as const, id });

describe('governance of role changes (SPEC §3)', () => {
  describe('rule 1: only holders of user_role:manage assign or revoke', () => {
    it('an Admin assigns and revokes', async () => {
      const { account, admin } = await setup({ users: { UDEV: null } });
      const r = await account.assignRole(admin, { subject: user('UDEV'), roleId: 'developer' });
      assert.equal(r.changed, true);
      assert.equal(account.can('UDEV', 'version:create', 'general'), true);
      await account.revokeRole(admin, { grantId: r.grant!.id });
      assert.equal(account.can('UDEV', 'version:create', 'general'), false);
    });
    it('a Release Manager cannot assign', async () => {
      const { account, as } = await setup({ users: { URM: 'release_manager', UDEV: null } });
      const err = await refused(account.assignRole(as('URM'), { subject: user('UDEV'), roleId: 'viewer' }), 'forbidden');
      assert.equal(err.details['permission'], 'user_role:manage');
      assert.ok((err.details['grantingRoles'] as string[]).includes('admin'));
    });
    it('a team-scoped user_role:manage administers its team only', async () => {
      const { account, admin, as } = await setup({ users: { ULEAD: null, UDEV: null } });
      await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
      const lead = await account.createRole(admin, { name: 'Team lead', scope: 'team', permissions: ['user_role:manage', 'version:create', 'release:create'] });
      await account.assignRole(admin, { subject: user('ULEAD'), roleId: lead.id, teamId: 'payments' });
      await account.assignRole(admin, { subject: user('ULEAD'), roleId: 'viewer', teamId: 'payments' });
      await account.assignRole(as('ULEAD'), { subject: user('UDEV'), roleId: 'viewer', teamId: 'payments' });
      await refused(account.assignRole(as('ULEAD'), { subject: user('UDEV'), roleId: 'viewer', teamId: 'general' }), 'forbidden');
      await refused(account.assignRole(as('ULEAD'), { subject: user('UDEV'), roleId: 'viewer' }), 'forbidden');
    });
  });

  describe('rule 2: nobody changes their own roles', () => {
    it('an Admin cannot grant themselves a role or revoke their own', async () => {
      const { account, admin } = await setup({ users: { UADMIN2: 'admin' } });
      await refused(account.assignRole(admin, { subject: user(ADMIN), roleId: 'qa' }), 'self_change');
      const g = account.view.grants;
      const own = Object.values(g).find((x) => x.subject.id === ADMIN)!;
      await refused(account.revokeRole(admin, { grantId: own.id }), 'self_change');
    });
    it('nor through a group they belong to', async () => {
      const { account, admin } = await setup({ users: { UADMIN2: 'admin' } });
      await account.createGroup(admin, { groupId: 'oncall', name: 'On call', members: [ADMIN] });
      await refused(account.assignRole(admin, { subject: { type: 'group', id: 'oncall' }, roleId: 'sre' }), 'self_change');
      await refused(account.addGroupMember({ userId: 'UADMIN2' }, { groupId: 'oncall', userId: 'UADMIN2' }), 'self_change');
    });
    it('nor deactivate themselves', async () => {
      const { account, admin } = await setup({ users: { UADMIN2: 'admin' } });
      await refused(account.deactivateUser(admin, { userId: ADMIN }), 'self_change');
    });
  });

  describe('rule 3: no granting of permissions one does not hold', () => {
    it('only an Admin makes an Admin', async () => {
      const { account, admin, as } = await setup({ users: { UMGR: null, UDEV: null } });
      const mgr = await account.createRole(admin, { name: 'People manager', scope: 'global', permissions: ['user_role:manage', 'version:create'] });
      await account.assignRole(admin, { subject: user('UMGR'), roleId: mgr.id });
      await refused(account.assignRole(as('UMGR'), { subject: user('UDEV'), roleId: 'admin' }), 'escalation');
      const err = await refused(account.assignRole(as('UMGR'), { subject: user('UDEV'), roleId: 'developer' }), 'escalation');
      assert.ok((err.details['missing'] as string[]).includes('deployment:create'));
      // A role within the manager's own permissions is fine.
      const sub = await account.createRole(admin, { name: 'Builder', scope: 'global', permissions: ['version:create'] });
      await account.assignRole(as('UMGR'), { subject: user('UDEV'), roleId: sub.id });
      assert.equal(account.can('UDEV', 'version:create'), true);
    });
    it('an Admin makes an Admin', async () => {
      const { account, admin } = await setup({ users: { UDEV: null } });
      await account.assignRole(admin, { subject: user('UDEV'), roleId: 'admin' });
      assert.deepEqual(account.admins(), [ADMIN, 'UDEV']);
    });
    it('custom roles cannot carry permissions the editor lacks', async () => {
      const { account, admin, as } = await setup({ users: { UROLES: null } });
      const rm = await account.createRole(admin, { name: 'Role editor', scope: 'global', permissions: ['role:manage', 'version:create'] });
      await account.assignRole(admin, { subject: user('UROLES'), roleId: rm.id });
      await refused(account.createRole(as('UROLES'), { name: 'Sneaky', scope: 'global', permissions: ['billing:manage'] }), 'escalation');
      await account.createRole(as('UROLES'), { name: 'Fine', scope: 'global', permissions: ['version:create'] });
    });
  });

  describe('rule 4: at least one active Admin', () => {
    it('the last Admin cannot be revoked, deactivated or removed from the group that makes them Admin', async () => {
      const { account, admin, as } = await setup({ users: { UADMIN2: 'admin', UOPS: null } });
      const grantOf = (u: string) => Object.values(account.view.grants).find((g) => g.subject.id === u && g.roleId === 'admin')!;
      const ops = await account.createRole(admin, { name: 'User admin', scope: 'global', permissions: ['user_role:manage'] });
      await account.assignRole(admin, { subject: user('UOPS'), roleId: ops.id });
      const r = await account.revokeRole(as('UADMIN2'), { grantId: grantOf(ADMIN).id });
      assert.deepEqual(r.warnings, ['single_admin']);
      assert.deepEqual(account.admins(), ['UADMIN2']);
      await refused(account.revokeRole(as('UOPS'), { grantId: grantOf('UADMIN2').id }), 'last_admin');
      // Admin through a group: the group's grant, the membership and the group itself are all protected.
      await account.createGroup(as('UADMIN2'), { groupId: 'admins', name: 'Admins', members: [] });
      const groupGrant = await account.assignRole(as('UADMIN2'), { subject: { type: 'group', id: 'admins' }, roleId: 'admin' });
      await account.addGroupMember(as('UADMIN2'), { groupId: 'admins', userId: ADMIN });
      await account.revokeRole(admin, { grantId: grantOf('UADMIN2').id });
      assert.deepEqual(account.admins(), [ADMIN]);
      await refused(account.removeGroupMember(as('UOPS'), { groupId: 'admins', userId: ADMIN }), 'last_admin');
      await refused(account.deleteGroup(as('UOPS'), { groupId: 'admins' }), 'last_admin');
      await refused(account.revokeRole(as('UOPS'), { grantId: groupGrant.grant!.id }), 'last_admin');
      await refused(account.deactivateUser(as('UOPS'), { userId: ADMIN }), 'last_admin');
      assert.deepEqual(account.admins(), [ADMIN]);
    });
    it('deactivating the last Admin is refused', async () => {
      const { account, admin, as } = await setup({ users: { UOPS: null } });
      const ops = await account.createRole(admin, { name: 'User admin', scope: 'global', permissions: ['user_role:manage'] });
      await account.assignRole(admin, { subject: user('UOPS'), roleId: ops.id });
      const err = await refused(account.deactivateUser(as('UOPS'), { userId: ADMIN }), 'last_admin');
      assert.deepEqual(err.details['admins'], [ADMIN]);
    });
    it('a time-bound Admin grant does not count as keeping the account administrable', async () => {
      const { account, admin, as } = await setup({ users: { UTEMP: null } });
      await account.assignRole(admin, { subject: user('UTEMP'), roleId: 'admin', durationMs: 3_600_000 });
      const own = Object.values(account.view.grants).find((g) => g.subject.id === ADMIN)!;
      await refused(account.revokeRole(as('UTEMP'), { grantId: own.id }), 'last_admin');
    });
  });

  describe('rule 5: static roles are immutable', () => {
    it('refuses edit, rename and delete of static roles', async () => {
      const { account, admin } = await setup();
      await refused(account.updateRole(admin, { roleId: 'developer', permissions: ['version:create'] }), 'static_role_immutable');
      await refused(account.updateRole(admin, { roleId: 'viewer', name: 'Watcher' }), 'static_role_immutable');
      await refused(account.deleteRole(admin, { roleId: 'qa' }), 'static_role_immutable');
    });
    it('custom roles can be edited, renamed and deleted; delete is refused while granted, naming holders', async () => {
      const { account, admin } = await setup({ users: { UDEV: null } });
      const role = await account.createRole(admin, { name: 'Deployer', scope: 'team', permissions: ['deployment:create'] });
      await account.assignRole(admin, { subject: user('UDEV'), roleId: role.id, teamId: 'general' });
      assert.equal(account.can('UDEV', 'deployment:create', 'general'), true);
      await account.updateRole(admin, { roleId: role.id, name: 'Shipper', permissions: ['deployment:create', 'release:create'] });
      assert.equal(account.can('UDEV', 'release:create', 'general'), true, 'edits take effect at once');
      const err = await refused(account.deleteRole(admin, { roleId: role.id }), 'role_in_use');
      assert.match(err.message, /UDEV/);
      await account.revokeRole(admin, { subject: user('UDEV'), roleId: role.id, teamId: 'general' });
      await account.deleteRole(admin, { roleId: role.id });
      assert.equal(account.role(role.id), undefined);
    });
    it('a custom role is granted only where its scope says', async () => {
      const { account, admin } = await setup({ users: { UDEV: null } });
      const teamRole = await account.createRole(admin, { name: 'T', scope: 'team', permissions: ['release:create'] });
      const globalRole = await account.createRole(admin, { name: 'G', scope: 'global', permissions: ['release:create'] });
      await refused(account.assignRole(admin, { subject: user('UDEV'), roleId: teamRole.id }), 'role_scope');
      await refused(account.assignRole(admin, { subject: user('UDEV'), roleId: globalRole.id, teamId: 'general' }), 'role_scope');
    });
    it('role names are unique, case-insensitively, across static and custom', async () => {
      const { account, admin } = await setup();
      await refused(account.createRole(admin, { name: 'developer', permissions: ['version:create'] }), 'conflict');
    });
  });

  describe('rules 6–8: immediate effect, notification data, audit', () => {
    it('a change is visible to the next check and carries before/after roles', async () => {
      const { account, admin, gh } = await setup({ users: { UDEV: null } });
      const seen: string[] = [];
      gh.onCommit((n) => {
        for (const e of n.events) if (e.type === 'grant.created') seen.push(JSON.stringify(e.data.roles));
      });
      assert.equal(account.can('UDEV', 'deployment:create', 'general'), false);
      await account.assignRole(admin, { subject: user('UDEV'), roleId: 'developer' });
      assert.equal(account.can('UDEV', 'deployment:create', 'general'), true);
      assert.equal(seen.length, 1);
      const [change] = JSON.parse(seen[0]!) as { userId: string; before: { roleId: string }[]; after: { roleId: string }[] }[];
      assert.equal(change!.userId, 'UDEV');
      assert.deepEqual(change!.before.map((r) => r.roleId), ['viewer']);
      assert.deepEqual(change!.after.map((r) => r.roleId).sort(), ['developer', 'viewer']);
      const trail = await account.auditTrail(admin, { userId: 'UDEV' });
      const ev = trail.find((e) => e.type === 'grant.created' && e.actor === ADMIN);
      assert.ok(ev, 'the grant is in the audit trail with its actor');
    });

    it('a commit listener can stop listening, for accounts open now and opened later', async () => {
      const { account, admin, gh } = await setup({ users: { UDEV: null } });
      const seen: string[] = [];
      const stop = gh.onCommit((n) => seen.push(n.accountId));
      await account.assignRole(admin, { subject: user('UDEV'), roleId: 'developer' });
      assert.deepEqual(seen, [account.id]);
      stop();
      await tick();
      await account.revokeRole(admin, { subject: user('UDEV'), roleId: 'developer' });
      const other = await gh.createAccount('T2', { name: 'Other', admins: [{ userId: ADMIN }] });
      await other.ensureUser({ userId: 'UX' });
      assert.deepEqual(seen, [account.id], 'no notices after stop()');
    });
  });

  describe('users', () => {
    it('newcomers land in the default team with the default role', async () => {
      const { account } = await setup();
      await account.ensureUser({ userId: 'UNEW', name: 'New' });
      assert.deepEqual(account.roles('UNEW').map((r) => [r.roleId, r.teamId]), [['viewer', 'general']]);
      assert.equal(account.can('UNEW', 'product:view', 'general'), true);
      assert.equal(account.can('UNEW', 'product:create', 'general'), false);
    });
    it('a deactivated user holds no permissions and their keys stop working', async () => {
      const { account, admin, gh } = await setup({ users: { UDEV: 'developer' } });
      const { secret } = await gh.createKey(account, { userId: 'UDEV' }, { name: 'ci' });
      assert.equal((await gh.authenticate(secret)).actor.userId, 'UDEV');
      await account.deactivateUser(admin, { userId: 'UDEV' });
      assert.equal(account.can('UDEV', 'version:view', 'general'), false);
      assert.equal(account.explain('UDEV', 'version:view', 'general').allowed, false);
      await refused(gh.authenticate(secret), 'invalid_key');
      await account.reactivateUser(admin, { userId: 'UDEV' });
      assert.equal(account.can('UDEV', 'version:create', 'general'), true);
    });
    it('the default role is configurable', async () => {
      const { account, admin } = await setup();
      await account.updateSettings(admin, { defaultRoleId: 'developer' });
      await account.ensureUser({ userId: 'UNEW' });
      assert.equal(account.can('UNEW', 'version:create', 'general'), true);
      await refused(account.updateSettings(admin, { defaultRoleId: 'admin' }), 'escalation');
    });
  });

  describe('groups and time-bound grants', () => {
    it('a role granted to a group is held by each member, and leaves with them', async () => {
      const { account, admin } = await setup({ users: { UA: null, UB: null } });
      await account.createGroup(admin, { groupId: 'qa-team', name: 'QA team', members: ['UA'] });
      await account.assignRole(admin, { subject: { type: 'group', id: 'qa-team' }, roleId: 'qa' });
      assert.equal(account.can('UA', 'version:approve:qa', 'general'), true);
      assert.equal(account.can('UB', 'version:approve:qa', 'general'), false);
      await account.addGroupMember(admin, { groupId: 'qa-team', userId: 'UB' });
      assert.equal(account.can('UB', 'version:approve:qa', 'general'), true);
      assert.equal(account.roles('UB').find((r) => r.roleId === 'qa')?.via, 'qa-team');
      await account.removeGroupMember(admin, { groupId: 'qa-team', userId: 'UA' });
      assert.equal(account.can('UA', 'version:approve:qa', 'general'), false);
      await account.deleteGroup(admin, { groupId: 'qa-team' });
      assert.equal(account.can('UB', 'version:approve:qa', 'general'), false);
    });
    it('an expired grant stops counting at once and is swept into the audit trail', async () => {
      const { account, admin, clock } = await setup({ users: { UDEV: null } });
      await account.assignRole(admin, { subject: user('UDEV'), roleId: 'sre', durationMs: 3_600_000 });
      assert.equal(account.can('UDEV', 'environment:create'), true);
      clock.advance(3_600_000);
      assert.equal(account.can('UDEV', 'environment:create'), false);
      const swept = await account.sweepExpired();
      assert.equal(swept.length, 1);
      const trail = await account.auditTrail(admin, { types: ['grant.expired'] });
      assert.equal(trail.length, 1);
    });
  });

  describe('validation', () => {
    it('unknown permissions and bad ids are validation errors that say what to do', async () => {
      const { account, admin } = await setup();
      const err = await refused(account.createRole(admin, { name: 'X', permissions: ['version:destroy' as 'version:create'] }), 'validation_failed');
      assert.match(err.message, /unknown permission 'version:destroy'/);
      await refused(account.assignRole(admin, { subject: user('bad id!'), roleId: 'qa' }), 'validation_failed');
      await refused(account.assignRole(admin, { subject: user('UNOBODY'), roleId: 'qa' }), 'not_found');
      await refused(account.assignRole(admin, { subject: user(ADMIN), roleId: 'no-such-role' }), 'not_found');
    });
    it('a refused command leaves no trace in the log', async () => {
      const { account, admin } = await setup();
      const before = account.seq;
      await refused(account.updateRole(admin, { roleId: 'qa', name: 'QA!' }), 'static_role_immutable');
      assert.equal(account.seq, before);
    });
  });
});

describe('the system actor', () => {
  it('cannot be impersonated by a user called "system"', async () => {
    const { account } = await setup();
    await refused(account.ensureUser({ userId: 'system' }), 'validation_failed');
    await refused(account.ensureUser({ userId: 'SYSTEM' }), 'validation_failed');
  });
});
