import assert from 'node:assert/strict';
import { assignRole, revokeRole, sweepExpired } from '../../src/domains/grants/decide.js';
import { createRole } from '../../src/domains/roles/decide.js';
import { ensureUser } from '../../src/domains/users/decide.js';
import { ADMIN, World, as, types } from '../support/decider.js';

const user = (userId: string) => ({ userId, name: userId, email: null, serviceAccount: false });
const assign = (userId: string, roleId: string, extra: { teamId?: string | null; durationMs?: number } = {}) => ({
  subject: { type: 'user' as const, id: userId },
  roleId,
  teamId: extra.teamId ?? null,
  expiresAt: null,
  ...(extra.durationMs === undefined ? {} : { durationMs: extra.durationMs }),
});

const DAY = 86_400_000;

function world() {
  const w = World.withAccount();
  for (const u of ['URM', 'UDEV']) w.then(w.when(ensureUser, user(u)));
  w.then(w.when(assignRole, assign('URM', 'release_manager')));
  return w;
}

describe('domain: grants (given/when/then)', () => {
  it('when an Admin grants a role, then grant.created records the roles before and after', () => {
    const w = world();
    const out = w.when(assignRole, assign('UDEV', 'developer'));
    assert.deepEqual(types(out), ['grant.created']);
    const e = out.events[0];
    assert.ok(e?.type === 'grant.created');
    assert.deepEqual(e.data.roles.map((r) => [r.userId, r.before.map((a) => a.roleId), r.after.map((a) => a.roleId).sort()]), [['UDEV', ['viewer'], ['developer', 'viewer']]]);
    assert.equal(out.result.changed, true);
  });

  it('when the same grant is given again, then nothing is decided and the result says unchanged', () => {
    const w = world();
    w.then(w.when(assignRole, assign('UDEV', 'developer')));
    const again = w.when(assignRole, assign('UDEV', 'developer'));
    assert.deepEqual(types(again), []);
    assert.equal(again.result.changed, false);
  });

  it('when a grant for a duration is asked again and would end within a minute of the held one, or earlier, then nothing is decided; a minute or more later, it replaces the held one and says so; an exact expiresAt sets the expiry, earlier too', () => {
    const w = world();
    const first = w.then(w.when(assignRole, assign('UDEV', 'qa', { durationMs: 2 * DAY })));
    w.now += 30_000;
    const repeat = w.when(assignRole, assign('UDEV', 'qa', { durationMs: 2 * DAY }));
    assert.deepEqual([types(repeat), repeat.result.changed, repeat.result.grant?.id, repeat.result.replaced], [[], false, first.grant?.id, undefined]);
    assert.deepEqual(types(w.when(assignRole, assign('UDEV', 'qa', { durationMs: DAY }))), [], 'a duration never shortens a grant');
    w.now += DAY;
    const longer = w.when(assignRole, assign('UDEV', 'qa', { durationMs: 2 * DAY }));
    assert.deepEqual(types(longer), ['grant.revoked', 'grant.created']);
    assert.deepEqual([longer.result.changed, longer.result.replaced?.id, longer.result.grant?.expiresAt], [true, first.grant?.id, w.now + 2 * DAY]);
    w.then(longer);
    // Permanent covers any duration; an exact expiry (configuration as code) sets it.
    w.then(w.when(assignRole, assign('UDEV', 'security')));
    assert.deepEqual(types(w.when(assignRole, assign('UDEV', 'security', { durationMs: DAY }))), []);
    const exact = w.when(assignRole, { ...assign('UDEV', 'qa'), expiresAt: w.now + DAY });
    assert.deepEqual([types(exact), exact.result.grant?.expiresAt], [['grant.revoked', 'grant.created'], w.now + DAY]);
  });

  it('when a people manager grants what they do not hold, then escalation names the missing permissions; only an Admin makes an Admin', () => {
    const w = world();
    const people = w.then(w.when(createRole, { name: 'People', description: '', scope: 'global', permissions: ['user_role:manage'] }));
    w.then(w.when(assignRole, assign('UDEV', people.id)));
    const err = w.refused(assignRole, assign('URM', 'developer'), as('UDEV'), 'escalation');
    assert.ok((err.details as { missing: string[] }).missing.includes('version:create'));
    assert.equal(w.refused(assignRole, assign('URM', 'admin'), as('UDEV'), 'escalation').message, 'only an Admin makes an Admin');
    const denied = w.refused(assignRole, assign('UDEV', 'developer'), as('URM'), 'forbidden');
    assert.equal((denied.details as { permission?: string }).permission, 'user_role:manage');
  });

  it('when the last Admin would lose Admin, then last_admin', () => {
    const w = World.withAccount();
    w.then(w.when(ensureUser, user('UOTHER')));
    w.then(w.when(assignRole, assign('UOTHER', 'admin')));
    // Two Admins: UOTHER may revoke UADMIN's Admin; then UADMIN is no longer there to revoke UOTHER's.
    w.then(w.when(revokeRole, { subject: { type: 'user', id: 'UADMIN' }, roleId: 'admin', teamId: null }, as('UOTHER')), as('UOTHER'));
    w.refused(revokeRole, { subject: { type: 'user', id: 'UOTHER' }, roleId: 'admin', teamId: null }, ADMIN, 'forbidden');
    w.refused(revokeRole, { subject: { type: 'user', id: 'UOTHER' }, roleId: 'admin', teamId: null }, as('UOTHER'), 'self_change');
  });

  it('given a time-bound grant, when its time has passed, then the sweep expires it once', () => {
    const w = world();
    w.then(w.when(assignRole, assign('UDEV', 'developer', { durationMs: 3_600_000 })));
    assert.deepEqual(types(w.when(sweepExpired, undefined)), []);
    w.now += 3_600_000;
    const out = w.when(sweepExpired, undefined);
    assert.deepEqual(types(out), ['grant.expired']);
    w.then(out);
    assert.deepEqual(types(w.when(sweepExpired, undefined)), []);
  });
});
