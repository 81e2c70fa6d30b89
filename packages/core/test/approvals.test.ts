import assert from 'node:assert/strict';
import type { LogStore } from '../src/index.js';
import { Gatehouse, GatehouseError, SYSTEM } from '../src/index.js';
import { delivery, refused, setup } from './helpers.js';

async function world(rule: Parameters<typeof delivery>[2] = {}) {
  const s = await setup({ users: { UDEV: 'developer', UQA1: 'qa', UQA2: 'qa', USEC: 'security', UPM: 'product', URM: 'release_manager', UVIEW: 'viewer' } });
  const d = await delivery(s.account, s.admin, rule);
  const { version } = await s.account.createVersion(s.as('UDEV'), { productId: 'checkout', version: '2.0.0' });
  return { ...s, ...d, version, ev: () => s.account.evaluate({ versionId: version.id, environmentId: 'production' }) };
}

describe('versions, approvals and deployment rules (SPEC §4)', () => {
  it('typed approvals need version:approve:<type> in the product team', async () => {
    const { account, version, as } = await world();
    await refused(account.decideVersion(as('USEC'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }), 'forbidden');
    await refused(account.decideVersion(as('UVIEW'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }), 'forbidden');
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
  });

  it('a team-scoped approver approves only in their team', async () => {
    const { account, admin, version, as } = await world();
    await account.ensureUser({ userId: 'UQAT' });
    await account.createTeam(admin, { teamId: 'search', name: 'Search' });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UQAT' }, roleId: 'qa', teamId: 'search' });
    await refused(account.decideVersion(as('UQAT'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }), 'forbidden');
    await account.assignRole(admin, { subject: { type: 'user', id: 'UQAT' }, roleId: 'qa', teamId: 'payments' });
    await account.decideVersion(as('UQAT'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
  });

  it('quorum counts distinct approvers and a rejection blocks until withdrawn', async () => {
    const { account, version, as, ev } = await world({ requirements: [{ type: 'qa', quorum: 2 }, { type: 'security', quorum: 1 }] });
    assert.deepEqual(ev().missing, ['qa: 2 more approvals', 'security: 1 more approval']);
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    assert.deepEqual(ev().missing, ['qa: 1 more approval', 'security: 1 more approval']);
    await account.decideVersion(as('USEC'), { versionId: version.id, approvalType: 'security', decision: 'approve' });
    await refused(account.decideVersion(as('UQA2'), { versionId: version.id, approvalType: 'qa', decision: 'reject' }), 'validation_failed');
    await account.decideVersion(as('UQA2'), { versionId: version.id, approvalType: 'qa', decision: 'reject', reason: 'flaky checkout test' });
    assert.deepEqual(ev().missing, ['qa: rejected by UQA2']);
    // The latest decision counts: UQA2 changes their mind.
    await account.decideVersion(as('UQA2'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    assert.equal(ev().ready, true);
  });

  it('separation of duties: the creator cannot approve, unless the rule switches it off', async () => {
    const { account, admin, as } = await world({ requirements: [{ type: 'qa', quorum: 1 }] });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'qa' });
    const { version } = await account.createVersion(as('UDEV'), { productId: 'checkout', version: '2.0.1' });
    await refused(account.decideVersion(as('UDEV'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }), 'separation_of_duties');
    const rule = Object.values(account.view.rules)[0]!;
    await account.updateRule(admin, { ruleId: rule.id, separationOfDuties: false });
    await account.decideVersion(as('UDEV'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    assert.equal(account.evaluate({ versionId: version.id, environmentId: 'production' }).ready, true);
  });

  it('release approval: the version must be in an approved release', async () => {
    const { account, version, as, ev } = await world({ requirements: [], requireReleaseApproval: true });
    assert.deepEqual(ev().missing, ['release approval (the version is in no release)']);
    const rel = await account.createRelease(as('UPM'), { productId: 'checkout', name: 'Spring' });
    await account.addToRelease(as('UDEV'), { releaseId: rel.id, versionId: version.id });
    assert.deepEqual(ev().missing, ['release approval']);
    await refused(account.decideRelease(as('UDEV'), { releaseId: rel.id, decision: 'approve' }), 'forbidden');
    await account.decideRelease(as('UPM'), { releaseId: rel.id, decision: 'approve' });
    assert.equal(ev().ready, true);
    await account.decideRelease(as('URM'), { releaseId: rel.id, decision: 'reject', reason: 'freeze week' });
    assert.equal(ev().ready, false);
  });

  it('releases lock/unlock and archive/restore', async () => {
    const { account, version, as } = await world();
    const rel = await account.createRelease(as('UDEV'), { productId: 'checkout', name: 'R1' });
    await refused(account.lockRelease(as('UDEV'), { releaseId: rel.id }), 'forbidden');
    await account.lockRelease(as('URM'), { releaseId: rel.id });
    await refused(account.addToRelease(as('UDEV'), { releaseId: rel.id, versionId: version.id }), 'release_locked');
    await refused(account.deleteRelease(as('URM'), { releaseId: rel.id }), 'release_locked');
    await account.unlockRelease(as('URM'), { releaseId: rel.id });
    await account.addToRelease(as('UDEV'), { releaseId: rel.id, versionId: version.id });
    await account.archiveRelease(as('URM'), { releaseId: rel.id });
    await refused(account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }), 'release_archived');
    await account.restoreRelease(as('URM'), { releaseId: rel.id });
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    await account.deleteRelease(as('URM'), { releaseId: rel.id });
    assert.equal(account.view.versions[version.id]!.releaseId, null);
  });

  it('deployments are refused while blocked, with the missing approvals', async () => {
    const { account, version, as } = await world();
    await refused(account.createDeployment(as('UVIEW'), { versionId: version.id, environmentId: 'staging' }), 'forbidden');
    await account.createDeployment(as('UDEV'), { versionId: version.id, environmentId: 'staging' });
    const err = await refused(account.createDeployment(as('UDEV'), { versionId: version.id, environmentId: 'production' }), 'deployment_blocked');
    assert.deepEqual(err.details['missing'], ['qa: 1 more approval']);
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    const { deployment } = await account.createDeployment(as('UDEV'), { versionId: version.id, environmentId: 'production' });
    assert.equal(deployment.override, null);
  });

  it('a gate override needs gate:override and a reason, and is loud in the audit trail', async () => {
    const { account, version, as, admin } = await world();
    await refused(account.createDeployment(as('UDEV'), { versionId: version.id, environmentId: 'production', override: { reason: 'hotfix for outage' } }), 'forbidden');
    await refused(account.createDeployment(as('URM'), { versionId: version.id, environmentId: 'production', override: { reason: '' } }), 'validation_failed');
    const { deployment } = await account.createDeployment(as('URM'), { versionId: version.id, environmentId: 'production', override: { reason: 'hotfix for outage' } });
    assert.deepEqual(deployment.override, { reason: 'hotfix for outage', missing: ['qa: 1 more approval'] });
    const loud = await account.auditTrail(admin, { types: ['gate.overridden'] });
    assert.equal(loud.length, 1);
    assert.equal(loud[0]!.actor, 'URM');
  });

  it('decisions are idempotent: the same click twice and two approvers at once', async () => {
    const { account, version, as } = await world({ requirements: [{ type: 'qa', quorum: 2 }] });
    const seq = account.seq;
    const click = () => account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    const results = await Promise.all([click(), click(), click()]);
    assert.deepEqual(results.map((r) => r.changed).sort(), [false, false, true]);
    assert.equal(account.seq, seq + 1);
    await Promise.all([
      account.decideVersion(as('UQA2'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }),
      account.decideVersion(as('UQA2'), { versionId: version.id, approvalType: 'qa', decision: 'approve' }),
    ]);
    const qa = account.evaluate({ versionId: version.id, environmentId: 'production' }).requirements[0]!;
    assert.deepEqual(qa.approvedBy.sort(), ['UQA1', 'UQA2']);
    assert.equal(account.seq, seq + 2);
  });

  it('pending approvals list versions waiting for types the user can give', async () => {
    const { account, version, as } = await world({ requirements: [{ type: 'qa', quorum: 1 }, { type: 'security', quorum: 1 }] });
    assert.equal(account.pendingApprovals('UQA1').length, 0, 'nothing is pending before approval is requested');
    await account.requestApproval(as('UDEV'), { versionId: version.id, environmentId: 'production' });
    assert.deepEqual(account.pendingApprovals('UQA1').map((p) => p.canGive), [['qa']]);
    assert.deepEqual(account.pendingApprovals('USEC').map((p) => p.canGive), [['security']]);
    assert.equal(account.pendingApprovals('UVIEW').length, 0);
    assert.equal(account.pendingApprovals('UDEV').length, 0);
    await account.decideVersion(as('UQA1'), { versionId: version.id, approvalType: 'qa', decision: 'approve' });
    assert.equal(account.pendingApprovals('UQA1').length, 0);
    assert.equal(account.pendingApprovals('UQA2').length, 0, 'qa is satisfied');
  });

  it('creating a version is idempotent for CI retries and needs version:create', async () => {
    const { account, as, version } = await world();
    const again = await account.createVersion(as('UDEV'), { productId: 'checkout', version: '2.0.0' });
    assert.equal(again.created, false);
    assert.equal(again.version.id, version.id);
    await refused(account.createVersion(as('UQA1'), { productId: 'checkout', version: '9.9.9' }), 'forbidden');
  });

  it('a version string with a control character (NUL, a tab, a line break) is refused saying so; nothing is written (issue 11, finding 6)', async () => {
    const { account, as } = await world();
    const seq = account.seq;
    for (const version of ['1.0.0\u0000', '1.0\t.0', '1.0\n.1', '\u007f1.0']) {
      const err = await account.createVersion(as('UDEV'), { productId: 'checkout', version }).then(
        () => assert.fail(`${JSON.stringify(version)} was accepted`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof GatehouseError && err.code === 'validation_failed', String(err));
      assert.match(err.message, /a version string has no control characters \(NUL, tabs, line breaks\)/);
    }
    assert.equal(account.seq, seq);
  });
});

describe('access requests (SPEC §5)', () => {
  it('request, approval by someone else, time-bound grant, expiry', async () => {
    const { account, admin, as, clock } = await setup({ users: { UDEV: 'developer', UADMIN2: 'admin' } });
    const req = await account.requestAccess(as('UDEV'), { roleId: 'sre', durationMs: 2 * 3_600_000, reason: 'incident 42' });
    assert.equal(req.status, 'pending');
    await refused(account.decideAccessRequest(as('UDEV'), { requestId: req.id, approve: true }), 'forbidden');
    const { grant } = await account.decideAccessRequest(admin, { requestId: req.id, approve: true });
    assert.equal(grant!.expiresAt, clock.now() + 2 * 3_600_000);
    assert.equal(account.can('UDEV', 'environment:create'), true);
    // A second click on Approve is harmless; a Deny after approval is refused.
    await account.decideAccessRequest(as('UADMIN2'), { requestId: req.id, approve: true });
    await refused(account.decideAccessRequest(as('UADMIN2'), { requestId: req.id, approve: false, reason: 'too late' }), 'request_not_pending');
    clock.advance(2 * 3_600_000);
    assert.equal(account.can('UDEV', 'environment:create'), false);
    assert.equal((await account.sweepExpired()).length, 1);
  });
  it('the requester cannot approve their own request, and governance still applies', async () => {
    const { account, admin, as } = await setup({ users: { UADMIN2: 'admin', UMGR: null } });
    const req = await account.requestAccess(admin, { roleId: 'billing', durationMs: 3_600_000, reason: 'invoice run' });
    await refused(account.decideAccessRequest(admin, { requestId: req.id, approve: true }), 'self_change');
    const mgr = await account.createRole(admin, { name: 'Mgr', scope: 'global', permissions: ['user_role:manage'] });
    await account.assignRole(as('UADMIN2'), { subject: { type: 'user', id: 'UMGR' }, roleId: mgr.id });
    await refused(account.decideAccessRequest(as('UMGR'), { requestId: req.id, approve: true }), 'escalation');
    const denied = await account.decideAccessRequest(as('UADMIN2'), { requestId: req.id, approve: false, reason: 'use the billing team' });
    assert.equal(denied.request.status, 'denied');
  });
  it('requests longer than the account maximum are refused', async () => {
    const { account, as } = await setup({ users: { UDEV: 'developer' } });
    await refused(account.requestAccess(as('UDEV'), { roleId: 'sre', durationMs: 60 * 86_400_000, reason: 'long' }), 'validation_failed');
  });
});

describe('API keys and tokens (SPEC §6)', () => {
  it('an API key keeps its creation-time permissions; a personal token follows its owner', async () => {
    const { account, admin, gh } = await setup({ users: { UDEV: 'developer' } });
    const dev = { userId: 'UDEV' };
    const key = await gh.createKey(account, dev, { name: 'ci' });
    const token = await gh.createKey(account, dev, { name: 'laptop', kind: 'personal_token' });
    assert.match(key.secret, /^ghk_/);
    assert.equal('hash' in key.key, false);
    assert.equal(JSON.stringify(account.view.keys).includes(key.secret), false, 'only the hash is stored');
    const pk = await gh.authenticate(key.secret);
    const pt = await gh.authenticate(token.secret);
    assert.equal(account.actorCan(pk.actor, 'version:create', 'general'), true);
    await account.revokeRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'developer' });
    assert.equal(account.actorCan(pk.actor, 'version:create', 'general'), true, 'the key keeps its snapshot');
    assert.equal(account.actorCan(pt.actor, 'version:create', 'general'), false, 'the token follows its owner');
    const review = await account.accessReview(admin);
    assert.deepEqual(review.keysExceedingOwner.map((k) => k.keyId), [key.key.id]);
  });
  it('a Developer of one team only creates an API key for themselves; it allows in that team and nowhere else', async () => {
    const { account, admin, gh } = await setup({ users: { UTEAMDEV: null } });
    await account.createTeam(admin, { teamId: 'payments', name: 'Payments' });
    await refused(gh.createKey(account, { userId: 'UTEAMDEV' }, { name: 'ci' }), 'forbidden');
    await account.assignRole(admin, { subject: { type: 'user', id: 'UTEAMDEV' }, roleId: 'developer', teamId: 'payments' });
    const { secret } = await gh.createKey(account, { userId: 'UTEAMDEV' }, { name: 'ci' });
    const { actor } = await gh.authenticate(secret);
    assert.equal(account.actorCan(actor, 'version:create', 'payments'), true);
    assert.equal(account.actorCan(actor, 'version:create', 'general'), false);
    assert.equal(account.actorCan(actor, 'version:create', null), false);
  });
  it('keys are created by those allowed, listed without secrets, revoked', async () => {
    const { account, gh, admin } = await setup({ users: { UDEV: 'developer', UQA: 'qa' } });
    await refused(gh.createKey(account, { userId: 'UQA' }, { name: 'x' }), 'forbidden');
    await gh.createKey(account, { userId: 'UQA' }, { name: 'mine', kind: 'personal_token' });
    await refused(gh.createKey(account, { userId: 'UDEV' }, { name: 'for qa', ownerId: 'UQA' }), 'forbidden');
    const k = await gh.createKey(account, admin, { name: 'for dev', ownerId: 'UDEV' });
    const list = account.listKeys({ userId: 'UDEV' }, 'UDEV');
    assert.deepEqual(list.map((x) => x.name), ['for dev']);
    assert.equal(JSON.stringify(list).includes('hash'), false);
    await gh.authenticate(k.secret);
    await account.revokeKey({ userId: 'UDEV' }, { keyId: k.key.id });
    await refused(gh.authenticate(k.secret), 'invalid_key');
    await refused(gh.authenticate(k.secret.slice(0, -1) + (k.secret.endsWith('A') ? 'B' : 'A')), 'invalid_key');
    await refused(gh.authenticate('not a key'), 'invalid_key');
  });

  it('a key of an account the server does not serve is refused, before that account is loaded (SPEC §1)', async () => {
    const gh1 = await Gatehouse.open({ url: 'memory' });
    try {
      await gh1.createAccount('T1', { name: 'Served', admins: [{ userId: 'UADMIN' }] });
      const other = await gh1.createAccount('TOTHER', { name: 'Other', admins: [{ userId: 'UADMIN' }] });
      const { secret, key } = await gh1.createKey(other, { userId: 'UADMIN' }, { name: 'ci' });
      const seq = other.seq;
      // A second server on the same store, recording which accounts it reads.
      const read: string[] = [];
      const store = new Proxy(gh1.store, {
        get(target, prop: keyof LogStore) {
          const v = Reflect.get(target, prop) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (prop === 'readCommits' || prop === 'loadSnapshot') read.push(String(args[0]));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const gh2 = await Gatehouse.open({ store, watchMs: null });
      const err = await refused(gh2.authenticate(secret, { serves: ['T1'] }), 'invalid_key');
      assert.equal(err.message, 'this key belongs to another Gatehouse account, which this server does not serve: send it to the Gatehouse server of that account, or use a key created on this one');
      assert.deepEqual(read, [], 'the other account was not loaded');
      assert.equal(other.seq, seq);
      assert.equal(other.listKeys({ userId: 'UADMIN' }, 'UADMIN').find((k) => k.id === key.id)?.lastUsedAt, null, 'the use was not recorded');
      // A server serving both takes it; without `serves` (the CLI on the store) every account counts.
      assert.equal((await gh2.authenticate(secret, { serves: ['T1', 'TOTHER'] })).account.id, 'TOTHER');
      assert.equal((await gh2.authenticate(secret)).account.id, 'TOTHER');
    } finally {
      await gh1.close();
    }
  });
});

describe('audit trail (SPEC §7)', () => {
  it('verify passes on an untouched log and fails at the tampered event', async () => {
    const { account, admin, gh } = await setup({ users: { UDEV: 'developer', USEC: 'security' } });
    await refused(account.verifyAudit({ userId: 'UDEV' }), 'forbidden');
    assert.equal((await account.verifyAudit({ userId: 'USEC' })).ok, true, 'Security holds audit:view');
    assert.deepEqual(await account.verifyAudit(SYSTEM), { ok: true, events: account.seq ? (await account.auditEvents()).length : 0, lastHash: account.view.lastHash });
    const jsonl = await account.exportAudit(admin);
    const lines = jsonl.trim().split('\n');
    assert.equal(lines.length, (await account.auditEvents()).length);
    // Tamper with a stored commit: change who was granted what.
    const store = gh.store as unknown as { keyv: { get(k: string): Promise<unknown>; set(k: string, v: unknown): Promise<unknown> } };
    const c = (await store.keyv.get('a:T1:c:3')) as { events: { data: unknown }[] };
    c.events[0]!.data = JSON.parse(JSON.stringify(c.events[0]!.data).replace(/developer/g, 'admin')) as unknown;
    await store.keyv.set('a:T1:c:3', c);
    const v = await account.verifyAudit(SYSTEM);
    assert.equal(v.ok, false);
    assert.equal(v.ok === false && v.brokenAt.startsWith('3.'), true);
  });
  it('the access review lists admins, expiring grants and unused keys', async () => {
    const { account, admin, gh, clock } = await setup({ users: { UDEV: 'developer', UOLD: 'viewer' } });
    await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'sre', durationMs: 86_400_000 });
    await gh.createKey(account, { userId: 'UDEV' }, { name: 'old ci' });
    clock.advance(100 * 86_400_000);
    await account.assignRole(admin, { subject: { type: 'user', id: 'UDEV' }, roleId: 'qa', durationMs: 86_400_000 });
    const r = await account.accessReview(admin);
    assert.deepEqual(r.admins, ['UADMIN']);
    assert.equal(r.singleAdmin, true);
    assert.deepEqual(r.expiringGrants.map((g) => g.roleId), ['qa']);
    assert.deepEqual(r.unusedKeys.map((k) => k.name), ['old ci']);
    assert.ok(r.inactiveUsers.some((u) => u.userId === 'UOLD'));
    assert.ok(!r.inactiveUsers.some((u) => u.userId === 'UADMIN'));
  });
  it('reading the audit trail needs audit:view (except one\'s own)', async () => {
    const { account, as } = await setup({ users: { UDEV: 'developer', USEC: 'security' } });
    await refused(account.auditTrail(as('UDEV')), 'forbidden');
    await account.auditTrail(as('UDEV'), { userId: 'UDEV' });
    await account.auditTrail(as('USEC'));
  });
});
