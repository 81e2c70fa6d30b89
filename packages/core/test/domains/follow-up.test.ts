import assert from 'node:assert/strict';
import type { ApprovalType } from '../../src/authz/permissions.js';
import { APPROVAL_TYPES, approvalPermission } from '../../src/authz/permissions.js';
import { createVersion, decideVersion, requestApproval } from '../../src/domains/approvals/decide.js';
import { evaluateIn } from '../../src/domains/approvals/evaluate.js';
import { approverPool } from '../../src/domains/approvals/queries.js';
import { decideAccessRequest, requestAccess } from '../../src/domains/access-requests/decide.js';
import { createEnvironment, createProduct, createRule, createTeam, updateSettings } from '../../src/domains/catalog/decide.js';
import { createDelegation } from '../../src/domains/delegations/decide.js';
import { runFollowUps } from '../../src/domains/follow-up/decide.js';
import { nextWorkingTime } from '../../src/domains/follow-up/policy.js';
import { assignRole, revokeRole } from '../../src/domains/grants/decide.js';
import { createGroup } from '../../src/domains/groups/decide.js';
import { createRole } from '../../src/domains/roles/decide.js';
import { deactivateUser, ensureUser } from '../../src/domains/users/decide.js';
import type { AuthzView } from '../../src/kernel/decider.js';
import { SYSTEM } from '../../src/kernel/decider.js';
import type { ApprovalPolicy } from '../../src/schemas.js';
import { T0, World, as, types } from '../support/decider.js';

const H = 3_600_000;
const policy: ApprovalPolicy = { remindAfterMs: H, remindEveryMs: 2 * H, escalateAfterMs: 4 * H, escalateTo: { type: 'group', id: 'leads' }, timeoutAfterMs: 8 * H, timeoutOutcome: 'reject' };

function world(p: ApprovalPolicy = policy, environmentId = 'production') {
  const w = World.withAccount();
  w.then(w.when(createTeam, { teamId: 'payments', name: 'Payments' }));
  w.then(w.when(createProduct, { productId: 'checkout', name: 'Checkout', teamId: 'payments', channel: null }));
  w.then(w.when(createEnvironment, { environmentId, name: 'Production', productId: null, production: true, channel: null }));
  w.then(w.when(createRule, { environmentId, productId: null, requirements: [{ type: 'qa', quorum: 1 }], requireReleaseApproval: false, separationOfDuties: true, policy: p }));
  for (const [u, role] of [['UDEV', 'developer'], ['UQA', 'qa'], ['UQB', 'qa'], ['ULEAD', 'viewer']] as const) {
    w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }));
    if (role !== 'viewer') w.then(w.when(assignRole, { subject: { type: 'user', id: u }, roleId: role, teamId: null, expiresAt: null }));
  }
  w.then(w.when(createGroup, { groupId: 'leads', name: 'Leads', members: ['ULEAD'] }));
  const { version } = w.then(w.when(createVersion, { productId: 'checkout', version: '1.0.0', releaseId: null }, as('UDEV')), as('UDEV'));
  w.then(w.when(requestApproval, { versionId: version.id, environmentId }, as('UDEV')), as('UDEV'));
  return { w, versionId: version.id };
}

const tick = (w: World) => w.when(runFollowUps, { limit: 100 }, { userId: 'system' });

describe('domain: follow-up of approvals nobody gives (given/when/then)', () => {
  it('reminds the approvers at the first delay, then every interval — once each — and stops when the approval is given', () => {
    const { w, versionId } = world();
    w.now = T0 + 59 * 60_000;
    assert.deepEqual(types(tick(w)), []);
    w.now = T0 + H;
    const first = tick(w);
    assert.deepEqual(types(first), ['approval.reminded']);
    const e = first.events[0];
    assert.ok(e?.type === 'approval.reminded');
    assert.deepEqual([e.data.n, e.data.userIds.filter((u) => u.startsWith('UQ'))], [1, ['UQA', 'UQB']]);
    assert.ok(!e.data.userIds.includes('UDEV'), 'the creator is not asked');
    w.then(first, { userId: 'system' });
    assert.deepEqual(types(tick(w)), [], 'a second tick at the same time reminded again');
    w.now = T0 + 3 * H;
    w.then(tick(w), { userId: 'system' });
    assert.equal(w.state.versions[versionId]?.followUp?.['production']?.reminders, 2);
    w.then(w.when(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('UQA')), as('UQA'));
    w.now = T0 + 20 * H;
    assert.deepEqual(types(tick(w)), [], 'a ready version is still followed up');
  });

  for (const environmentId of ['constructor', 'toString', 'valueOf']) {
    it(`an environment named like a built-in property (${environmentId}) is followed up like any other`, () => {
      const { w, versionId } = world(policy, environmentId);
      w.now = T0 + H - 1;
      assert.deepEqual(types(tick(w)), [], 'nothing is due before the first reminder');
      w.now = T0 + H;
      const first = tick(w);
      const e = first.events[0];
      assert.ok(e?.type === 'approval.reminded', types(first).join());
      assert.equal(e.data.n, 1);
      w.then(first, { userId: 'system' });
      assert.equal(w.state.versions[versionId]?.followUp?.[environmentId]?.reminders, 1);
      w.now = T0 + 8 * H;
      w.then(tick(w), { userId: 'system' });
      assert.deepEqual(evaluateIn(w.state, versionId, environmentId).timedOut, { at: T0 + 8 * H, outcome: 'reject' });
    });
  }

  it('escalates to the target once, then times out with the rule\'s outcome; asking again starts over', () => {
    const { w, versionId } = world();
    w.now = T0 + 4 * H;
    const out = tick(w);
    assert.deepEqual(types(out).sort(), ['approval.escalated', 'approval.reminded']);
    const esc = out.events.find((e) => e.type === 'approval.escalated');
    assert.ok(esc?.type === 'approval.escalated');
    assert.deepEqual(esc.data.userIds, ['ULEAD']);
    w.then(out, { userId: 'system' });
    w.now = T0 + 8 * H;
    const timeout = tick(w);
    assert.deepEqual(types(timeout), ['approval.timed_out']);
    w.then(timeout, { userId: 'system' });
    const e = evaluateIn(w.state, versionId, 'production');
    assert.equal(e.ready, false);
    assert.deepEqual(e.timedOut, { at: T0 + 8 * H, outcome: 'reject' });
    assert.match(e.missing[0] ?? '', /not decided in time/);
    w.now = T0 + 30 * H;
    assert.deepEqual(types(tick(w)), [], 'a timed-out request is not followed up');
    w.then(w.when(requestApproval, { versionId, environmentId: 'production' }, as('UDEV')), as('UDEV'));
    assert.equal(evaluateIn(w.state, versionId, 'production').timedOut, undefined);
    w.now = T0 + 31 * H;
    assert.deepEqual(types(tick(w)), ['approval.reminded']);
  });

  it('the expire outcome leaves the deployment blocked and says to ask again', () => {
    const { w, versionId } = world({ timeoutAfterMs: 2 * H });
    w.now = T0 + 2 * H;
    w.then(tick(w), { userId: 'system' });
    const e = evaluateIn(w.state, versionId, 'production');
    assert.equal(e.timedOut?.outcome, 'expire');
    assert.match(e.missing[0] ?? '', /^expired: .*ask for approval again/);
  });

  it('reminders wait for working hours: a Saturday reminder comes Monday at 9 in the rule\'s time zone', () => {
    const saturdayNoon = Date.UTC(2026, 0, 3, 12);
    const at = nextWorkingTime(saturdayNoon, { timeZone: 'Europe/Berlin', from: 9, to: 17, days: [1, 2, 3, 4, 5] });
    assert.equal(new Date(at).toISOString(), '2026-01-05T08:00:00.000Z');
  });

  it('access requests left undecided expire after the account\'s time and the requester is no longer waiting', () => {
    const { w } = world();
    w.then(w.when(updateSettings, { accessRequestTtlMs: 24 * H }));
    const req = w.then(w.when(requestAccess, { roleId: 'sre', teamId: null, durationMs: H, reason: 'incident' }, as('UDEV')), as('UDEV'));
    w.now = T0 + 24 * H;
    const out = tick(w);
    assert.ok(types(out).includes('access_request.expired'));
    w.then(out, { userId: 'system' });
    assert.equal(w.state.requests[req.id]?.status, 'expired');
    w.refused(decideAccessRequest, { requestId: req.id, approve: true, reason: null }, as('UADMIN'), 'request_not_pending');
  });
});

describe('domain: delegation (given/when/then)', () => {
  const until = T0 + 7 * 24 * H;

  it('a delegate gives the delegator\'s approval, recorded on their behalf, counted once', () => {
    const { w, versionId } = world();
    w.then(w.when(createDelegation, { delegateId: 'ULEAD', types: ['qa'], until }, as('UQA')), as('UQA'));
    const out = w.when(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('ULEAD'));
    const e = out.events[0];
    assert.ok(e?.type === 'version.decided');
    assert.deepEqual([e.data.approverId, e.data.onBehalfOf], ['ULEAD', 'UQA']);
    w.then(out, as('ULEAD'));
    const ev = evaluateIn(w.state, versionId, 'production');
    assert.deepEqual(ev.requirements[0]?.approvedBy, ['UQA']);
    assert.equal(ev.ready, true);
    assert.deepEqual(types(w.when(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('UQA'))), [], 'the delegator approving too counted twice');
  });

  it('refused: after it ended, when the rule forbids delegation, to the version\'s creator, and beyond what the delegator holds now', () => {
    const { w, versionId } = world();
    w.then(w.when(createDelegation, { delegateId: 'ULEAD', types: null, until }, as('UQA')), as('UQA'));
    w.now = until;
    w.refused(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('ULEAD'), 'forbidden');
    w.now = T0 + H;
    w.refused(decideVersion, { versionId, approvalType: 'security', decision: 'approve', reason: null }, as('ULEAD'), 'forbidden');
    w.then(w.when(createDelegation, { delegateId: 'UDEV', types: ['qa'], until }, as('UQB')), as('UQB'));
    w.refused(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('UDEV'), 'separation_of_duties');
    w.then(w.when(revokeRole, { subject: { type: 'user', id: 'UQA' }, roleId: 'qa', teamId: null }));
    w.refused(decideVersion, { versionId, approvalType: 'qa', decision: 'approve', reason: null }, as('ULEAD'), 'forbidden');
    const { w: strict, versionId: v2 } = world({ allowDelegation: false });
    strict.then(strict.when(createDelegation, { delegateId: 'ULEAD', types: ['qa'], until }, as('UQA')), as('UQA'));
    strict.refused(decideVersion, { versionId: v2, approvalType: 'qa', decision: 'approve', reason: null }, as('ULEAD'), 'forbidden');
    w.refused(createDelegation, { delegateId: 'UQB', types: ['security'], until }, as('UQB'), 'self_change');
    w.refused(createDelegation, { delegateId: 'UQA', types: ['security'], until }, as('UQB'), 'escalation');
    w.refused(createDelegation, { delegateId: 'UQA', types: null, until: T0 + 200 * 24 * H }, as('UQB'), 'validation_failed');
  });
});

describe('domain: whom a follow-up tick names, and what it costs', () => {
  /** Who may give `type` in `teamId` as first defined: every active user, checked one by one. */
  function everyUserChecked(w: World, type: ApprovalType, teamId: string | null): string[] {
    const authz = w.env(SYSTEM).authz;
    return Object.values(w.state.users)
      .filter((u) => u.active && authz.actorCan({ userId: u.id }, approvalPermission(type), teamId))
      .map((u) => u.id)
      .sort();
  }

  it('the approvers found through the grants of the roles that carry the permission are exactly those found by checking every user', () => {
    const { w } = world();
    w.then(w.when(createTeam, { teamId: 'search', name: 'Search' }));
    const tester = w.then(w.when(createRole, { name: 'Tester', description: '', scope: 'team', permissions: ['version:approve:qa'] }));
    const users: [string, string, string | null, number | null][] = [
      ['UQTEAM', 'qa', 'payments', null],
      ['UQOTHER', 'qa', 'search', null],
      ['UQEXPIRED', 'qa', null, T0 + H],
      ['UQLATER', 'qa', null, T0 + 100 * H],
      ['UTESTER', tester.id, 'payments', null],
      ['USEC', 'security', null, null],
      ['URM', 'release_manager', null, null],
      ['UGONE', 'qa', null, null],
    ];
    for (const [u, roleId, teamId, expiresAt] of users) {
      w.then(w.when(ensureUser, { userId: u, name: u, email: null, serviceAccount: false }));
      w.then(w.when(assignRole, { subject: { type: 'user', id: u }, roleId, teamId, expiresAt }));
    }
    w.then(w.when(ensureUser, { userId: 'UGUILD', name: 'UGUILD', email: null, serviceAccount: false }));
    w.then(w.when(createGroup, { groupId: 'guild', name: 'QA guild', members: ['UGUILD', 'UGONE'] }));
    w.then(w.when(assignRole, { subject: { type: 'group', id: 'guild' }, roleId: 'qa', teamId: 'payments', expiresAt: null }));
    w.then(w.when(deactivateUser, { userId: 'UGONE' }));
    w.now = T0 + 2 * H;
    const pool = approverPool(w.state, w.env(SYSTEM).authz);
    for (const type of APPROVAL_TYPES) {
      for (const teamId of ['payments', 'search', null]) assert.deepEqual(pool(type, teamId), everyUserChecked(w, type, teamId), `${type} in ${String(teamId)}`);
    }
    assert.deepEqual(pool('qa', 'payments'), ['UADMIN', 'UGUILD', 'UQA', 'UQB', 'UQLATER', 'UQTEAM', 'UTESTER']);
  });

  it('a tick reminding 50 versions checks the approvers once, not every user of the account for every version', () => {
    const { w } = world({ remindAfterMs: H });
    const bystanders = 2000;
    for (let i = 0; i < bystanders; i++) w.given([{ type: 'user.added', data: { user: { id: `UX${String(i)}`, name: `UX${String(i)}`, email: null, active: true, serviceAccount: false, createdAt: T0 } } }]);
    for (let i = 1; i < 50; i++) {
      const { version } = w.then(w.when(createVersion, { productId: 'checkout', version: `1.0.${String(i)}`, releaseId: null }, as('UDEV')), as('UDEV'));
      w.then(w.when(requestApproval, { versionId: version.id, environmentId: 'production' }, as('UDEV')), as('UDEV'));
    }
    w.now = T0 + H;
    const env = w.env(SYSTEM);
    let checks = 0;
    const authz: AuthzView = {
      actorCan: (actor, permission, teamId) => (checks++, env.authz.actorCan(actor, permission, teamId)),
      explain: (u, p, t) => env.authz.explain(u, p, t),
      actorBits: (a, t) => env.authz.actorBits(a, t),
      permissionsIn: (u, t) => env.authz.permissionsIn(u, t),
      teamsOf: (u) => env.authz.teamsOf(u),
    };
    const out = runFollowUps(w.state, { limit: 100 }, { ...env, authz });
    assert.equal(out.result.reminders, 50);
    for (const e of out.events) {
      assert.ok(e.type === 'approval.reminded');
      assert.deepEqual(e.data.userIds, ['UADMIN', 'UQA', 'UQB']);
    }
    assert.deepEqual(everyUserChecked(w, 'qa', 'payments'), ['UADMIN', 'UQA', 'UQB']);
    // The holders of roles with version:approve:qa (UADMIN, UQA, UQB), once each for the tick.
    assert.ok(checks <= 3, `${String(checks)} permission checks for one tick (${String(bystanders)} users who cannot approve)`);
  });
});
